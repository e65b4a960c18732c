import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

ROOT = Path(__file__).resolve().parents[2]
TRACKERS = ROOT / "tests" / "data" / "trackers"


@pytest.fixture(scope="session")
def domain():
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def run_action(domain):
    """Run an action on a tracker fixture from tests/data/trackers/: (messages, events)."""

    def run(action, fixture: str):
        tracker = Tracker.from_dict(json.loads((TRACKERS / f"{fixture}.json").read_text(encoding="utf-8")))
        dispatcher = CollectingDispatcher()
        events = action.run(dispatcher, tracker, domain)
        return dispatcher.messages, events

    return run


def slots(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
