"""Start the rasa-sdk action server on its private interface (``python -m bot.action_server``).

Rasa's own action server, with one addition: ``/webhook`` and ``/actions`` answer 401
unless the request carries the shared secret ``Authorization: Bearer <ACTIONS_TOKEN>``,
which Rasa sends (``action_endpoint.headers`` in the endpoints file ``bot.run`` writes).
``/health`` stays open for readiness checks.

Sanic closes a connection on which no request arrived within ``KEEP_ALIVE_TIMEOUT`` (5 s by
default) — counted from the connect, before the first request too. Rasa opens a connection per
action call and writes the request when its event loop gets to it; on a busy machine that was
later than 5 s, the call failed ("Cannot write to closing transport") and the citizen got no
answer. The timeout is therefore as long as the web app waits for Rasa.
"""
from __future__ import annotations

import argparse
import hmac
import logging
from typing import List, Optional

from bot import keys, settings

PROTECTED = ("/webhook", "/actions")
#: seconds a connection may stay open before (or between) requests: the web app's wait for Rasa
IDLE_CONNECTION_SECONDS = 3 * settings.NETWORK_TIMEOUT


def create_app(token: str):
    from rasa_sdk.endpoint import create_app as create_sdk_app
    from sanic import response

    app = create_sdk_app("actions")
    app.config.KEEP_ALIVE_TIMEOUT = IDLE_CONNECTION_SECONDS

    @app.middleware("request")
    async def require_secret(request):
        if request.path.rstrip("/") not in PROTECTED:
            return None
        header = request.headers.get("authorization", "")
        given = header[7:].strip() if header.lower().startswith("bearer ") else ""
        if not given or not hmac.compare_digest(given.encode(), token.encode()):
            return response.json({"error": "a valid action server token is required"}, status=401)
        return None

    return app


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=settings.ACTIONS_PORT)
    parser.add_argument("--host", default=settings.ACTIONS_HOST)
    args = parser.parse_args(argv)
    from rasa_sdk import utils

    from bot.faq import answering
    from bot.korean.pii import install_log_masking

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_log_masking()
    utils.update_sanic_log_level()
    answering.load()  # before the server answers /health: the first action call is as fast as any
    create_app(keys.actions_token()).run(args.host, args.port, workers=utils.number_of_sanic_workers(),
                                         access_log=False)


if __name__ == "__main__":
    main()
