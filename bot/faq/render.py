"""Turn an FAQ entry into the text a citizen reads.

City facts come from ``data/city.yml``. A fact staff have not verified never reaches a
citizen: ``({key})`` disappears with its parentheses, and a line holding a bare ``{key}``
is left out. A particle right after a placeholder is fitted to the value (``{efamily}나``
→ "…시스템(efamily.scourt.go.kr)이나").
"""
from __future__ import annotations

import re
from typing import Dict, List, Optional

from bot.faq.base import PLACEHOLDER, CityFacts, FaqEntry
from bot.korean.josa import attach

_PARENTHESISED = re.compile(r"\s?\(\{([a-z0-9_]+)\}\)")


def fill_facts(text: str, city: CityFacts) -> str:
    """``text`` with verified facts filled in and unverified ones left out (see module doc)."""
    return "\n".join(line for line in (_fill_line(raw, city) for raw in text.splitlines())
                     if line is not None)


def _fill_line(line: str, city: CityFacts) -> Optional[str]:
    line = _PARENTHESISED.sub(lambda m: m.group(0) if city.is_verified(m.group(1)) else "", line)
    if not all(city.is_verified(key) for key in PLACEHOLDER.findall(line)):
        return None
    pieces = PLACEHOLDER.split(line)  # text, key, text, key, …, text
    out = pieces[0]
    for i in range(1, len(pieces), 2):
        out += attach(city.facts[pieces[i]], pieces[i + 1])
    return out


def department_line(entry: FaqEntry, city: CityFacts) -> str:
    dept = city.departments.get(entry.department)
    if dept is None:
        return ""
    return f"담당: {dept.name}" + (f" (☎ {dept.phone})" if city.is_verified_value(dept.phone) else "")


def render_answer(entry: FaqEntry, city: CityFacts) -> str:
    """The answer with city facts filled in and the responsible department as its last line.

    One line per paragraph or list item, no blank lines: Rasa's channels cut a text at each
    blank line into separate bubbles, and an answer is one message, live and after a reload.
    """
    lines = [*fill_facts(entry.answer, city).splitlines(), department_line(entry, city)]
    return "\n".join(line for line in lines if line.strip())


def answer_message(entry: FaqEntry, city: CityFacts) -> str:
    """What the citizen reads: the entry's question as the first line (the page shows it as
    the heading), then the answer."""
    return f"{entry.question}\n{render_answer(entry, city)}"


def left_out(entries: List[FaqEntry], city: CityFacts) -> Dict[str, List[str]]:
    """Entry id → the unverified city facts (and department phones) its citizens do not see."""
    missing: Dict[str, List[str]] = {}
    for entry in entries:
        keys = [k for k in dict.fromkeys(entry.placeholders) if not city.is_verified(k)]
        dept = city.departments.get(entry.department)
        if dept is not None and not city.is_verified_value(dept.phone):
            keys.append(f"departments.{entry.department}.phone")
        if keys:
            missing[entry.id] = keys
    return missing


def staff_checklist(entries: List[FaqEntry], city: CityFacts) -> List[str]:
    """Lines for staff: each unverified fact of data/city.yml and the entries that leave it out."""
    users: Dict[str, List[str]] = {}
    for faq_id, keys in left_out(entries, city).items():
        for key in keys:
            users.setdefault(key, []).append(faq_id)
    return [f"{key}: {', '.join(ids)}" for key, ids in sorted(users.items())]
