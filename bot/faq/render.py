"""Turn an FAQ entry into the text a citizen reads."""
from __future__ import annotations

from bot.faq.base import PLACEHOLDER, CityFacts, FaqEntry


def fill_facts(text: str, city: CityFacts) -> str:
    """Replace ``{fact}`` placeholders with the values from ``data/city.yml``."""
    return PLACEHOLDER.sub(lambda m: city.facts.get(m.group(1), m.group(0)), text)


def department_line(entry: FaqEntry, city: CityFacts) -> str:
    dept = city.departments.get(entry.department)
    if dept is None:
        return ""
    return f"담당: {dept.name}" + (f" (☎ {dept.phone})" if dept.phone else "")


def render_answer(entry: FaqEntry, city: CityFacts) -> str:
    """The answer with city facts filled in and the responsible department appended."""
    parts = [fill_facts(entry.answer, city), department_line(entry, city)]
    return "\n\n".join(p for p in parts if p)
