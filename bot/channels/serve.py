"""Start the Rasa server on its private interface (``python -m bot.channels.serve``).

Like ``rasa run --enable-api``, but the API token comes from the environment or the
secret file (``bot.keys``), never from the command line, where every local user could
read it; the interface is ``RASA_HOST`` (loopback by default).
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


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=settings.RASA_MODEL)
    parser.add_argument("--endpoints", default="endpoints.yml")
    parser.add_argument("--port", type=int, default=settings.RASA_PORT)
    parser.add_argument("--host", default=settings.RASA_HOST)
    args = parser.parse_args(argv)
    import rasa.__main__

    sys.argv = rasa_arguments(args.model, args.endpoints, args.port, args.host, keys.rasa_api_token())
    rasa.__main__.main()


if __name__ == "__main__":
    main()
