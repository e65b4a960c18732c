"""Load and validate the FAQ base (``data/faq/*.yml``) and the city facts (``data/city.yml``)."""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Tuple

import yaml

from bot import settings
from bot.conversation.names import FAQ_INTENT_PREFIX

FAQ_DIR = settings.PROJECT_ROOT / "data" / "faq"
CITY_PATH = settings.PROJECT_ROOT / "data" / "city.yml"
INTENT_PREFIX = FAQ_INTENT_PREFIX
ASPECTS = ("fee", "documents", "place", "hours", "period", "duration", "eligibility", "how",
           "online", "proxy", "contact")
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")
UNVERIFIED = "확인 필요"  # the value of a city fact staff have not confirmed yet
_ID = re.compile(r"^[a-z][a-z0-9_]*$")


class FaqBaseError(ValueError):
    """The FAQ base or the city file is invalid; the message lists every problem."""


@dataclass(frozen=True)
class Department:
    key: str
    name: str
    phone: str


@dataclass(frozen=True)
class CityFact:
    """One fact of data/city.yml with its check: who confirmed the value, and when."""
    key: str
    value: str
    verified: bool
    verified_by: str = ""
    verified_at: str = ""
    note: str = ""                       # for staff: what the value should say


@dataclass(frozen=True)
class CityFacts:
    verified: bool
    facts: Dict[str, str]
    departments: Dict[str, Department]
    details: Dict[str, CityFact] = field(default_factory=dict)

    @staticmethod
    def is_verified_value(value: str) -> bool:
        return bool(value) and UNVERIFIED not in value

    def is_verified(self, key: str) -> bool:
        """The fact exists, staff have confirmed it (``verified: true``) and its value does not say
        "확인 필요"; anything else is left out of citizens' answers."""
        detail = self.details.get(key)
        return (detail is None or detail.verified) and self.is_verified_value(self.facts.get(key, ""))


@dataclass(frozen=True)
class FaqEntry:
    id: str
    category: str
    category_label: str
    question: str
    answer: str
    department: str
    keywords: Tuple[str, ...]
    aspects: Tuple[str, ...]
    examples: Tuple[str, ...]
    as_of: str = ""                      # ISO date the facts were last checked
    sources: Tuple[str, ...] = ()        # official sources of the facts (law, ministry page)
    file: str = ""

    @property
    def intent(self) -> str:
        return INTENT_PREFIX + self.id

    @property
    def placeholders(self) -> List[str]:
        return PLACEHOLDER.findall(self.answer)


@dataclass
class FaqBase:
    entries: List[FaqEntry]
    city: CityFacts
    _by_id: Dict[str, FaqEntry] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_id = {e.id: e for e in self.entries}

    def get(self, faq_id: str) -> Optional[FaqEntry]:
        return self._by_id.get(faq_id)

    def by_intent(self, intent: Optional[str]) -> Optional[FaqEntry]:
        if intent and intent.startswith(INTENT_PREFIX):
            return self._by_id.get(intent[len(INTENT_PREFIX):])
        return None

    @property
    def ids(self) -> List[str]:
        return [e.id for e in self.entries]

    def categories(self) -> Dict[str, str]:
        """Category key → Korean label, in file order."""
        return {e.category: e.category_label for e in self.entries}


def _strings(value, where: str, problems: List[str]) -> Tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        problems.append(f"{where}: must be a list")
        return ()
    return tuple(str(v).strip() for v in value if str(v).strip())


def _as_of(value, where: str, problems: List[str]) -> str:
    """``as_of`` as an ISO date string; a missing or malformed date is a problem."""
    try:
        return datetime.date.fromisoformat(str(value)).isoformat()
    except ValueError:
        problems.append(f"{where}: `as_of` must be the date the facts were checked (YYYY-MM-DD)")
        return ""


def _sources(value, where: str, problems: List[str]) -> Tuple[str, ...]:
    """One source or a list of them; ``_strings`` strips and drops empty ones."""
    sources = _strings([value] if isinstance(value, str) else value, f"{where} source", problems)
    if not sources:
        problems.append(f"{where}: `source` must name the law or official page the facts come from")
    return sources


