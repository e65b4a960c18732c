"""Write ``data/faq/*.yml`` and ``data/city.yml`` deterministically: same data → same bytes.

Git stays the source of truth: publishing applies the drafts (:mod:`bot.studio.drafts`) to
the files with :func:`planned_files` and :func:`write_files`, so every publish is a small,
readable diff. Key order is fixed, answers are ``|-`` block scalars, keywords and aspects flow
lists, examples and sources block lists; a city fact is one flow mapping per line. Comment
lines at the top of a file, and in city.yml the comment lines above a fact, are kept.
A retired entry leaves ``entries`` for the file's ``retired`` list, which nothing that answers
citizens reads.
"""
from __future__ import annotations

import datetime
import os
import re
import tempfile
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import yaml

FAQ_DIR = Path("data") / "faq"
CITY_FILE = Path("data") / "city.yml"
ENTRY_KEYS = ("id", "question", "answer", "department", "keywords", "aspects", "as_of", "source", "examples")
RETIRED_KEYS = ("retired_by", "retired_at")
FACT_KEYS = ("value", "verified", "verified_by", "verified_at", "note")
_WIDE = 10 ** 9
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_FACT_LINE = re.compile(r"^  ([A-Za-z0-9_]+):")
_INLINE_NOTE = re.compile(r"^  ([A-Za-z0-9_]+):[^#{]*?\s#\s*(.+)$")


# --- YAML pieces ------------------------------------------------------------------------
def _scalar(value) -> str:
    """One scalar as YAML writes it in block context (plain when it can be)."""
    if isinstance(value, (datetime.date, bool, int)):
        return yaml.safe_dump(value).split("\n")[0]
    return yaml.safe_dump([str(value)], allow_unicode=True, width=_WIDE)[2:].rstrip("\n")


def _flow(value) -> str:
    """A list or mapping on one line: ``[a, b]`` / ``{k: v}``."""
    return yaml.safe_dump(value, allow_unicode=True, width=_WIDE, default_flow_style=True,
                          sort_keys=False).rstrip("\n")


def _block_text(key: str, text: str, indent: str) -> List[str]:
    lines = str(text).strip().splitlines() or [""]
    return [f"{indent}{key}: |-"] + [f"{indent}  {line}".rstrip() if line.strip() else "" for line in lines]


def _date(value) -> object:
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)


def _entry_lines(entry: Mapping, extra_keys: Sequence[str] = ()) -> List[str]:
    out = [f"  - id: {_scalar(entry['id'])}"]
    for key in ENTRY_KEYS[1:] + tuple(extra_keys):
        value = entry.get(key)
        if key == "answer":
            out += _block_text(key, value or "", "    ")
        elif key in ("keywords", "aspects"):
            out.append(f"    {key}: {_flow([str(v) for v in value or []])}")
        elif key in ("source", "examples"):
            items = [value] if isinstance(value, str) else list(value or [])
            out.append(f"    {key}:" + ("" if items else " []"))
            out += [f"      - {_scalar(item)}" for item in items]
        elif key in ("as_of", "retired_at"):
            out.append(f"    {key}: {_scalar(_date(value or ''))}")
        elif value is not None:
            out.append(f"    {key}: {_scalar(value)}")
    return out


