"""Content checks of the FAQ base that staff see at ``make data`` and tests enforce.

What a citizen reads must never show "확인 필요" or a raw ``{placeholder}``, must speak in
one voice (해요체), and every entry names its sources and the date they were checked.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import replace
from typing import List

from bot.faq.base import UNVERIFIED, CityFacts, FaqBase, FaqEntry
from bot.faq.render import render_answer

MIN_EXAMPLES = 20
# 합쇼체 sentence endings: …합니다. …습니까? …십시오.
FORMAL_ENDING = re.compile(r"(니다|니까|십시오)\s*[.?!]?\s*(?=$|\n|[\"')\]]|\s)")
LEFTOVER = re.compile(r"\{[a-z0-9_]*\}|\(\s*\)|" + re.escape(UNVERIFIED))


def _all_unverified(city: CityFacts) -> CityFacts:
    """The same city with every fact unverified: the answer must still read well."""
    return replace(city, facts={k: UNVERIFIED for k in city.facts})


def entry_problems(entry: FaqEntry, city: CityFacts, today: datetime.date) -> List[str]:
    problems = []
    if UNVERIFIED in entry.answer:
        problems.append(f"{entry.id}: the answer itself says {UNVERIFIED!r}; use a city.yml fact instead")
    for sentence in FORMAL_ENDING.finditer(entry.answer):
        problems.append(f"{entry.id}: 합쇼체 ending {sentence.group(0).strip()!r}; answers speak 해요체")
    for label, facts in (("as is", city), ("with no verified city fact", _all_unverified(city))):
        text = render_answer(entry, facts)
        if LEFTOVER.search(text):
            problems.append(f"{entry.id}: rendered {label}, the citizen would read "
                            f"{LEFTOVER.search(text).group(0)!r}")
        if len(text) < 40:
            problems.append(f"{entry.id}: rendered {label}, the answer is {len(text)} characters")
    if entry.as_of and datetime.date.fromisoformat(entry.as_of) > today:
        problems.append(f"{entry.id}: as_of {entry.as_of} is in the future")
    if len(set(entry.examples)) < MIN_EXAMPLES:
        problems.append(f"{entry.id}: {len(set(entry.examples))} examples, at least {MIN_EXAMPLES} wanted")
    return problems


def content_problems(base: FaqBase, today: datetime.date | None = None) -> List[str]:
    """Every content problem of the base, one line each (empty when all is well)."""
    today = today or datetime.date.today()
    return [p for entry in base.entries for p in entry_problems(entry, base.city, today)]
