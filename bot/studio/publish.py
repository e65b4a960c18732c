"""Publish with a gate, and roll back: the job the web app starts in a thread and the CLI runs.

Steps, recorded in ``studio_versions.steps`` for the page to poll: files (the drafts written
into a copy of the data) → train (``rasa train`` at low priority: the live bot keeps answering)
→ evaluate (the live and the candidate model on the same questions) → gate → swap (no failed
request, :mod:`bot.studio.swap`) → record (the files into the live tree, drafts cleared, the
version live). Any failure ends the version as "failed" with a Korean error and leaves the
live bot as it was. One publish or rollback at a time.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, Optional

from bot import settings
from bot.faq.base import FaqBaseError, load_faq_base
from bot.studio import drafts as studio_drafts
from bot.studio import evaluation, gate, switch, versions, workspace
from bot.studio import files as data_files
from bot.studio.candidate import CandidateError, CandidateRasa, parser
from bot.studio.swap import swap

log = logging.getLogger(__name__)
STEPS = ("files", "train", "evaluate", "gate", "swap", "record")
TRAIN_TIMEOUT = 3 * 3600
_lock = threading.Lock()  # one publish or rollback per process (the database refuses across processes)
_ready: Dict[str, object] = {}  # "candidate": the CandidateRasa being judged, "base": its FAQ base


class PublishError(RuntimeError):
    """A step failed; the message is for staff, in Korean."""


@dataclass
class Job:
    """Where a publish reads and writes (tests point these at temporary places)."""

    root: Path = settings.PROJECT_ROOT
    models_dir: Path = versions.MODELS_DIR
    config: Path = settings.STUDIO_TRAIN_CONFIG
    url: Optional[str] = None  # database
    main_url: str = ""  # the main Rasa (default RASA_URL)
    run_dir: Optional[Path] = None
    candidate_port: int = 0
    live_top1: Optional[float] = None  # None: measure the live model on the held-out set


BUSY = "이미 진행 중인 배포(또는 되돌리기)가 있어요. 끝난 뒤에 다시 시도해 주세요."


@contextmanager
def exclusive() -> Iterator[None]:
    """Hold the one-publish-at-a-time lock of this process (``versions.PublishBusy`` if taken)."""
    if not _lock.acquire(blocking=False):
        raise versions.PublishBusy(BUSY)
    try:
        yield
    finally:
        _lock.release()


def busy() -> bool:
    """Whether this process runs a publish or rollback now."""
    return _lock.locked()


def ready_candidate():
    """(candidate Rasa, its FAQ base) while a publish has one answering, else None."""
    candidate = _ready.get("candidate")
    return (candidate, _ready["base"]) if candidate is not None else None


def start(author: str, summary: str, job: Optional[Job] = None, background: bool = True) -> int:
    """Begin a publish; its version id. ``versions.PublishBusy`` when one is running."""
    job = job or Job()
    if not _lock.acquire(blocking=False):
        raise versions.PublishBusy(BUSY)
    try:
        version_id = versions.begin(author, summary.strip(), job.url)
    except BaseException:
        _lock.release()
        raise

    def work() -> None:
        try:
            run(version_id, job)
        finally:
            _lock.release()

    if background:
        threading.Thread(target=work, name=f"publish-{version_id}", daemon=True).start()
    else:
        work()
    return version_id


def _step(version_id: int, job: Job, name: str, state: str, detail: str = "") -> None:
    versions.record_step(version_id, name, state, detail, job.url)


def run(version_id: int, job: Job) -> None:
    """The publish of ``version_id`` (already "running"), step by step."""
    current = "files"
    candidate: Optional[CandidateRasa] = None
    try:
        drafts = studio_drafts.list_drafts(job.url)
        work = Path(job.run_dir or settings.RUN_DIR) / "studio-work" / f"v{version_id}"
        before = data_files.snapshot(job.root)
        try:
            planned = data_files.planned_files(job.root, drafts)
            workspace.prepare(job.root, work, planned)
        except (FaqBaseError, ValueError) as exc:
            raise PublishError("초안에 문제가 있어 파일을 만들 수 없어요. 초안을 고친 뒤 다시 배포해 주세요. "
                               f"(자세히: {exc})") from exc
        after = data_files.snapshot(work)
        diff = workspace.unified_diff(before, after)
        versions.update(version_id, job.url, diff=diff)
        _step(version_id, job, "files", "done", f"초안 {len(drafts)}건, 바뀐 파일 {len(planned)}개")

        current = "train"
        _step(version_id, job, current, "running", "새 모델을 학습하고 있어요. 그동안 챗봇은 지금 모델로 답해요.")
        model = train(work, version_id, job)
        _step(version_id, job, current, "done", model.name)

        current = "evaluate"
        _step(version_id, job, current, "running", "평가 질문으로 새 모델과 지금 모델을 비교하고 있어요.")
        candidate = CandidateRasa(model, job.candidate_port, job.run_dir).start()
        base = load_faq_base(work / "data" / "faq", work / "data" / "city.yml")
        _ready.update(candidate=candidate, base=base)
        verdict, metrics = judge(candidate, base, job)
        versions.update(version_id, job.url, metrics=metrics, regressions=verdict.regressions)
        _step(version_id, job, current, "done", f"정답률 {100 * metrics['candidate']['faq_top1']:.1f}% "
                                               f"(지금 {100 * metrics['live_top1']:.1f}%)")

        current = "gate"
        if not verdict.passed:
            _step(version_id, job, current, "failed", " ".join(verdict.reasons))
            versions.finish(version_id, versions.BLOCKED, job.url, error=" ".join(verdict.reasons))
            return
        _step(version_id, job, current, "done", "통과했어요.")

        current = "swap"
        _step(version_id, job, current, "running", "새 모델로 바꾸고 있어요. 챗봇은 계속 답해요.")
        _ready.clear()
        swap(candidate, job.main_url, job.run_dir)
        _step(version_id, job, current, "done", "새 모델이 답하고 있어요.")

        current = "record"
        record(version_id, job, drafts, model, diff)
        _step(version_id, job, current, "done", "배포를 마쳤어요.")
    except Exception as exc:  # noqa: BLE001 - every failure ends the version with a message
        log.exception("publish %s failed at %s", version_id, current)
        message = str(exc) if isinstance(exc, (PublishError, CandidateError)) else \
            f"'{current}' 단계에서 오류가 났어요. 지금 챗봇은 그대로예요. ({type(exc).__name__})"
        _step(version_id, job, current, "failed", message)
        versions.finish(version_id, versions.FAILED, job.url, error=message)
    finally:
        _ready.clear()
        if candidate is not None:
            if switch.routed_url(job.run_dir) == candidate.url:
                switch.route_back(job.run_dir)
            candidate.stop()


def train(work: Path, version_id: int, job: Job) -> Path:
    """``rasa train`` on the workspace's data into ``models_dir/v<id>.tar.gz`` at low priority.

    Rasa's training cache (``.rasa/cache``) makes components whose input did not change quick."""
    target = versions.model_file(version_id, job.models_dir)
    out = work / "model"  # empty: Rasa would skip training if an up-to-date model were there
    command = ["nice", "-n", "10", sys.executable, "-m", "rasa", "train", "--config", str(job.config),
               "--domain", str(work / "domain.yml"), "--data", str(work / "data"), "--out", str(out),
               "--fixed-model-name", target.name[:-len(".tar.gz")], "--quiet"]
    log_path = work / "train.log"
    with open(log_path, "wb") as log_file:
        try:
            done = subprocess.run(command, cwd=settings.PROJECT_ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                  timeout=TRAIN_TIMEOUT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
        except subprocess.TimeoutExpired as exc:
            raise PublishError("학습이 너무 오래 걸려 멈췄어요.") from exc
    trained = out / target.name
    if done.returncode != 0 or not trained.exists():
        raise PublishError(f"학습에 실패했어요. 기록: {log_path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(trained), target)
    return target


def judge(candidate: CandidateRasa, base, job: Job):
    """Both models on the same questions → (gate verdict, metrics for the version)."""
    heldout, openings = evaluation.heldout_items(), evaluation.dialogue_openings()
    regression = evaluation.regression_items(job.url)
    cand_heldout = evaluation.decide(heldout, candidate.parse, base)
    cand_open = evaluation.decide(openings, candidate.parse, base)
    cand_reg = evaluation.decide(regression, candidate.parse, base)
    live_parse = parser(switch.live_url(job.main_url, job.run_dir))
    live_base = load_faq_base(job.root / "data" / "faq", job.root / "data" / "city.yml")
    live_reg = evaluation.decide(regression, live_parse, live_base)
    live_top1 = job.live_top1
    if live_top1 is None:
        known = versions.live(job.url)
        live_top1 = (known or {}).get("metrics", {}).get("candidate", {}).get("faq_top1")
    if live_top1 is None:
        live_top1 = gate.faq_top1(evaluation.decide(heldout, live_parse, live_base), live_base.ids)
    verdict = gate.judge(live_top1, gate.faq_top1(cand_heldout, base.ids), live_reg, cand_reg)
    metrics = {"candidate": evaluation.numbers(cand_heldout, cand_open, cand_reg, base), "live_top1": live_top1,
               "live_regression_right": sum(gate.is_right(r) for r in live_reg), "gate": verdict.as_dict()}
    return verdict, metrics


def record(version_id: int, job: Job, drafts, model: Path, diff: str) -> None:
    """The published files into the live tree, its drafts cleared, the version live."""
    if versions.live(job.url) is None:
        baseline(job)
    managed = data_files.snapshot(Path(job.run_dir or settings.RUN_DIR) / "studio-work" / f"v{version_id}")
    workspace.apply(job.root, managed)
    for draft in drafts:  # a draft saved again while the publish ran stays for the next one
        now = studio_drafts.get_draft(draft.kind, draft.key, job.url)
        if now is not None and now.updated_at == draft.updated_at:
            studio_drafts.discard_draft(draft.kind, draft.key, job.url)
    versions.make_live(version_id, job.url, files=data_files.snapshot(job.root), model_path=str(model), diff=diff)
    versions.prune_models(url=job.url)


def baseline(job: Job) -> int:
    """Before the first publish: the state being replaced, as a retired version one can roll back to."""
    version_id = versions.begin_baseline(job.url)
    model = versions.model_file(version_id, job.models_dir)
    shutil.copy2(settings.RASA_MODEL, model)
    versions.update(version_id, job.url, model_path=str(model), files=data_files.snapshot(job.root))
    return version_id
