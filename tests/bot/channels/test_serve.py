"""The Rasa server's start-up: no torch unless the pipeline runs it, the model warmed up first."""
import subprocess
import sys

import requests

from bot import settings

PROBE = """
import sys
from bot.channels.serve import import_thinc_without_torch
import_thinc_without_torch()
import thinc.compat
assert not thinc.compat.has_torch, "thinc imported torch"
assert "torch" not in sys.modules
import spacy  # spaCy's import goes through thinc without torch too
assert "torch" not in sys.modules
import torch  # still there for whoever asks for it directly
print(torch.tensor([1.0]).sum().item())
"""


def test_thinc_is_imported_without_torch_and_torch_stays_importable():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=settings.PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1.0"


def test_the_running_rasa_server_has_not_loaded_torch(servers):
    maps = open(f"/proc/{servers.processes['rasa'].pid}/maps").read()
    assert "onnxruntime" in maps  # the encoder of config.yml's `backend: onnx`
    assert "libtorch" not in maps


def test_the_model_was_warmed_up_on_a_conversation_that_is_not_stored(servers):
    """The warm-up runs in Rasa's start-up listener, before the server takes a connection."""
    assert "model warmed up in" in (servers.log_dir / "rasa.log").read_text(errors="replace")
    tracker = requests.get(f"{servers.rasa_url}/conversations/warm-up/tracker", params={"token": servers.token},
                           timeout=30).json()
    assert not [e for e in tracker["events"] if e["event"] == "user"]
