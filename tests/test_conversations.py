"""Rasa's own checks on the data and on whole conversations, with the trained model."""
import os
import subprocess
import sys

from bot import settings

ROOT = settings.PROJECT_ROOT
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONWARNINGS": "ignore"}


def rasa(*args: str, cwd=ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rasa", *args], cwd=cwd, env=ENV, capture_output=True,
                          text=True, timeout=1200)


def test_rasa_data_validate():
    result = rasa("data", "validate")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def test_conversation_stories_predict_without_errors(tmp_path):
    result = rasa("test", "core", "--stories", "tests/test_stories.yml", "--model", settings.RASA_MODEL,
                  "--fail-on-prediction-errors", "--out", str(tmp_path), "--no-plot")
    failed = (tmp_path / "failed_test_stories.yml")
    detail = failed.read_text(encoding="utf-8") if failed.exists() else result.stdout[-3000:]
    assert result.returncode == 0, detail
