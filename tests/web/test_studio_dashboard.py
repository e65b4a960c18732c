"""The dashboard routes over the real web app: JSON, CSV, roles and bad input."""
import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
from sqlalchemy import update

from bot.handoff import counters, tickets
from bot.storage.db import session_scope
from bot.storage.models import AnswerEvent, ConversationRecord, HandoffTicket, ReviewItem
from bot.studio import analytics, review

pytestmark = pytest.mark.server
PERIOD = {"from": "2021-03-01", "to": "2021-03-02"}
NOON_MARCH_1 = datetime(2021, 3, 1, 3, 0, tzinfo=timezone.utc)  # 12:00 in Seoul
FORMULA = '=HYPERLINK("http://example.invalid","클릭")'


@pytest.fixture(scope="module")
def seeded(accounts):
    """Two conversations and one handoff on 2021-03-01 (Seoul) in the servers' database."""
    run = uuid.uuid4().hex[:8]
    answered, missed = f"dash-a-{run}", f"dash-b-{run}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("bot.settings.DATABASE_URL", accounts.database_url)
        for conversation, outcome, faq_id, category in ((answered, "answer", "flu_vaccine", "health"),
                                                        (missed, "unsure", None, None)):
            counters.citizen_message(conversation)
            counters.bot_outcome(conversation, outcome)
            analytics.record_outcome(conversation, outcome, faq_id, category)
        ticket = tickets.claim(tickets.request_handoff(missed, [], within_hours=True).id, "kim")
        tickets.close(ticket.id, "kim", "resolved")
        tickets.rate(ticket.id, 4)
        review.record(missed, FORMULA, review.FALLBACK)
        with session_scope() as s:
            for model, column in ((ConversationRecord, "started_at"), (AnswerEvent, "created_at"),
                                  (ReviewItem, "created_at")):
                s.execute(update(model).where(model.conversation_id.in_([answered, missed]))
                          .values({column: NOON_MARCH_1}))
            s.execute(update(HandoffTicket).where(HandoffTicket.id == ticket.id).values(
                created_at=NOON_MARCH_1, assigned_at=NOON_MARCH_1 + timedelta(seconds=12),
                closed_at=NOON_MARCH_1 + timedelta(seconds=312)))
    return accounts


def test_the_dashboard_of_a_period(seeded, agent_factory):
    editor = agent_factory("editor")
    report = editor.get("/studio/api/dashboard", params=PERIOD).json()
    assert report["period"] == {**PERIOD, "timezone": "Asia/Seoul"}
    assert report["per_day"] == [{"date": "2021-03-01", "conversations": 2, "handoffs": 1},
                                 {"date": "2021-03-02", "conversations": 0, "handoffs": 0}]
    kpis = report["kpis"]
    assert (kpis["conversations"], kpis["resolved_by_bot"], kpis["handoff_rate"], kpis["fallback_rate"]) == (
        2, 1, 0.5, 0.5)
    assert report["top_entries"][0]["faq_id"] == "flu_vaccine" and report["top_categories"][0]["category"] == "health"
    assert report["city_ranking"][0] == {"city_rank": 1, "category": "health", "label": "보건·예방접종",
                                         "our_rank": 1, "our_answers": 1}
    assert report["unanswered"][0]["count"] == 1 and report["unanswered"][0]["sample"] == FORMULA
    cc = report["call_center"]
    assert (cc["requested"], cc["taken"], cc["answer_rate"], cc["service_level"]) == (1, 1, 1.0, 1.0)
    assert (cc["wait_seconds"]["mean"], cc["handling_seconds"]["mean"]) == (12.0, 300.0)
    assert report["csat"]["mean"] == 4 and report["csat"]["satisfied_rate"] == 1.0
    strict = editor.get("/studio/api/dashboard", params={**PERIOD, "sl": "10"}).json()["call_center"]
    assert (strict["service_level_seconds"], strict["service_level"]) == (10, 0.0)
    default = editor.get("/studio/api/dashboard").json()
    assert len(default["per_day"]) == counters.DEFAULT_PERIOD_DAYS


def test_csv_export_opens_in_a_spreadsheet(seeded, agent_factory):
    answer = agent_factory("boss").get("/studio/api/dashboard.csv", params=PERIOD)
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"] == 'attachment; filename="dashboard-2021-03-01-2021-03-02.csv"'
    assert answer.content.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    daily = rows.index(["[일별 대화]"])
    assert rows[daily + 1:daily + 4] == [["날짜", "대화 수", "상담원 연결"], ["2021-03-01", "2", "1"],
                                         ["2021-03-02", "0", "0"]]
    assert ["자체처리율", "50.0%"] in rows and ["응대율", "100.0%"] in rows
    assert ["서비스레벨(20초 이내)", "100.0%"] in rows
    city = rows.index(["[시 콜센터 순위와 비교]"])
    assert rows[city + 2] == ["1", "보건·예방접종", "1", "1"]
    missed = rows[rows.index(["[답하지 못한 질문 묶음]"]) + 2]
    assert missed[2] == "'" + FORMULA  # a citizen's text never runs as a spreadsheet formula


def test_only_content_staff_and_admins_see_it(seeded, agent_factory):
    agent = agent_factory("kim")
    for path in ("/studio/api/dashboard", "/studio/api/dashboard.csv"):
        assert agent.get(path).status_code == 403
        assert requests.get(f"{seeded.web_url}{path}", timeout=30).status_code == 401
        assert agent_factory("boss").get(path).status_code == 200


@pytest.mark.parametrize("params, message", [
    ({"from": "어제"}, "YYYY-MM-DD"),
    ({"from": "2021-03-02", "to": "2021-03-01"}, "시작일이 종료일보다 늦어요"),
    ({"from": "2020-01-01", "to": "2021-03-01"}, "366일"),
    ({"sl": "스무"}, "초 단위"),
    ({"sl": "0"}, "1초에서"),
    ({"sl": "99999999"}, "1초에서"),
])
def test_bad_input_gets_a_polite_korean_error(seeded, agent_factory, params, message):
    editor = agent_factory("editor")
    for path in ("/studio/api/dashboard", "/studio/api/dashboard.csv"):
        answer = editor.get(path, params=params)
        assert answer.status_code == 400 and message in answer.json()["error"]
