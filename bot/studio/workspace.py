"""The data a publish trains on: a copy of the project's data with the drafts written into it.

The live tree is not touched until the gate has passed. The Rasa files derived from the FAQ
base (``bot.faq.sync``: NLU examples, the FAQ rule, the domain's intent block) are generated
in the copy the same way ``make data`` does in the tree.
"""
from __future__ import annotations

import difflib
import shutil
from pathlib import Path
from typing import Dict, Mapping

from bot.faq.base import load_faq_base
from bot.faq.sync import domain_with_intents, nlu_yaml, rules_yaml
from bot.studio import files as data_files

DERIVED = ("data/nlu/faq.yml", "data/rules/faq.yml", "domain.yml")


def derived_files(root: Path) -> Dict[str, str]:
    """{path: text} of the files ``make data`` generates from ``root``'s FAQ base (raises
    ``FaqBaseError`` when the base is invalid)."""
    root = Path(root)
    base = load_faq_base(root / "data" / "faq", root / "data" / "city.yml")
    domain = (root / "domain.yml").read_text(encoding="utf-8")
    return {"data/nlu/faq.yml": nlu_yaml(base), "data/rules/faq.yml": rules_yaml(base),
            "domain.yml": domain_with_intents(domain, base)}


def prepare(root: Path, work: Path, planned: Mapping[str, str]) -> Path:
    """Copy ``root``'s data and domain into ``work``, write ``planned`` and the derived files."""
    work = Path(work)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    shutil.copytree(Path(root) / "data", work / "data")
    shutil.copy2(Path(root) / "domain.yml", work / "domain.yml")
    data_files.write_files(work, planned)
    data_files.write_files(work, derived_files(work))
    return work


def apply(root: Path, managed: Mapping[str, str]) -> None:
    """Write managed data files into ``root`` and regenerate its derived files."""
    data_files.write_files(root, managed)
    data_files.write_files(root, derived_files(root))


def unified_diff(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """``git diff``-like text of every file that differs (added and removed files too)."""
    chunks = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path, ""), after.get(path, "")
        if old != new:
            chunks.extend(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                               fromfile=f"a/{path}", tofile=f"b/{path}"))
    return "".join(chunks)
