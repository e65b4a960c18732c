import logging
import re
from pathlib import Path

import pytest
import yaml

from bot.korean.pii import PiiMaskingFilter, find_pii, fold, mask_pii

ROOT = Path(__file__).resolve().parents[3]
CORPUS = yaml.safe_load((ROOT / "tests/data/pii_corpus.yml").read_text(encoding="utf-8"))


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
    # formats added after the security review
    ("+82 10-9876-5432 로 연락", "010-****-5432 로 연락"),
    ("+821098765432", "010-****-5432"),
    ("+82 2-1234-5678", "02-****-5678"),
    ("０１０－１２３４－５６７８ 이에요", "010-****-5678 이에요"),
    ("010–1234–5678", "010-****-5678"),
    ("(010) 1234-5678", "010-****-5678"),
    ("(031)123-4567", "031-****-4567"),
    ("0505-123-4567", "0505-****-4567"),
    ("0505-1234-5678", "0505-****-5678"),
    ("050512345678", "0505-****-5678"),
    ("080-123-4567", "080-****-4567"),
    ("제번호는01012345678이에요", "제번호는010-****-5678이에요"),
    ("아멕스 3782 822463 10005", "아멕스 ****-****-****-0005"),
    ("여권 M98765432", "여권 M********"),
    ("여권 m123a4567 이요", "여권 m******** 이요"),
    ("계좌 123456-01-654321 로", "계좌 ***-****21 로"),
    ("110-123-456789", "***-****89"),
    ("국민은행 12345678901234", "국민은행 ***-****34"),
    ("123456-1234567", "***-****67"),
    ("홍길동@example.com", "홍***@example.com"),
    ("메일 홍길동@회사.한국으로 주세요", "메일 홍***@회사.한국으로 주세요"),
    ("ㅋㅋㅋㅠㅠ 010-1234-5678 ㅋㅋㅋ", "ㅋㅋㅋㅠㅠ 010-****-5678 ㅋㅋㅋ"),
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


# --- fold -------------------------------------------------------------------------------------

def test_fold_is_length_preserving_and_only_for_matching():
    text = "０１０－１２３４—５６７８\u3000ｈｏｎｇ＠ｘ．ｃｏｍ ﹫ ٣ ㅋㅋㅋㅠㅠ\t가"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded == "010-1234-5678 hong@x.com @ 3 ㅋㅋㅋㅠㅠ 가"
    assert mask_pii("ㅋㅋㅋㅠㅠ ＡＢＣ １２월") == "ㅋㅋㅋㅠㅠ ＡＢＣ １２월"


# --- corpus -----------------------------------------------------------------------------------

ITEMS = CORPUS["items"]


MASK_FORMS = {
    "rrn": r"\*{6}-\*{7}",
    "card": r"\*{4}-\*{4}-\*{4}-\d{4}",
    "phone": r"0\d{1,3}-\*{4}-\d{4}",
    "email": r"\S\*{3}@\S+",
    "passport": r"[MSRODGmsrodg]\*{8}",
    "account": r"\*{3}-\*{4}\d{2}",
}


def _masked_shape(text, spans):
    """A regex the masked text must match: every gap between spans verbatim, a mask in each span."""
    out, cursor = [], 0
    for span in spans:
        out.append(re.escape(text[cursor:span.start]))
        out.append(f"(?:{MASK_FORMS[span.kind]})")
        cursor = span.end
    out.append(re.escape(text[cursor:]))
    return "".join(out)


def test_corpus_is_large_and_covers_every_kind():
    assert len(ITEMS) >= 200 and len(CORPUS["keep"]) >= 60
    assert {item["kind"] for item in ITEMS} == {"rrn", "card", "phone", "email", "passport", "account"}
    for item in ITEMS:
        assert item["value"] in item["text"], item


@pytest.mark.parametrize("item", ITEMS, ids=[f"{i:03d}-{it['kind']}" for i, it in enumerate(ITEMS)])
def test_corpus_item_is_masked(item):
    text, value = item["text"], item["value"]
    masked = mask_pii(text)
    assert value not in masked
    assert fold(value) not in masked and fold(value) not in fold(masked)
    digits = re.sub(r"\D", "", fold(value))
    if len(digits) >= 8:
        assert digits not in fold(masked) and digits not in re.sub(r"[-.\s]", "", fold(masked))

    spans = find_pii(text)
    at = text.index(value)
    covering = [s for s in spans if s.start <= at and at + len(value) <= s.end]
    assert [s.kind for s in covering] == [item["kind"]], spans
    # outside the spans nothing changed, inside each span there is a mask of its kind
    assert re.fullmatch(_masked_shape(text, spans), masked, re.S), (masked, spans)


@pytest.mark.parametrize("item", ITEMS[::7], ids=lambda it: it["kind"])
def test_masking_is_idempotent(item):
    once = mask_pii(item["text"])
    assert mask_pii(once) == once


@pytest.mark.parametrize("text", CORPUS["keep"])
def test_keep_sentences_are_unchanged(text):
    assert find_pii(text) == []
    assert mask_pii(text) == text


def test_find_pii_offsets_point_into_the_original_text():
    texts = [item["text"] for item in ITEMS]
    joined = " / ".join(texts[:40])
    spans = find_pii(joined)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
    masked = mask_pii(joined)
    for item in ITEMS[:40]:
        assert item["value"] not in masked
    for text in texts:
        for span in find_pii(text):
            assert 0 <= span.start < span.end <= len(text)
            original = text[span.start:span.end]
            assert fold(original) == fold(text)[span.start:span.end]
            # the span starts and ends on the personal data itself, not on surrounding Hangul
            assert re.match(r"[\w(+]", fold(original)[0]) and re.search(r"[\w)*]$", fold(original))


# --- what the bot trains on and is evaluated on ---------------------------------------------

def _training_and_heldout_phrasings():
    phrasings = []
    for path in sorted((ROOT / "data/faq").glob("*.yml")):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")).get("entries") or []:
            phrasings += [(path.name, str(e)) for e in entry.get("examples") or []]
    for path in sorted((ROOT / "data/nlu").glob("*.yml")):
        in_examples = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("examples:"):
                in_examples = True
            elif in_examples and line.startswith("    - "):
                phrasings.append((path.name, line[len("    - "):]))
            elif not line.startswith("    "):
                in_examples = False
    heldout = yaml.safe_load((ROOT / "tests/data/heldout.yml").read_text(encoding="utf-8"))
    phrasings += [("heldout.yml", str(item["text"])) for item in heldout["items"]]
    return phrasings


def test_training_and_heldout_phrasings_are_not_masked():
    phrasings = _training_and_heldout_phrasings()
    assert len(phrasings) > 500
    changed = [(name, text, mask_pii(text)) for name, text in phrasings if mask_pii(text) != text]
    assert changed == []
