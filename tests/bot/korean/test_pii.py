import logging

import pytest

from bot.korean.pii import PiiMaskingFilter, find_pii, mask_pii


@pytest.mark.parametrize("text, expected", [
    ("제 주민번호는 900101-1234567 이에요", "제 주민번호는 ******-******* 이에요"),
    ("주민등록번호 9001012234567", "주민등록번호 ******-*******"),
    ("외국인등록번호 850315-5123456", "외국인등록번호 ******-*******"),
    ("010-1234-5678로 연락주세요", "010-****-5678로 연락주세요"),
    ("01012345678", "010-****-5678"),
    ("010 1234 5678", "010-****-5678"),
    ("집 전화 031-123-4567", "집 전화 031-****-4567"),
    ("서울 02-1234-5678", "서울 02-****-5678"),
    ("카드 1234-5678-9012-3456 결제", "카드 ****-****-****-3456 결제"),
    ("카드 4111 1111 1111 1111", "카드 ****-****-****-1111"),
    ("4111111111111111", "****-****-****-1111"),
    ("메일 hong.gildong@example.com 로", "메일 h***@example.com 로"),
])
def test_masks_personal_data(text, expected):
    assert mask_pii(text) == expected


@pytest.mark.parametrize("text", [
    "콜센터 1588-1234 로 전화하세요",  # business number, not personal
    "정부민원안내콜센터 110",
    "자동차세 연납 2024년 1월 31일까지",
    "25L 종량제봉투 1,250원",
    "접수번호 20241129",
    "1234567890123",  # 13 digits, no valid date, fails Luhn
])
def test_leaves_other_numbers(text):
    assert mask_pii(text) == text


def test_spans_do_not_overlap_and_are_ordered():
    text = "010-1111-2222 그리고 900101-1234567, 카드 1234-5678-9012-3456"
    spans = find_pii(text)
    assert [s.kind for s in spans] == ["phone", "rrn", "card"]
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_log_filter_masks_formatted_message():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "citizen said %s", ("010-9999-8888",), None)
    PiiMaskingFilter().filter(record)
    assert record.getMessage() == "citizen said 010-****-8888"
