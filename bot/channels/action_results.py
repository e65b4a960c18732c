"""Rasa checks each action server response against a JSON schema; here with a validator built once.

Rasa 3.6 calls ``jsonschema.validate`` for every custom action call, which first validates the
schema itself against JSON Schema's meta-schema: 4.6 ms of the Rasa server's time a message on
2 cores, against 0.9 ms with one validator kept for the process (docs/benchmarks.md, "Where a
message's time goes"). The check and its error are the same.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Text


@functools.lru_cache(maxsize=1)
def _validator():
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self, result: Dict[Text, Any]) -> bool:
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (
            ". Failed to validate Action server response from API, make sure your response from the "
            f"Action endpoint is valid. For more information about the format visit {DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    """Make Rasa's ``RemoteAction`` validate responses with the cached validator."""
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = _validate_action_result
