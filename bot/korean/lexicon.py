"""The Korean lexicon file (``data/korean/lexicon.yml``): user words and entity phrases."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

from bot import settings

LEXICON_PATH = settings.PROJECT_ROOT / "data" / "korean" / "lexicon.yml"


@dataclass(frozen=True)
class Lexicon:
    user_words: Tuple[Tuple[str, str], ...]  # (word, Kiwi tag)
    entities: Dict[str, Tuple[str, ...]]

    def to_dict(self) -> dict:
        return {"user_words": [list(w) for w in self.user_words],
                "entities": {k: list(v) for k, v in self.entities.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> "Lexicon":
        return cls(tuple((w, t) for w, t in data["user_words"]),
                   {k: tuple(v) for k, v in data["entities"].items()})


def load_lexicon(path: Path = LEXICON_PATH) -> Lexicon:
    """Read and check the lexicon file; ``ValueError`` names what is wrong."""
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    words: List[Tuple[str, str]] = []
    for tag, items in (raw.get("user_words") or {}).items():
        if not isinstance(items, list):
            raise ValueError(f"{path}: user_words.{tag} must be a list")
        words.extend((str(w).strip(), str(tag)) for w in items if str(w).strip())
    entities = {}
    for label, phrases in (raw.get("entities") or {}).items():
        if not isinstance(phrases, list) or not phrases:
            raise ValueError(f"{path}: entities.{label} must be a non-empty list")
        entities[str(label)] = tuple(str(p).strip() for p in phrases)
    # Entity phrases are proper nouns to Kiwi too, so a phrase stays one token.
    known = {w for w, _ in words}
    words.extend((p, "NNP") for phrases in entities.values() for p in phrases if p not in known)
    return Lexicon(tuple(dict.fromkeys(words)), entities)
