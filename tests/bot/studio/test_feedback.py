"""👍/👎 on bot answers, on SQLite and PostgreSQL: one vote per answer, changeable; 👎 is a review item."""
import pytest

from bot.studio import feedback, review
from tests.bot.studio.test_review import bot, outcome, user

EVENTS = [user("여권 수수료 얼마예요 010-1234-5678", "m1"), *outcome("answer", "passport_fee"), bot("[여권] …"),
          user("안녕", "m2"), *outcome("small_talk"), bot("안녕하세요")]


def test_the_rated_answer_is_found_in_the_tracker():
    answer = feedback.rated_answer(EVENTS, "m1")
    assert answer.faq_id == "passport_fee" and answer.question.startswith("여권 수수료 얼마예요")
    assert "1234-5678" not in answer.question
    assert feedback.rated_answer(EVENTS, "m2") is None  # small talk is no answer
    assert feedback.rated_answer(EVENTS, "nope") is None


def test_one_vote_per_answer_that_can_change(database_url):
    answer = feedback.rated_answer(EVENTS, "m1")
    feedback.vote("c-1", "m1", feedback.DOWN, answer)
    assert [(i.source, i.bot_guess) for i in review.open_items()] == [("thumbs_down", "passport_fee")]
    feedback.vote("c-1", "m1", feedback.UP, answer)  # changed the vote: the review item goes
    assert review.open_items() == []
    assert feedback.votes_by_entry() == {"passport_fee": {"up": 1, "down": 0}}
    feedback.vote("c-1", "m1", feedback.DOWN, answer)
    assert feedback.votes_by_entry() == {"passport_fee": {"up": 0, "down": 1}}
    assert len(review.open_items()) == 1
    with pytest.raises(ValueError):
        feedback.vote("c-1", "m1", 5, answer)
