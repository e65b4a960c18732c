"""The answer policy: answer, clarify with up to 3 choices, offer a human, or say out of scope.

Thresholds live in ``data/answer_policy.yml`` (fitted by ``scripts/calibrate.py``
on the training phrasings; the file records how). Follow-ups in context: a short
elliptical question ("그럼 수수료는요?") asking for an aspect (fee, documents …)
is answered by the entry of the previous answer's category that covers it. A bare topic
word ("세금") that several entries match is answered with those entries as choices.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

import yaml

from bot import settings
from bot.conversation import names
from bot.faq.aspects import detect_aspects, looks_like_follow_up
from bot.faq.base import FaqBase, FaqEntry
from bot.faq.retriever import Candidate, RankerConfig

POLICY_PATH = settings.PROJECT_ROOT / "data" / "answer_policy.yml"

ANSWER, CLARIFY, OFFER_HUMAN, OUT_OF_SCOPE, SMALL_TALK = (
    names.OUTCOME_ANSWER, names.OUTCOME_CLARIFY, names.OUTCOME_OFFER_HUMAN, names.OUTCOME_OUT_OF_SCOPE,
    names.OUTCOME_SMALL_TALK)


@dataclass(frozen=True)
class PolicyConfig:
    answer_threshold: float = 0.55  # top score needed to answer …
    answer_margin: float = 0.10  # … and its lead over the runner-up
    clarify_threshold: float = 0.30  # below: no good candidate → offer a human
    choice_threshold: float = 0.20  # a candidate shown as a choice scores at least this
    max_choices: int = 3
    topic_choices: int = 5  # a bare topic word ("세금") offers up to this many entries …
    topic_spread: float = 0.30  # … scoring within this of the top one
    out_of_scope_confidence: float = 0.50  # P(out_of_scope) that declines even if not the top intent
    small_talk_confidence: float = 0.50  # P(chitchat or bot_complaint) that makes it small talk …
    faq_classifier_confidence: float = 0.50  # … unless the classifier is this sure of the top FAQ entry
    not_faq_mass: float = 0.10  # P(small talk + out_of_scope) that, above P(top FAQ), rules out an answer
    ranker: RankerConfig = field(default_factory=RankerConfig)


def load_policy(path: Path = POLICY_PATH) -> PolicyConfig:
    """The configured policy; defaults where the file is missing or silent."""
    if not Path(path).exists():
        return PolicyConfig()
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    ranker_keys = {f.name for f in fields(RankerConfig)}
    policy_keys = {f.name for f in fields(PolicyConfig)} - {"ranker"}
    ranker = RankerConfig(**{k: float(v) for k, v in (raw.get("ranker") or {}).items() if k in ranker_keys})
    values = {k: (int(v) if k in ("max_choices", "topic_choices") else float(v))
              for k, v in (raw.get("policy") or {}).items() if k in policy_keys}
    return PolicyConfig(ranker=ranker, **values)


@dataclass(frozen=True)
class Decision:
    kind: str
    faq_ids: List[str]
    score: float = 0.0
    follow_up: bool = False
    talk: str = ""  # the small-talk intent, for SMALL_TALK


def _follow_up(text: str, previous: Optional[FaqEntry], base: FaqBase,
               candidates: Sequence[Candidate], config: PolicyConfig, guess: bool = True) -> List[str]:
    """Entries of the previous answer's category for a short follow-up, best first.

    With aspects ("수수료는요?"): the previous entry if it covers one of them, else the
    entries covering most of them. Without one ("다음엔 안 얼게 하려면요?"), if ``guess``:
    the retriever's best entry of that category.
    """
    if previous is None or not looks_like_follow_up(text):
        return []
    score = {c.faq_id: c.score for c in candidates}
    same_category = sorted((e for e in base.entries if e.category == previous.category),
                           key=lambda e: -score.get(e.id, 0.0))
    asked = detect_aspects(text)
    if any(aspect in previous.aspects for aspect in asked):
        return [previous.id]  # the previous answer already covers it
    coverage = {e.id: sum(aspect in e.aspects for aspect in asked) for e in same_category}
    most = max(coverage.values(), default=0)
    if most:  # the entries covering most of what is asked
        covering = [e.id for e in same_category if coverage[e.id] == most]
        if len(covering) > 1 and score.get(covering[0], 0.0) - score.get(covering[1], 0.0) >= config.answer_margin:
            return covering[:1]  # the retriever clearly prefers one of them
        return covering
    if set(asked) & set(detect_aspects(previous.answer)):
        return [previous.id]  # not declared, but the previous answer speaks of it
    best = same_category[0] if same_category and guess else None
    if best is not None and score.get(best.id, 0.0) >= config.choice_threshold:
        return [best.id]
    return []


_EDGE_NOISE = re.compile(r"^[\W_ㄱ-ㅣ]+|[\W_ㄱ-ㅣ]+$")
_TRAILING_PARTICLE = re.compile(r"(?:은요|는요|이요|요|은|는)$")
_ONE_WORD = re.compile(r"[가-힣A-Za-z0-9]{1,6}")  # longer runs are mostly sentences typed without spaces


def bare_topic(text: str) -> str:
    """The word of a message that is one word and nothing else ("세금", "여권은요?"), or ""."""
    word = _EDGE_NOISE.sub("", text.strip())
    stem = _TRAILING_PARTICLE.sub("", word) or word
    return stem if _ONE_WORD.fullmatch(stem) else ""


def _small_talk(intents: Sequence[Mapping], config: PolicyConfig) -> str:
    """The small-talk intent the classifier is sure enough of, or ""."""
    for item in intents:
        if item.get("name") in names.SMALL_TALK_INTENTS and float(item.get("confidence") or 0) >= config.small_talk_confidence:
            return str(item["name"])
    ranked = [i for i in intents if i.get("name") != "nlu_fallback"]
    if ranked and ranked[0].get("name") in names.SMALL_TALK_INTENTS:
        return str(ranked[0]["name"])
    return ""


def _not_faq_mass(intents: Sequence[Mapping]) -> Dict[str, float]:
    """The classifier's probability of each small-talk intent and of out_of_scope."""
    wanted = names.SMALL_TALK_INTENTS + ("out_of_scope",)
    return {str(i["name"]): float(i.get("confidence") or 0) for i in intents if i.get("name") in wanted}


