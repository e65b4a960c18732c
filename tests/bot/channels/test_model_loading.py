"""The trained model loaded without Rasa's building step predicts exactly as Rasa's own loading."""
import json
import subprocess
import sys

from bot import settings

PROBE = """
import asyncio, json, sys
from bot.channels.serve import import_thinc_without_torch
import_thinc_without_torch()
if sys.argv[1] == "ours":
    from bot.channels import model_loading
    model_loading.install()
from rasa.core.agent import Agent
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
agent = Agent.load(sys.argv[2])
out = []
for text in json.loads(sys.argv[3]):
    parse = asyncio.run(agent.parse_message(text))
    tracker = DialogueStateTracker.from_events("t", [ActionExecuted("action_listen"), UserUttered(text, parse_data=parse)],
                                               slots=agent.domain.slots)
    prediction = agent.processor.predict_next_with_tracker(tracker)
    out.append({"intents": [[i["name"], round(i["confidence"], 6)] for i in parse["intent_ranking"]],
                "faq": [[c["faq_id"], round(c["score"], 6)] for c in parse.get("faq_ranking") or []],
                "action": [prediction["policy"], round(prediction["confidence"], 6)]})
print(json.dumps(out))
"""
TEXTS = ["수도 계량기가 얼었어요", "여권 재발급 수수료 얼마예요?", "상담원 연결해 주세요", "안녕하세요",
         "자동차세 연납하면 얼마나 할인돼요", "오늘 날씨 어때", "대형폐기물 스티커는 어디서 사요"]


def _predictions(loading: str) -> list:
    done = subprocess.run([sys.executable, "-c", PROBE, loading, settings.RASA_MODEL, json.dumps(TEXTS)],
                          cwd=settings.PROJECT_ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_predictions_equal_rasas_own_loading():
    ours, rasas = _predictions("ours"), _predictions("rasa")
    assert [p["intents"][0][0] for p in ours] == [p["intents"][0][0] for p in rasas]
    assert ours == rasas
