"""Content checks: the real FAQ base passes them, and each check catches its fault."""
import datetime

import pytest

from bot.faq.base import CityFacts, Department, FaqEntry, load_faq_base
from bot.faq.lint import MIN_EXAMPLES, content_problems, entry_problems

TODAY = datetime.date(2026, 11, 29)
CITY = CityFacts(False, {"hours": "확인 필요", "office": "시청 민원실"},
                 {"d": Department("d", "민원 담당 부서", "확인 필요")})
GOOD = dict(id="x", category="c", category_label="씨", question="질문?", department="d", keywords=(),
            aspects=(), examples=tuple(f"예문 {i}" for i in range(MIN_EXAMPLES)), as_of="2026-11-01",
            sources=("법령",), answer="신분증을 가지고 민원실({office})에 가서 신청해요.\n수수료는 1,000원이에요.")


def problems(**changes):
    return entry_problems(FaqEntry(**{**GOOD, **changes}), CITY, TODAY)


def test_the_faq_base_passes_every_content_check():
    assert content_problems(load_faq_base()) == []


def test_sources_and_dates_are_on_every_entry():
    for entry in load_faq_base().entries:
        assert entry.sources and entry.as_of, entry.id


def test_a_good_entry_has_no_problem():
    assert problems() == []


@pytest.mark.parametrize("changes, fault", [
    (dict(answer="신청 방법은 확인 필요에서 확인해 주세요. 서류를 챙겨 오세요."), "says '확인 필요'"),
    (dict(answer="시청에서 신청하실 수 있습니다. 서류를 꼭 챙겨 오세요."), "합쇼체"),
    (dict(answer="언제든 문의하십시오. 서류를 꼭 챙겨 오세요 그럼 되어요."), "합쇼체"),
    (dict(answer="{hours}"), "characters"),
    (dict(answer="운영 시간은 {hours}이고, 서류를 꼭 챙겨서 오시면 돼요.\n{office}"), "characters"),
    (dict(as_of="2027-01-01"), "future"),
    (dict(examples=("하나", "둘")), "examples"),
])
def test_each_fault_is_caught(changes, fault):
    found = problems(**changes)
    assert any(fault in p for p in found), found
