"""What a message becomes before it is kept: cleaned, masked, capped — lines kept for agents."""
from bot.conversation.text import prepare_text


def test_citizen_text_is_one_line():
    assert prepare_text("여권  수수료\n얼마예요?") == "여권 수수료 얼마예요?"


def test_an_agents_reply_keeps_its_lines_masked_and_cleaned():
    text = "안녕하세요.\r\n\r\n\r\n\r\n준비물:\n-  신분증\u200b\n- 번호 010-1234-5678  \n"
    assert prepare_text(text, max_chars=2000, keep_lines=True) == \
        "안녕하세요.\n\n준비물:\n- 신분증\n- 번호 010-****-5678"
    assert prepare_text(" \n \n", keep_lines=True) == ""
