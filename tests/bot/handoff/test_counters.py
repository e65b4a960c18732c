from bot.handoff import counters, tickets


def test_summary_counts_bot_and_agent_resolution(database_url):
    for conversation in ("bot-1", "bot-2", "agent-1"):
        counters.citizen_message(conversation)
    counters.bot_outcome("bot-1", "answer")
    counters.bot_outcome("bot-2", "answer")
    counters.bot_outcome("bot-2", "clarify")
    counters.bot_outcome("agent-1", "offer_human")
    ticket = tickets.claim(tickets.request_handoff("agent-1", [], within_hours=True).id, "kim")
    tickets.close(ticket.id, "kim", "resolved")
    tickets.rate(ticket.id, 4)

    summary = counters.summary()
    assert summary["conversations"] == 3
    assert (summary["resolved_by_bot"], summary["resolved_by_agent"]) == (2, 1)
    assert summary["bot_self_resolution_rate"] == round(2 / 3, 4)
    assert summary["handoff_rate"] == round(1 / 3, 4)
    assert (summary["bot_answers"], summary["bot_clarifications"], summary["bot_fallbacks"]) == (2, 1, 1)
    assert summary["outcomes"] == {"resolved": 1}
    assert summary["wait_seconds"]["count"] == 1 and summary["handling_seconds"]["count"] == 1
    assert summary["satisfaction"]["mean"] == 4 and summary["satisfaction"]["distribution"]["4"] == 1
