"""Checks of an FAQ entry or a city fact before its draft is saved, with Korean messages.

Each problem is ``{"field", "message", "level"}``; ``level`` "error" stops the save (the route
answers 422), "warning" is shown next to the field but the draft is saved. The slower check —
does the live model rank an example nearer to another entry? — takes the model's answers from
the caller (:func:`ranking_problems`), so this module needs no network.
"""
from __future__ import annotations

import datetime
import re
from typing import Collection, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.faq.base import ASPECTS, UNVERIFIED, FaqBase
from bot.faq.lint import FORMAL_ENDING, MIN_EXAMPLES
from bot.korean.josa import particle_for
from bot.korean.normalize import matching_key

#: the longest answers today are about 420 characters; past this a chat bubble needs scrolling
MAX_ANSWER_CHARS = 500
MAX_QUESTION_CHARS = 150
MAX_EXAMPLE_CHARS = 200
MAX_FACT_CHARS = 300
NEW_ID = re.compile(r"^[a-z][a-z0-9_]{2,59}$")
FACT_KEY = re.compile(r"^[a-z][a-z0-9_]{1,59}$")
_BRACES = re.compile(r"\{([^{}\n]*)\}")
#: URLs and phone numbers belong in data/city.yml (tests/bot/faq/test_base.py holds answers to it)
URL_OR_PHONE = re.compile(r"(www\.|https?://|\.go\.kr|\.or\.kr|(?<!\d)\d{2,4}-\d{3,4}-\d{4}(?!\d)|(?<!\d)1[0-9]{3}-\d{4}(?!\d))")

Problem = Dict[str, str]


def _error(field: str, message: str) -> Problem:
    return {"field": field, "message": message, "level": "error"}


def _warning(field: str, message: str) -> Problem:
    return {"field": field, "message": message, "level": "warning"}


def _q(text: str, particle: str) -> str:
    """``'text'`` and the particle that fits it: _q("여권", "는") → "'여권'은"."""
    return f"'{text}'{particle_for(text, particle)}"


def errors(problems: Sequence[Problem]) -> List[Problem]:
    return [p for p in problems if p["level"] == "error"]


def _texts(value) -> List[str]:
    if isinstance(value, str):
        value = [value]
    return [str(v).strip() for v in value or [] if str(v).strip()]


def _answer_problems(answer: str, facts: Collection[str]) -> List[Problem]:
    problems = []
    if not answer:
        return [_error("answer", "답변을 입력해 주세요.")]
    for name in dict.fromkeys(_BRACES.findall(answer)):
        if name not in facts:
            problems.append(_error("answer", f"{_q('{' + name + '}', '는')} 도시 정보에 없는 이름이에요. "
                                             "도시 정보 표에 있는 키만 {키} 형태로 쓸 수 있어요."))
    contact = URL_OR_PHONE.search(answer)
    if contact:
        problems.append(_error("answer", f"{_q(contact.group(0), '는')} 답변에 직접 쓰지 말고 도시 정보에 넣은 뒤 "
                                         "{키}로 써 주세요. 바뀌면 한 곳만 고치면 돼요."))
    if UNVERIFIED in answer:
        problems.append(_error("answer", f"답변에 {_q(UNVERIFIED, '를')} 직접 쓰지 말고 도시 정보의 {{키}}를 써 주세요."))
    if len(answer) > MAX_ANSWER_CHARS:
        problems.append(_error("answer", f"답변이 {len(answer)}자예요. 채팅 말풍선에 맞게 "
                                         f"{MAX_ANSWER_CHARS}자 이하로 줄여 주세요."))
    formal = FORMAL_ENDING.search(answer)
    if formal:
        problems.append(_warning("answer", f"{_q(formal.group(0).strip(), '는')} 합쇼체예요. 답변은 해요체로 써 주세요."))
    return problems


def _date_problems(value, today: datetime.date) -> List[Problem]:
    try:
        as_of = datetime.date.fromisoformat(str(value or "").strip())
    except ValueError:
        return [_error("as_of", "확인 날짜를 YYYY-MM-DD 형식으로 입력해 주세요.")]
    if as_of > today:
        return [_error("as_of", "확인 날짜가 오늘보다 뒤예요. 내용을 확인한 날짜를 입력해 주세요.")]
    return []


def _example_problems(faq_id: str, question: str, examples: List[str],
                      others: Mapping[str, Sequence[str]]) -> List[Problem]:
    problems = []
    if len(set(examples)) < MIN_EXAMPLES:
        problems.append(_warning("examples", f"예문이 {len(set(examples))}개예요. 답을 잘 찾으려면 "
                                             f"{MIN_EXAMPLES}개 이상이 좋아요."))
    owner: Dict[str, str] = {}
    for other_id, phrasings in others.items():
        if other_id != faq_id:
            for text in phrasings:
                owner.setdefault(matching_key(text), other_id)
    seen = set()
    for text in [question] + examples:
        key = matching_key(text)
        if key in owner:
            field = "question" if text == question else "examples"
            problems.append(_error(field, f"{_q(text, '는')} 다른 항목({owner[key]})에도 있어요. "
                                          "같은 문장이 두 항목에 있으면 챗봇이 헷갈려요."))
        elif key in seen and text != question:
            problems.append(_warning("examples", f"{_q(text, '가')} 이 항목에 두 번 있어요."))
        seen.add(key)
    for text in examples:
        if len(text) > MAX_EXAMPLE_CHARS:
            problems.append(_error("examples", f"예문은 {MAX_EXAMPLE_CHARS}자 이하로 써 주세요: '{text[:30]}…'"))
    return problems