def _city_fact(key: str, raw) -> CityFact:
    """A fact in either form: ``key: value`` (verified unless it says "확인 필요") or
    ``key: {value, verified, verified_by, verified_at, note}``."""
    if not isinstance(raw, dict):
        value = str(raw if raw is not None else "").strip()
        return CityFact(key, value, CityFacts.is_verified_value(value))
    value = str(raw.get("value") if raw.get("value") is not None else "").strip()
    return CityFact(key, value, raw.get("verified") is True,
                    str(raw.get("verified_by") or "").strip(), str(raw.get("verified_at") or "").strip(),
                    str(raw.get("note") or "").strip())


def load_city(path: Path = CITY_PATH) -> CityFacts:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    details = {str(k): _city_fact(str(k), v) for k, v in (raw.get("facts") or {}).items()}
    facts = {key: fact.value for key, fact in details.items()}
    departments = {}
    for key, dept in (raw.get("departments") or {}).items():
        dept = dept or {}
        departments[str(key)] = Department(str(key), str(dept.get("name", key)),
                                           str(dept.get("phone", "")).strip())
    return CityFacts(bool(raw.get("verified", False)), facts, departments, details)


def _load_file(path: Path, problems: List[str]) -> List[FaqEntry]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    category, label = str(raw.get("category", "")).strip(), str(raw.get("label", "")).strip()
    if not category or not label:
        problems.append(f"{path.name}: needs `category` and `label`")
    entries = []
    for i, item in enumerate(raw.get("entries") or []):
        where = f"{path.name} entry {i + 1}"
        item = item or {}
        faq_id = str(item.get("id", "")).strip()
        if not _ID.match(faq_id):
            problems.append(f"{where}: id {faq_id!r} must be snake_case")
        for key in ("question", "answer", "department"):
            if not str(item.get(key, "") or "").strip():
                problems.append(f"{where} ({faq_id}): missing `{key}`")
        aspects = _strings(item.get("aspects"), f"{where} aspects", problems)
        problems.extend(f"{where} ({faq_id}): unknown aspect {a!r}" for a in aspects if a not in ASPECTS)
        entries.append(FaqEntry(
            id=faq_id, category=category, category_label=label,
            question=str(item.get("question", "")).strip(),
            answer=str(item.get("answer", "")).strip(),
            department=str(item.get("department", "")).strip(),
            keywords=_strings(item.get("keywords"), f"{where} keywords", problems),
            aspects=aspects,
            examples=_strings(item.get("examples"), f"{where} examples", problems),
            as_of=_as_of(item.get("as_of"), f"{where} ({faq_id})", problems),
            sources=_sources(item.get("source"), f"{where} ({faq_id})", problems),
            file=path.name,
        ))
    return entries


def validate(entries: Iterable[FaqEntry], city: CityFacts) -> List[str]:
    """Cross-file problems: duplicate ids, unknown departments or placeholders."""
    problems, seen = [], set()
    for entry in entries:
        if entry.id in seen:
            problems.append(f"duplicate FAQ id {entry.id!r}")
        seen.add(entry.id)
        if entry.department not in city.departments:
            problems.append(f"{entry.id}: department {entry.department!r} is not in city.yml")
        for key in entry.placeholders:
            if key not in city.facts:
                problems.append(f"{entry.id}: placeholder {{{key}}} is not a fact in city.yml")
    return problems


def data_stamp(faq_dir: Path = FAQ_DIR, city_path: Path = CITY_PATH) -> tuple:
    """Names, modification times and sizes of the data files: changes when a publish, a rollback
    or an edit in git rewrites one."""
    paths = sorted(Path(faq_dir).glob("*.yml")) + [Path(city_path)]
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths if p.exists())


def load_faq_base(faq_dir: Path = FAQ_DIR, city_path: Path = CITY_PATH) -> FaqBase:
    """Load every ``*.yml`` in ``faq_dir``; raise :class:`FaqBaseError` listing all problems."""
    problems: List[str] = []
    entries: List[FaqEntry] = []
    files = sorted(Path(faq_dir).glob("*.yml"))
    if not files:
        problems.append(f"no FAQ files in {faq_dir}")
    for path in files:
        entries.extend(_load_file(path, problems))
    city = load_city(city_path)
    problems.extend(validate(entries, city))
    if problems:
        raise FaqBaseError("FAQ base is invalid:\n- " + "\n- ".join(problems))
    return FaqBase(entries, city)
