"""Published versions (table ``studio_versions``): the running publish, its steps, live, history.

A version is "running" while its publish works, then "live", "blocked" (the gate said no) or
"failed"; the live one becomes "retired" when another goes live (a rollback makes an older
version live again). Model files live in ``models/versions/`` and are pruned to
``STUDIO_KEEP_VERSIONS``, never the live one's.
"""
from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Dict, List, Optional

from bot import settings
from bot.storage.db import session_scope
from bot.storage.models import StudioVersion, as_utc, utcnow

MODELS_DIR = settings.STUDIO_MODELS_DIR
BASELINE_SUMMARY = "첫 배포 전 상태"
RUNNING, LIVE, BLOCKED, FAILED, RETIRED = "running", "live", "blocked", "failed", "retired"
#: a "running" publish older than this was cut off (its process died): it no longer holds the lock
STALE_AFTER = timedelta(hours=3)


class PublishBusy(RuntimeError):
    """Another publish or rollback is running."""


def _loads(text: Optional[str], default):
    return json.loads(text) if text else default


def as_dict(row: StudioVersion, with_files: bool = False) -> Dict:
    out = {"id": row.id, "author": row.author, "summary": row.summary, "status": row.status,
           "steps": _loads(row.steps, []), "diff": row.diff or "", "metrics": _loads(row.metrics, {}),
           "regressions": _loads(row.regressions, []), "model_path": row.model_path, "error": row.error,
           "created_at": as_utc(row.created_at).isoformat(),
           "finished_at": as_utc(row.finished_at).isoformat() if row.finished_at else None}
    if with_files:
        out["files"] = _loads(row.files, {})
    return out


def begin(author: str, summary: str, url: Optional[str] = None) -> int:
    """A new "running" version; :class:`PublishBusy` when one is running already (one at a time).

    A "running" row older than ``STALE_AFTER`` is marked failed first (its process died)."""
    with session_scope(url) as session:
        for row in session.query(StudioVersion).filter_by(status=RUNNING).with_for_update().all():
            if as_utc(row.created_at) < utcnow() - STALE_AFTER:
                row.status, row.error, row.finished_at = FAILED, "중간에 멈춘 배포예요.", utcnow()
            else:
                raise PublishBusy("이미 진행 중인 배포(또는 되돌리기)가 있어요. 끝난 뒤에 다시 시도해 주세요.")
        row = StudioVersion(author=author, summary=summary, status=RUNNING, steps="[]")
        session.add(row)
        session.flush()
        return row.id


def begin_baseline(url: Optional[str] = None) -> int:
    """A retired version standing for the state before the first publish (to roll back to)."""
    with session_scope(url) as session:
        row = StudioVersion(author="system", summary=BASELINE_SUMMARY, status=RETIRED, steps="[]",
                            finished_at=utcnow())
        session.add(row)
        session.flush()
        return row.id


def baseline_id(url: Optional[str] = None) -> Optional[int]:
    """The version standing for the state before the first publish, if there is one."""
    with session_scope(url) as session:
        row = session.query(StudioVersion).filter_by(author="system", summary=BASELINE_SUMMARY) \
            .order_by(StudioVersion.id.desc()).first()
        return row.id if row else None


def record_step(version_id: int, step: str, state: str, detail: str = "", url: Optional[str] = None) -> None:
    """Set the state of ``step`` (added at the end the first time): running, done, failed, skipped."""
    with session_scope(url) as session:
        row = session.get(StudioVersion, version_id)
        steps = _loads(row.steps, [])
        entry = {"step": step, "state": state, "detail": detail, "at": utcnow().isoformat()}
        for i, old in enumerate(steps):
            if old["step"] == step:
                steps[i] = entry
                break
        else:
            steps.append(entry)
        row.steps = json.dumps(steps, ensure_ascii=False)


def update(version_id: int, url: Optional[str] = None, **fields) -> None:
    """Set columns; dicts and lists are stored as JSON."""
    with session_scope(url) as session:
        row = session.get(StudioVersion, version_id)
        for name, value in fields.items():
            setattr(row, name, json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value)


def finish(version_id: int, status: str, url: Optional[str] = None, **fields) -> None:
    """End a running version as "blocked" or "failed" (going live is :func:`make_live`)."""
    update(version_id, url, status=status, finished_at=utcnow(), **fields)


def make_live(version_id: int, url: Optional[str] = None, **fields) -> None:
    """This version is live; the one live before is retired."""
    with session_scope(url) as session:
        for row in session.query(StudioVersion).filter_by(status=LIVE).all():
            if row.id != version_id:
                row.status = RETIRED
        row = session.get(StudioVersion, version_id)
        for name, value in fields.items():
            setattr(row, name, json.dumps(value, ensure_ascii=False) if isinstance(value, (dict, list)) else value)
        row.status = LIVE
        row.finished_at = row.finished_at or utcnow()


def get(version_id: int, url: Optional[str] = None, with_files: bool = False) -> Optional[Dict]:
    with session_scope(url) as session:
        row = session.get(StudioVersion, version_id)
        return as_dict(row, with_files) if row else None


def running(url: Optional[str] = None) -> Optional[Dict]:
    with session_scope(url) as session:
        row = session.query(StudioVersion).filter_by(status=RUNNING).order_by(StudioVersion.id.desc()).first()
        return as_dict(row) if row else None


def live(url: Optional[str] = None) -> Optional[Dict]:
    with session_scope(url) as session:
        row = session.query(StudioVersion).filter_by(status=LIVE).order_by(StudioVersion.id.desc()).first()
        return as_dict(row) if row else None


def live_model(default: str, url: Optional[str] = None) -> str:
    """The model file of the live version (after a publish or rollback), else ``default``."""
    version = live(url)
    path = (version or {}).get("model_path")
    return path if path and Path(path).exists() else default


def latest(url: Optional[str] = None) -> Optional[Dict]:
    with session_scope(url) as session:
        row = session.query(StudioVersion).order_by(StudioVersion.id.desc()).first()
        return as_dict(row) if row else None


def history(limit: int = 50, url: Optional[str] = None) -> List[Dict]:
    """The newest versions first."""
    with session_scope(url) as session:
        rows = session.query(StudioVersion).order_by(StudioVersion.id.desc()).limit(limit).all()
        return [as_dict(row) for row in rows]


def model_file(version_id: int, models_dir: Path = MODELS_DIR) -> Path:
    return Path(models_dir) / f"v{version_id}.tar.gz"


def prune_models(keep: int = 0, url: Optional[str] = None) -> List[str]:
    """Delete the model files of all but the newest ``keep`` versions that have one (the live
    version's file always stays); the deleted paths. Their versions stay in the history."""
    keep = keep or settings.STUDIO_KEEP_VERSIONS
    deleted = []
    with session_scope(url) as session:
        rows = (session.query(StudioVersion).filter(StudioVersion.model_path.isnot(None))
                .order_by(StudioVersion.id.desc()).all())
        kept = 0
        for row in rows:
            if row.status == LIVE or (kept < keep and Path(row.model_path).exists()):
                kept += row.status != LIVE
                continue
            path = Path(row.model_path)
            if path.exists():
                path.unlink()
                deleted.append(str(path))
            row.model_path = None
    return deleted
