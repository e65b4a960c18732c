"""Publish with a gate, and roll back: the job the web app starts in a thread and the CLI runs.

Steps, recorded in ``studio_versions.steps`` for the page to poll: files (the drafts written
into a copy of the data) → train (``rasa train`` at low priority: the live bot keeps answering;
meanwhile the live model is measured, and a previous swap's hand-over finishes) → evaluate (a
candidate Rasa with the new model on the held-out set, the conversation tests in context and the
regression set) → gate → swap (traffic switched to the candidate with no failed request: from
here citizens get the new model, :mod:`bot.studio.swap`) → record (the files into the live tree,
drafts cleared, the version live). The main Rasa keeps the replaced model warm for
``STUDIO_WARM_SECONDS`` (a rollback is then a switch), then takes the new one over. Any failure
ends the version as "failed" with a Korean error and leaves the live bot as it was. One publish
or rollback at a time. Each step's seconds are stored in the version's ``metrics.timings``.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from bot import settings
from bot.faq.base import FaqBaseError, load_faq_base
from bot.studio import drafts as studio_drafts
from bot.studio import evaluation, gate, swap, switch, versions, workspace
from bot.studio import files as data_files
from bot.studio.candidate import CandidateError, CandidateRasa, niced, parser

log = logging.getLogger(__name__)
STEPS = ("files", "train", "evaluate", "gate", "swap", "record")
TRAIN_TIMEOUT = 3 * 3600
TRAINED_HOW = {"finetune": "지금 모델을 이어서 학습", "full": "처음부터 학습"}
_lock = threading.Lock()  # one publish or rollback per process (the database refuses across processes)
_ready: Dict[str, object] = {}  # "candidate": the CandidateRasa being judged, "base": its FAQ base


class PublishError(RuntimeError):
    """A step failed; the message is for staff, in Korean."""


@dataclass
class Job:
    """Where a publish reads and writes (settings at the time the job is made; tests point these
    at temporary places)."""

    root: Path = field(default_factory=lambda: settings.STUDIO_DATA_ROOT)
    models_dir: Path = field(default_factory=lambda: settings.STUDIO_MODELS_DIR)
    config: Path = field(default_factory=lambda: settings.STUDIO_TRAIN_CONFIG)
    url: Optional[str] = None  # database
    main_url: str = ""  # the main Rasa (default RASA_URL)
    run_dir: Optional[Path] = None
    candidate_port: int = 0
    live_top1: Optional[float] = None  # None: the live version's recorded number, else measured
    warm_seconds: Optional[float] = None  # None: STUDIO_WARM_SECONDS


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
        if versions.running(job.url) is None and versions.live(job.url) is None \
                and versions.baseline_id(job.url) is None:
            baseline(job)  # before the version, so that the history reads in order
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


def settle_previous(job: Job) -> None:
    """Before a publish or rollback needs the candidate port: the previous swap handed over to
    the main Rasa (and an orphaned route from a process that died, :func:`swap.recover`)."""
    swap.settle()
    swap.recover(job.main_url, job.run_dir, versions.live_model("", job.url) or None)
    swap.wait_stopped()


def _in_background(target, *args) -> Future:
    """``target(*args)`` in a daemon thread (a process may exit during it, unlike an executor's)."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(target(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to result()
            future.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return future


def run(version_id: int, job: Job) -> None:
    """The publish of ``version_id`` (already "running"), step by step."""
    current = "files"
    candidate: Optional[CandidateRasa] = None
    handover: Optional[swap.Handover] = None
    timings: Dict[str, float] = {}
    began = clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 1)
        clock = now

    try:
        settled = _in_background(settle_previous, job)  # during files and training
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
        lap("files")

        current = "train"
        _step(version_id, job, current, "running", "새 모델을 학습하고 있어요. 그동안 챗봇은 지금 모델로 답해요.")
        regression = evaluation.regression_items(job.url)
        live = _in_background(measure_live, job, regression, settled)  # the live model, while training
        model, how = train(work, version_id, job)
        _step(version_id, job, current, "done", f"{model.name} ({TRAINED_HOW[how]})")
        lap("train")

        current = "evaluate"
        _step(version_id, job, current, "running", "평가 질문으로 새 모델과 지금 모델을 비교하고 있어요.")
        settled.result()
        lap("wait_previous_swap")
        # the live model measured before the candidate starts: the live Rasa then serves citizens
        # only (on the first publish the held-out set and the conversations run on it, which with
        # a fine-tuning can outlast the training)
        measured = live.result()
        lap("wait_live_measure")
        candidate = CandidateRasa(model, job.candidate_port, job.run_dir).start()
        lap("candidate_start")
        base = load_faq_base(work / "data" / "faq", work / "data" / "city.yml")
        _ready.update(candidate=candidate, base=base)
        verdict, metrics = judge(candidate, base, job, regression, measured)
        lap("evaluate")
        versions.update(version_id, job.url, metrics={**metrics, "trained": how, "timings": timings},
                        regressions=verdict.regressions)
        _step(version_id, job, current, "done", f"정답률 {100 * metrics['candidate']['faq_top1']:.1f}% "
                                               f"(지금 {100 * metrics['live_top1']:.1f}%), 대화 테스트 "
                                               f"{100 * metrics['candidate']['dialogue_turns_right']:.1f}%")

        current = "gate"
        if not verdict.passed:
            _step(version_id, job, current, "failed", " ".join(verdict.reasons))
            versions.finish(version_id, versions.BLOCKED, job.url, error=" ".join(verdict.reasons))
            return
        _step(version_id, job, current, "done", "통과했어요.")

        current = "swap"
        _ready.clear()
        previous = versions.live(job.url)
        previous_id = previous["id"] if previous else versions.baseline_id(job.url)
        handover = swap.switch_to(candidate, job.main_url, job.run_dir, previous_id, job.warm_seconds)
        lap("switch")
        _step(version_id, job, current, "done", "새 모델이 답하고 있어요.")

        current = "record"
        record(version_id, job, drafts, model, diff)
        lap("record")
        timings["edit_to_live"] = round(time.monotonic() - began, 1)
        versions.update(version_id, job.url, metrics={**metrics, "trained": how, "timings": timings})
        _step(version_id, job, current, "done", f"배포를 마쳤어요 ({timings['edit_to_live']:.0f}초).")
        log.info("publish %s live in %.0f s: %s", version_id, timings["edit_to_live"], timings)
    except Exception as exc:  # noqa: BLE001 - every failure ends the version with a message
        log.exception("publish %s failed at %s", version_id, current)
        message = str(exc) if isinstance(exc, (PublishError, CandidateError)) else \
            f"'{current}' 단계에서 오류가 났어요. 지금 챗봇은 그대로예요. ({type(exc).__name__})"
        if handover is not None and swap.pending() is handover:
            swap.switch_back(handover)  # the main Rasa still holds the model it served
            handover = None
        _step(version_id, job, current, "failed", message)
        versions.finish(version_id, versions.FAILED, job.url, error=message)
    finally:
        _ready.clear()
        if candidate is not None and handover is None:
            if switch.routed_url(job.run_dir) == candidate.url:
                switch.route_back(job.run_dir)
            candidate.stop()


