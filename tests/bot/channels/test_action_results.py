"""Rasa's check of action server responses, with the validator built once: the same verdicts."""
import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot.channels.action_results import _validate_action_result

SPEC = RemoteAction.action_response_format_spec()
VALID = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "faq_id", "value": "passport_fee"}],
     "responses": [{"text": "여권 수수료는 …", "buttons": [{"title": "상담원 연결", "payload": "/request_human"}]}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
]
INVALID = [
    {"events": "slot"},
    {"events": [{"name": "faq_id"}]},  # no "event"
    {"events": [{"event": "slot", "name": "faq_id", "value": "x", "timestamp": "yesterday"}]},
    {"responses": "여권"},
]


@pytest.mark.parametrize("result", VALID)
def test_a_valid_response_passes_as_with_jsonschema_validate(result):
    jsonschema.validate(result, SPEC)
    assert _validate_action_result(RemoteAction("action_answer_faq", None), result) is True


@pytest.mark.parametrize("result", INVALID)
def test_an_invalid_response_fails_as_with_jsonschema_validate(result):
    with pytest.raises(jsonschema.ValidationError) as expected:
        jsonschema.validate(result, SPEC)
    with pytest.raises(jsonschema.ValidationError) as ours:
        _validate_action_result(RemoteAction("action_answer_faq", None), result)
    assert ours.value.message.startswith(expected.value.message)
    assert "Failed to validate Action server response" in ours.value.message
