"""The publish gate: numbers of the live and the candidate model, and the verdict.

Each evaluated item becomes ``{text, expect, kind, faq_id}`` (``kind`` is the answer policy's
decision for the message). FAQ top-1 counts, as ``scripts/eval_sets.py`` does, the items
expecting an FAQ entry that were answered with exactly that entry. The gate blocks when the
candidate's top-1 is more than ``STUDIO_GATE_MAX_TOP1_DROP`` points below the live model's, or
when a regression-set question the live model got right is wrong with the candidate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from bot import settings

OUT_OF_SCOPE = "out_of_scope"
#: decisions that rightly decline an out-of-scope question
DECLINED = ("out_of_scope", "small_talk", "unsure", "offer_human")


def label(result: Mapping) -> str:
    """The entry answered, else the decision (as scripts/eval_sets.py labels a result)."""
    return str(result.get("faq_id")) if result.get("kind") == "answer" else str(result.get("kind"))


def is_right(result: Mapping) -> bool:
    """An FAQ item answered with its entry; an out-of-scope item not answered with any entry."""
    if result["expect"] == OUT_OF_SCOPE:
        return result.get("kind") in DECLINED
    return label(result) == result["expect"]


def faq_top1(results: Sequence[Mapping], faq_ids: Iterable[str]) -> float:
    """Share of the items expecting an FAQ entry that were answered with it (0.0 for none)."""
    ids = set(faq_ids)
    faq = [r for r in results if r["expect"] in ids]
    return sum(label(r) == r["expect"] for r in faq) / len(faq) if faq else 0.0


def dialogue_turns_right(results: Sequence[Mapping]) -> float:
    return sum(label(r) == r["expect"] for r in results) / len(results) if results else 0.0


@dataclass
class Verdict:
    passed: bool
    reasons: List[str] = field(default_factory=list)
    regressions: List[Dict] = field(default_factory=list)

    def as_dict(self) -> Dict:
        return {"passed": self.passed, "reasons": self.reasons, "regressions": self.regressions}


def regressions(live: Sequence[Mapping], candidate: Sequence[Mapping]) -> List[Dict]:
    """Regression-set items right with the live model and wrong with the candidate (same order)."""
    turned = []
    for before, after in zip(live, candidate):
        if is_right(before) and not is_right(after):
            turned.append({"text": after["text"], "expect": after["expect"], "live": label(before),
                           "candidate": label(after)})
    return turned


def judge(live_top1: float, candidate_top1: float, live_regression: Sequence[Mapping],
          candidate_regression: Sequence[Mapping], max_drop_points: Optional[float] = None,
          live_dialogue: Optional[float] = None, candidate_dialogue: Optional[float] = None,
          max_dialogue_drop: Optional[float] = None) -> Verdict:
    """Pass, or block with the reasons in Korean and the regression items that turned wrong.

    ``live_dialogue``/``candidate_dialogue``: share of the conversation tests' later turns
    answered with the right entry (in context); blocked when it drops by more than
    ``STUDIO_GATE_MAX_DIALOGUE_DROP`` points (not checked when either is None)."""
    max_drop = settings.STUDIO_GATE_MAX_TOP1_DROP if max_drop_points is None else max_drop_points
    reasons = []
    drop = 100 * (live_top1 - candidate_top1)
    if drop > max_drop + 1e-9:
        reasons.append(f"FAQ 정답률(top-1)이 {100 * live_top1:.1f}%에서 {100 * candidate_top1:.1f}%로 "
                       f"{drop:.1f}%p 떨어졌어요(허용 {max_drop:g}%p).")
    if live_dialogue is not None and candidate_dialogue is not None:
        allowed = settings.STUDIO_GATE_MAX_DIALOGUE_DROP if max_dialogue_drop is None else max_dialogue_drop
        fall = 100 * (live_dialogue - candidate_dialogue)
        if fall > allowed + 1e-9:
            reasons.append(f"대화 테스트(이어지는 질문) 정답률이 {100 * live_dialogue:.1f}%에서 "
                           f"{100 * candidate_dialogue:.1f}%로 {fall:.1f}%p 떨어졌어요(허용 {allowed:g}%p).")
    turned = regressions(live_regression, candidate_regression)
    if turned:
        reasons.append(f"전에 맞히던 회귀 질문 {len(turned)}개를 이제 틀려요.")
    return Verdict(passed=not reasons, reasons=reasons, regressions=turned)