def train(work: Path, version_id: int, job: Job) -> Tuple[Path, str]:
    """The model for the workspace's data in ``models_dir/v<id>.tar.gz`` and how it was made.

    First the live model is fine-tuned (``rasa train --finetune``, ``STUDIO_FINETUNE_EPOCH_FRACTION``
    of the configured epochs) — Rasa refuses when the labels or the config changed (a new entry),
    and then the model is trained from scratch. Both at low priority, beside the live bot. Rasa's
    training cache (``.rasa/cache``) and the embedding cache (``EMBEDDING_TRAIN_CACHE``) make
    the parts whose input did not change quick."""
    target = versions.model_file(version_id, job.models_dir)
    live = versions.live_model(str(settings.RASA_MODEL), job.url)
    fraction = settings.STUDIO_FINETUNE_EPOCH_FRACTION
    if 0 < fraction < 1 and Path(live).exists():
        if _rasa_train(work, target, job, ["--finetune", str(live), "--epoch-fraction", str(fraction)], "finetune"):
            return target, "finetune"
        log.info("version %s: fine-tuning %s was refused (new labels or config); training from scratch",
                 version_id, Path(live).name)
    if not _rasa_train(work, target, job, [], "train"):
        raise PublishError(f"학습에 실패했어요. 기록: {work / 'train.log'}")
    return target, "full"


