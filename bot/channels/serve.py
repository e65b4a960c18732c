"""Start the Rasa server on its private interface (``python -m bot.channels.serve``).

Like ``rasa run --enable-api``, but the API token comes from the environment or the
secret file (``bot.keys``), never from the command line, where every local user could
read it; the interface is ``RASA_HOST`` (loopback by default). Also: torch is not imported
unless the pipeline runs it, TensorFlow models load without Rasa's building step
(``bot.channels.model_loading``), the model is warmed up before the server takes a connection
(``bot.channels.warm_up``), the SQLite tracker store keeps its connections
(``bot.channels.tracker_store``), action responses are checked with one cached validator
(``bot.channels.action_results``), and ``RASA_TIMING_FILE`` turns on the per-message time
breakdown (``bot.channels.timing``).
"""
from __future__ import annotations

import argparse
import sys
from typing import List, Optional

from bot import keys, settings


def rasa_arguments(model: str, endpoints: str, port: int, host: str, token: str) -> List[str]:
    return ["rasa", "run", "--model", model, "--endpoints", endpoints, "--credentials", "credentials.yml",
            "--interface", host, "--port", str(port), "--enable-api",
            f"--auth-token={token}"]  # one argument: a token may begin with "-"


def import_thinc_without_torch() -> None:
    """Import thinc (spaCy's machine-learning layer) with its optional PyTorch support off.

    thinc imports torch when it is installed, only to offer PyTorch layers, which this
    pipeline's spaCy model (Kiwi tokens and an EntityRuler) does not have: that import alone
    holds about 640 MB of the Rasa server's memory (the CUDA build's libraries). torch stays
    importable for whatever asks for it directly afterwards (``backend: torch`` in config.yml).
    """
    if "thinc.compat" in sys.modules or "torch" in sys.modules:
        return
    sys.modules["torch"] = None  # type: ignore[assignment]  # makes `import torch` fail, once
    try:
        import thinc.compat  # noqa: F401
    finally:
        del sys.modules["torch"]


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=settings.RASA_MODEL)
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--port", type=int, default=settings.RASA_PORT)
    parser.add_argument("--host", default=settings.RASA_HOST)
    args = parser.parse_args(argv)
    import_thinc_without_torch()
    import rasa.__main__

    from bot.channels import action_results, model_loading, tracker_store, warm_up

    model_loading.install()
    warm_up.install()
    tracker_store.pool_sqlite_connections()
    action_results.install()
    if settings.RASA_TIMING_FILE:
        from bot.channels import timing

        timing.install(settings.RASA_TIMING_FILE)
    sys.argv = rasa_arguments(args.model, args.endpoints, args.port, args.host, keys.rasa_api_token())
    rasa.__main__.main()


if __name__ == "__main__":
    main()