def _header(text: str) -> List[str]:
    """The comment lines a file starts with."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def faq_text(category: str, label: str, entries: Sequence[Mapping], retired: Sequence[Mapping] = (),
             header: Sequence[str] = ()) -> str:
    """The text of one category file."""
    lines = list(header) + [f"category: {_scalar(category)}", f"label: {_scalar(label)}", "entries:"]
    for entry in entries:
        lines += _entry_lines(entry_payload(entry))
    if retired:
        lines.append("retired:  # no longer answered; kept for history")
        for entry in retired:
            lines += _entry_lines({**entry, **entry_payload(entry)}, RETIRED_KEYS)
    return "\n".join(lines) + "\n"


def city_text(raw: Mapping, previous: str = "") -> str:
    """The text of data/city.yml; comment lines of ``previous`` above the first key and above each
    fact stay where they were."""
    comments = _fact_comments(previous)
    lines = _header(previous)
    if lines:
        lines.append("")
    lines.append(f"verified: {_scalar(bool(raw.get('verified', False)))}  # true once staff have checked every value")
    lines += ["", "facts:"]
    for key, fact in (raw.get("facts") or {}).items():
        lines += comments.get(key, [])
        fact = dict(fact) if isinstance(fact, Mapping) else {"value": fact}
        ordered = {k: fact[k] for k in FACT_KEYS if k in fact and fact[k] not in (None, "")
                   or k in ("value", "verified")}
        ordered["value"] = str(ordered.get("value") or "")
        ordered["verified"] = bool(ordered.get("verified"))
        if "verified_at" in ordered:
            ordered["verified_at"] = str(ordered["verified_at"])
        lines.append(f"  {key}: {_flow(ordered)}")
    lines += ["", "departments:  # FAQ entries name these in `department:`; the phone is shown as \"☎ …\""]
    for key, dept in (raw.get("departments") or {}).items():
        lines.append(f"  {key}: {_flow({'name': str(dept.get('name', key)), 'phone': str(dept.get('phone', ''))})}")
    return "\n".join(lines) + "\n"


def _fact_comments(previous: str) -> Dict[str, List[str]]:
    """Fact key → the comment (and blank) lines just above it in the ``facts`` block."""
    found, pending, inside = {}, [], False
    for line in previous.splitlines():
        if line.startswith("facts:"):
            inside = True
            continue
        if not inside:
            continue
        if line and not line.startswith(" "):
            break
        match = _FACT_LINE.match(line)
        if match:
            found[match.group(1)] = pending
            pending = []
        elif line.strip().startswith("#") or not line.strip():
            pending.append(line.rstrip())
    return found


# --- the data files ---------------------------------------------------------------------
def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def faq_files(root: Path) -> Dict[str, dict]:
    """Path relative to ``root`` → the parsed category file, in file-name order."""
    return {str(path.relative_to(root)): yaml.load(_read(path), Loader=_LOADER) or {}
            for path in sorted((Path(root) / FAQ_DIR).glob("*.yml"))}


def retired_ids(root: Path) -> Dict[str, str]:
    """Retired FAQ id → its category file (a retired id is never given to a new entry)."""
    return {str(e.get("id")): path for path, raw in faq_files(root).items() for e in raw.get("retired") or []}


def snapshot(root: Path) -> Dict[str, str]:
    """The current text of every data file the studio manages, by path relative to ``root``."""
    paths = sorted((Path(root) / FAQ_DIR).glob("*.yml")) + [Path(root) / CITY_FILE]
    return {str(path.relative_to(root)): _read(path) for path in paths if path.exists()}


def _file_of_category(files: Mapping[str, dict], category: str) -> Optional[str]:
    return next((path for path, raw in files.items() if raw.get("category") == category), None)


def _text_item(item) -> str:
    """A list item as text: ``- 법 제1조(목적: 요지)`` written unquoted reads back as a one-key
    mapping, which is put back together here."""
    if isinstance(item, Mapping) and len(item) == 1:
        key, value = next(iter(item.items()))
        return f"{key}: {value}"
    return str(item)


def entry_payload(payload: Mapping) -> dict:
    """The entry keys of ``payload`` in file order, list items as text."""
    entry = {key: payload.get(key) for key in ENTRY_KEYS}
    if entry["answer"] is not None:
        entry["answer"] = "\n".join(line.rstrip() for line in str(entry["answer"]).strip().splitlines())
    if isinstance(entry["as_of"], datetime.date):
        entry["as_of"] = entry["as_of"].isoformat()
    for key in ("source", "examples", "keywords", "aspects"):
        if isinstance(entry[key], list):
            entry[key] = [_text_item(item) for item in entry[key]]
    return entry


def _apply_faq(files: Dict[str, dict], draft) -> List[str]:
    """Apply one FAQ draft to the parsed files; the paths it changed."""
    changed = []
    for path, raw in files.items():
        entries = raw.get("entries") or []
        kept = [e for e in entries if e.get("id") != draft.key]
        if len(kept) != len(entries):
            old = next(e for e in entries if e.get("id") == draft.key)
            raw["entries"] = kept
            changed.append(path)
            if draft.action == "retire":
                retired = {**entry_payload(old), "retired_by": draft.author,
                           "retired_at": draft.updated_at.date().isoformat()}
                raw["retired"] = [e for e in raw.get("retired") or [] if e.get("id") != draft.key] + [retired]
                return changed
            index = entries.index(old)
            if raw.get("category") == draft.payload.get("category"):
                raw["entries"].insert(index, entry_payload(draft.payload))
                return changed
    if draft.action == "retire":
        return changed
    target = _file_of_category(files, str(draft.payload.get("category")))
    if target is None:
        raise ValueError(f"unknown category {draft.payload.get('category')!r} for {draft.key}")
    files[target].setdefault("entries", []).append(entry_payload(draft.payload))
    return changed + [target]


def _apply_city(raw: dict, draft) -> None:
    facts = raw.setdefault("facts", {})
    if draft.action == "retire":
        facts.pop(draft.key, None)
    else:
        facts[draft.key] = {k: draft.payload.get(k) for k in FACT_KEYS if k in draft.payload}


def _city_raw(text: str) -> dict:
    """The city file with every fact in the new form ``{value, verified, …}`` (old plain values
    are verified unless they say "확인 필요", as before)."""
    from bot.faq.base import UNVERIFIED

    raw = yaml.load(text, Loader=_LOADER) or {}
    notes = {m.group(1): m.group(2).strip() for m in map(_INLINE_NOTE.match, text.splitlines()) if m}
    facts = {}
    for key, fact in (raw.get("facts") or {}).items():
        if not isinstance(fact, Mapping):
            value = str(fact if fact is not None else "").strip()
            fact = {"value": "" if value == UNVERIFIED else value, "verified": bool(value) and UNVERIFIED not in value}
            if notes.get(str(key)):
                fact["note"] = notes[str(key)]
        facts[str(key)] = dict(fact)
    raw["facts"] = facts
    return raw


def planned_files(root: Path, drafts: Sequence) -> Dict[str, str]:
    """{path relative to ``root``: new text} for every data file the drafts change; nothing written."""
    root = Path(root)
    files = faq_files(root)
    texts = {path: _read(root / path) for path in files}
    changed: List[str] = []
    city_text_now = _read(root / CITY_FILE)
    city_raw = _city_raw(city_text_now)
    for draft in sorted(drafts, key=lambda d: (d.kind, d.key)):
        if draft.kind == "faq":
            changed += _apply_faq(files, draft)
        elif draft.kind == "city":
            _apply_city(city_raw, draft)
            changed.append(str(CITY_FILE))
        else:
            raise ValueError(f"unknown draft kind {draft.kind!r}")
    return {path: city_text(city_raw, city_text_now) if path == str(CITY_FILE) else _faq_file(files[path], texts[path])
            for path in dict.fromkeys(changed)}


def _faq_file(raw: Mapping, previous: str) -> str:
    """The category file's text, read back to prove it holds exactly the entries meant."""
    text = faq_text(raw.get("category", ""), raw.get("label", ""), raw.get("entries") or [],
                    raw.get("retired") or [], _header(previous))
    back = yaml.load(text, Loader=_LOADER) or {}
    for key in ("entries", "retired"):
        if [entry_payload(e) for e in back.get(key) or []] != [entry_payload(e) for e in raw.get(key) or []]:
            raise ValueError(f"{raw.get('category')}: the written {key} would not read back the same")
    return text


def rewrite_all(root: Path) -> Dict[str, str]:
    """Every managed file as the writer writes it (used once to normalise the data, and by tests)."""
    root = Path(root)
    out = {path: _faq_file(raw, _read(root / path)) for path, raw in faq_files(root).items()}
    previous = _read(root / CITY_FILE)
    out[str(CITY_FILE)] = city_text(_city_raw(previous), previous)
    return out


def write_files(root: Path, files: Mapping[str, str]) -> None:
    """Write each file atomically (a temporary file beside it, then ``os.replace``)."""
    for relative, text in files.items():
        target = Path(root) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=str(target.parent))
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.chmod(temp, target.stat().st_mode & 0o777 if target.exists() else 0o644)
            os.replace(temp, target)
        except BaseException:
            if os.path.exists(temp):
                os.unlink(temp)
            raise