def _rasa_train(work: Path, target: Path, job: Job, extra: List[str], log_name: str) -> bool:
    """One ``rasa train`` into ``target``; whether it made the model (its output in ``<log_name>.log``)."""
    out = work / f"model-{log_name}"  # empty: Rasa would skip training if an up-to-date model were there
    command = niced([sys.executable, "-m", "rasa", "train", "--config", str(job.config),
                     "--domain", str(work / "domain.yml"), "--data", str(work / "data"), "--out", str(out),
                     "--fixed-model-name", target.name[:-len(".tar.gz")], "--quiet", *extra])
    with open(work / f"{log_name}.log", "wb") as log_file:
        try:
            done = subprocess.run(command, cwd=settings.PROJECT_ROOT, stdout=log_file, stderr=subprocess.STDOUT,
                                  timeout=TRAIN_TIMEOUT, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
        except subprocess.TimeoutExpired as exc:
            raise PublishError("학습이 너무 오래 걸려 멈췄어요.") from exc
    trained = out / target.name
    if done.returncode != 0 or not trained.exists():
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(trained), target)
    return True


def measure_live(job: Job, regression: List[Dict], settled: Optional[Future] = None) -> Dict:
    """The live model on the regression set, and its held-out top-1 and conversation-test score
    (the live version's recorded numbers when there are, else measured) — run during training."""
    if settled is not None:
        settled.result()  # the live model is where the previous swap left it
    url = switch.live_url(job.main_url, job.run_dir)
    live_parse = parser(url, evaluation.EVAL_TIMEOUT)
    live_base = load_faq_base(job.root / "data" / "faq", job.root / "data" / "city.yml")
    known = ((versions.live(job.url) or {}).get("metrics") or {}).get("candidate") or {}
    top1 = job.live_top1 if job.live_top1 is not None else known.get("faq_top1")
    if top1 is None:
        top1 = gate.faq_top1(evaluation.decide(evaluation.heldout_items(), live_parse, live_base), live_base.ids)
    dialogue = known.get("dialogue_turns_right")
    if dialogue is None:
        turns = evaluation.converse(url, evaluation.dialogues(), db_url=job.url)
        dialogue = gate.dialogue_turns_right(evaluation.later_turns(turns))
    return {"regression": evaluation.decide(regression, live_parse, live_base), "top1": top1, "dialogue": dialogue}


def judge(candidate: CandidateRasa, base, job: Job, regression: Optional[List[Dict]] = None,
          live: Optional[Dict] = None):
    """Both models on the same questions → (gate verdict, metrics for the version)."""
    regression = evaluation.regression_items(job.url) if regression is None else regression
    live = measure_live(job, regression) if live is None else live
    with ThreadPoolExecutor(max_workers=1) as pool:  # the conversations beside the parses
        talks = pool.submit(evaluation.converse, candidate.url, evaluation.dialogues(), 2, job.url)
        parse = parser(candidate.url, evaluation.EVAL_TIMEOUT)
        cand_heldout = evaluation.decide(evaluation.heldout_items(), parse, base)
        cand_reg = evaluation.decide(regression, parse, base)
        cand_turns = talks.result()
    cand_dialogue = gate.dialogue_turns_right(evaluation.later_turns(cand_turns))
    verdict = gate.judge(live["top1"], gate.faq_top1(cand_heldout, base.ids), live["regression"], cand_reg,
                         live_dialogue=live["dialogue"], candidate_dialogue=cand_dialogue)
    metrics = {"candidate": evaluation.numbers(cand_heldout, cand_turns, cand_reg, base), "live_top1": live["top1"],
               "live_dialogue_turns_right": live["dialogue"],
               "live_regression_right": sum(gate.is_right(r) for r in live["regression"]), "gate": verdict.as_dict(),
               "dialogue_misses": [{k: t[k] for k in ("text", "expect", "faq_id")} for t in
                                   evaluation.later_turns(cand_turns) if gate.label(t) != t["expect"]][:20]}
    return verdict, metrics


def record(version_id: int, job: Job, drafts, model: Path, diff: str) -> None:
    """The published files into the live tree, its drafts cleared, the version live."""
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
    model.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(settings.RASA_MODEL, model)
    versions.update(version_id, job.url, model_path=str(model), files=data_files.snapshot(job.root))
    return version_id