def check_entry(payload: Mapping, base: FaqBase, others: Mapping[str, Sequence[str]], *,
                creating: bool = False, taken_ids: Collection[str] = (), retired_ids: Collection[str] = (),
                categories: Collection[str] = (), today: Optional[datetime.date] = None) -> List[Problem]:
    """Every problem of an entry ``payload`` (the whole entry plus ``category``).

    ``others``: every other entry's phrasings (question and examples) by id, drafts included;
    ``taken_ids``: ids of live and drafted entries; ``retired_ids``: ids never to be reused.
    """
    today = today or datetime.date.today()
    faq_id = str(payload.get("id") or "").strip()
    question = str(payload.get("question") or "").strip()
    problems: List[Problem] = []
    if creating:
        if not NEW_ID.match(faq_id):
            problems.append(_error("id", "ID는 영어 소문자로 시작하고 소문자·숫자·밑줄(_)만 써서 3~60자로 "
                                         "만들어 주세요. 예: passport_lost"))
        elif faq_id in retired_ids:
            problems.append(_error("id", f"{_q(faq_id, '는')} 폐지된 항목의 ID예요. 다른 ID를 써 주세요."))
        elif faq_id in taken_ids:
            problems.append(_error("id", f"{_q(faq_id, '는')} 이미 있는 ID예요. 다른 ID를 써 주세요."))
    if not question:
        problems.append(_error("question", "질문을 입력해 주세요."))
    elif len(question) > MAX_QUESTION_CHARS:
        problems.append(_error("question", f"질문은 {MAX_QUESTION_CHARS}자 이하로 써 주세요."))
    problems += _answer_problems(str(payload.get("answer") or "").strip(), base.city.facts)
    if str(payload.get("category") or "") not in categories:
        problems.append(_error("category", "분류를 목록에서 골라 주세요."))
    if str(payload.get("department") or "") not in base.city.departments:
        problems.append(_error("department", "담당 부서를 목록에서 골라 주세요."))
    unknown = [a for a in _texts(payload.get("aspects")) if a not in ASPECTS]
    if unknown:
        problems.append(_error("aspects", f"알 수 없는 답변 요소예요: {', '.join(unknown)}"))
    problems += _date_problems(payload.get("as_of"), today)
    if not _texts(payload.get("source")):
        problems.append(_error("source", "내용의 근거(법령이나 공식 누리집)를 하나 이상 적어 주세요."))
    problems += _example_problems(faq_id, question, _texts(payload.get("examples")), others)
    return problems


def check_fact(key: str, payload: Mapping, known: Collection[str], creating: bool = False) -> List[Problem]:
    """Problems of a city fact draft ``{value, verified, note}``."""
    problems: List[Problem] = []
    value = str(payload.get("value") or "").strip()
    if creating and not FACT_KEY.match(key):
        problems.append(_error("key", "키는 영어 소문자로 시작하고 소문자·숫자·밑줄(_)만 써 주세요."))
    elif creating and key in known:
        problems.append(_error("key", f"{_q(key, '는')} 이미 있는 키예요."))
    elif not creating and key not in known:
        problems.append(_error("key", "없는 도시 정보예요."))
    if len(value) > MAX_FACT_CHARS:
        problems.append(_error("value", f"값은 {MAX_FACT_CHARS}자 이하로 써 주세요."))
    if payload.get("verified") is True:
        if not value:
            problems.append(_error("value", "값이 비어 있으면 '확인함'으로 표시할 수 없어요."))
        elif UNVERIFIED in value:
            problems.append(_error("value", f"값에 {_q(UNVERIFIED, '가')} 있으면 '확인함'으로 표시할 수 없어요."))
    return problems


def ranking_problems(faq_id: str, parses: Sequence[Tuple[str, Mapping]], base: FaqBase) -> List[Problem]:
    """Warnings for examples the live model ranks nearer to another entry than to ``faq_id``.

    ``parses``: (example, Rasa ``/model/parse`` result) pairs; each result's ``faq_ranking`` is
    ``[{faq_id, score, …}]``, best first.
    """
    problems = []
    for text, parse in parses:
        ranking = [r for r in parse.get("faq_ranking") or [] if r.get("faq_id")]
        if not ranking or ranking[0]["faq_id"] == faq_id:
            continue
        top = ranking[0]
        own = next((r for r in ranking if r["faq_id"] == faq_id), None)
        other = base.get(str(top["faq_id"]))
        own_score = f"{float(own['score']):.2f}" if own else "순위 밖"
        problems.append({**_warning("examples", f"예문 {_q(text, '를')} 지금 모델은 다른 항목 "
                                                f"'{other.question if other else top['faq_id']}'"
                                                f"({top['faq_id']}, 점수 {float(top['score']):.2f})에 더 가깝게 봐요. "
                                                f"이 항목 점수는 {own_score}예요."),
                         "example": text, "nearer": str(top["faq_id"]),
                         "nearer_score": round(float(top["score"]), 3),
                         "own_score": round(float(own["score"]), 3) if own else None})
    return problems