def _looks_out_of_scope(intents: Sequence[Mapping], config: PolicyConfig) -> bool:
    """The classifier's best real intent is out_of_scope, or it gives it enough probability."""
    ranked = [i for i in intents if i.get("name") != "nlu_fallback"]
    if ranked and ranked[0].get("name") == "out_of_scope":
        return True
    return any(i.get("name") == "out_of_scope" and float(i.get("confidence") or 0) >= config.out_of_scope_confidence
               for i in ranked)


def decide(candidates: Sequence[Candidate], intents: Sequence[Mapping], text: str, base: FaqBase,
           config: PolicyConfig, previous: Optional[FaqEntry] = None) -> Decision:
    """What to do with a question, given the ranked FAQ candidates, the classifier's intent
    ranking (``[{name, confidence}]``) and the conversation context."""
    top = candidates[0] if candidates else None
    top_score = top.score if top else 0.0
    runner_up = candidates[1].score if len(candidates) > 1 else 0.0

    talk = _small_talk(intents, config)
    elsewhere = _not_faq_mass(intents)
    mass = sum(elsewhere.values())
    leans_away = mass >= config.not_faq_mass and (top is None or mass > top.classifier)
    # the top entry is answer-worthy and the classifier agrees
    sure_of_top = (top is not None and top_score >= config.answer_threshold
                   and top.classifier >= config.faq_classifier_confidence)
    # "ㅋㅋ 그렇군요" after an answer is small talk, not a follow-up without an aspect.
    follow_up = _follow_up(text, previous, base, candidates, config, guess=not (talk or leans_away))
    # A question that names its own topic clearly is not read in context.
    strong_other = sure_of_top and top.faq_id not in follow_up and top_score - runner_up >= config.answer_margin
    if follow_up and not strong_other:
        if len(follow_up) == 1:
            return Decision(ANSWER, follow_up, max(top_score, config.answer_threshold), True)
        return Decision(CLARIFY, follow_up[: config.max_choices], top_score, True)

    # An FAQ answer needs a matching topic *and* a sure classifier: "이사해서 피곤해" is small talk.
    if talk and not sure_of_top:
        return Decision(SMALL_TALK, [], top_score, talk=talk)
    # The classifier leans away from every FAQ entry: not an answer, whatever the similarity.
    if leans_away:
        talk = max(elsewhere, key=elsewhere.get)
        if talk in names.SMALL_TALK_INTENTS:
            return Decision(SMALL_TALK, [], top_score, talk=talk)
        return Decision(OUT_OF_SCOPE, [], top_score)
    if top_score < config.answer_threshold and _looks_out_of_scope(intents, config):
        return Decision(OUT_OF_SCOPE, [], top_score)
    if top is None or top_score < config.clarify_threshold:
        return Decision(OFFER_HUMAN, [], top_score)
    if bare_topic(text):  # one word matching several entries: the citizen picks, the bot does not guess
        near = [c.faq_id for c in candidates
                if c.score >= max(config.choice_threshold, top_score - config.topic_spread)]
        if len(near) > 1:
            return Decision(CLARIFY, near[: config.topic_choices], top_score)
    if top_score >= config.answer_threshold and top_score - runner_up >= config.answer_margin:
        return Decision(ANSWER, [top.faq_id], top_score)
    choices = [c.faq_id for c in candidates if c.score >= config.choice_threshold][: config.max_choices]
    if len(choices) == 1 and top_score >= config.answer_threshold:
        return Decision(ANSWER, choices, top_score)
    return Decision(CLARIFY, choices or [top.faq_id], top_score)
