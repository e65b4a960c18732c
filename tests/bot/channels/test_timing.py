"""Each message's time breakdown, written by the test stack's Rasa server (RASA_TIMING_FILE)."""
import json
import uuid
from pathlib import Path

from bot.channels.timing import PROCESSOR_STEPS


def test_each_message_gets_its_breakdown_of_steps_and_graph_nodes(servers, chat):
    path = Path(servers.extra_env["RASA_TIMING_FILE"])
    before = len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0
    replies = chat("여권 재발급 수수료가 얼마예요?", sender=f"timing-{uuid.uuid4().hex[:8]}")
    assert replies
    [record] = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[before:]]
    assert set(PROCESSOR_STEPS.values()) <= set(record)
    nodes = {label for label in record if label.startswith("node: ")}
    assert {"node: SpacyNLP", "node: SentenceEmbeddingFeaturizer", "node: DIETClassifier", "node: FaqRetriever",
            "node: MemoizationPolicy", "node: RulePolicy"} <= nodes
    assert record["action: HTTP call to the action server"] > 0
    # the processor's steps follow one another inside the message; the nodes run inside them
    assert 0 < sum(record[step] for step in PROCESSOR_STEPS.values()) <= record["total"]
    nlu_nodes = sum(record[n] for n in ("node: SpacyNLP", "node: SentenceEmbeddingFeaturizer",
                                        "node: DIETClassifier", "node: FaqRetriever"))
    assert nlu_nodes <= record["NLU: whole graph"]
