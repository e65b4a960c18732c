"""How a publish makes its model (bot/studio/publish.train): fine-tune the live model, else from scratch.

The two ``rasa train`` runs themselves are exercised by tests/web/test_studio_publish.py; here only
the choice between them, with the command's outcome given."""
import pytest

from bot import settings
from bot.studio import publish


@pytest.fixture
def job(tmp_path, monkeypatch):
    live = tmp_path / "live.tar.gz"
    live.write_bytes(b"model")
    monkeypatch.setattr(settings, "RASA_MODEL", str(live))
    monkeypatch.setattr(publish.versions, "live_model", lambda default, url=None: default)
    return publish.Job(root=tmp_path, models_dir=tmp_path / "models", config=tmp_path / "config.yml")


def runs(monkeypatch, outcomes):
    calls = []

    def fake(work, target, job, extra, log_name):
        calls.append((log_name, extra))
        return outcomes[log_name]

    monkeypatch.setattr(publish, "_rasa_train", fake)
    return calls


def test_the_live_model_is_fine_tuned_when_rasa_accepts(job, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "STUDIO_FINETUNE_EPOCH_FRACTION", 0.05)
    calls = runs(monkeypatch, {"finetune": True, "train": True})
    model, how = publish.train(tmp_path, 7, job)
    assert how == "finetune" and model.name == "v7.tar.gz"
    assert calls == [("finetune", ["--finetune", settings.RASA_MODEL, "--epoch-fraction", "0.05"])]


def test_a_refused_fine_tuning_trains_from_scratch(job, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "STUDIO_FINETUNE_EPOCH_FRACTION", 0.05)
    calls = runs(monkeypatch, {"finetune": False, "train": True})
    assert publish.train(tmp_path, 7, job)[1] == "full"
    assert [name for name, _ in calls] == ["finetune", "train"] and calls[1][1] == []


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_fraction_zero_or_one_always_trains_from_scratch(job, tmp_path, monkeypatch, fraction):
    monkeypatch.setattr(settings, "STUDIO_FINETUNE_EPOCH_FRACTION", fraction)
    calls = runs(monkeypatch, {"finetune": True, "train": True})
    assert publish.train(tmp_path, 7, job)[1] == "full" and [n for n, _ in calls] == ["train"]


def test_a_failed_training_is_a_korean_error(job, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "STUDIO_FINETUNE_EPOCH_FRACTION", 0.05)
    runs(monkeypatch, {"finetune": False, "train": False})
    with pytest.raises(publish.PublishError, match="학습에 실패했어요"):
        publish.train(tmp_path, 7, job)
