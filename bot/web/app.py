"""The web app in front of Rasa: citizen chat + widget, agent console (``python -m bot.web.app``).

See docs/web-protocol.md for the routes and messages, and why it sits in front of Rasa.
"""
from __future__ import annotations

import asyncio
import logging
import sys

from sanic import Request, Sanic, response

from bot import settings
from bot.korean.pii import install_log_masking
from bot.web import agent_console, citizen
from bot.web.chat_service import ChatService
from bot.web.hub import Hub
from bot.web.rasa_client import RasaClient
from bot.web.static_files import static_response

logger = logging.getLogger(__name__)
WATCHDOG_SECONDS = 2.0
ASSETS = ("chat.css", "chat.js", "agent.css", "agent.js")


def create_app(name: str = "ansan_web") -> Sanic:
    app = Sanic(name)
    app.config.WEBSOCKET_PING_INTERVAL = 20
    app.config.WEBSOCKET_PING_TIMEOUT = 20
    app.config.WEBSOCKET_MAX_SIZE = 64 * 1024
    app.config.REQUEST_MAX_SIZE = 256 * 1024
    app.blueprint(citizen.bp)
    app.blueprint(agent_console.bp)

    @app.get("/static/<name:str>")
    async def asset(request: Request, name: str):
        if name not in ASSETS:
            return response.text("not found", status=404)
        return static_response(name, embeddable=True)

    @app.get("/healthz")
    async def health(request: Request):
        return response.json({"status": "ok"})

    @app.listener("before_server_start")
    async def setup(app: Sanic, _loop) -> None:
        install_log_masking()
        app.ctx.hub = Hub()
        app.ctx.rasa = RasaClient()
        app.ctx.chat = ChatService(app.ctx.hub, app.ctx.rasa)
        app.ctx.watchdog = asyncio.ensure_future(_watchdog(app))

    @app.listener("after_server_stop")
    async def teardown(app: Sanic, _loop) -> None:
        app.ctx.watchdog.cancel()
        await app.ctx.rasa.close()

    return app


async def _watchdog(app: Sanic) -> None:
    while True:
        await asyncio.sleep(WATCHDOG_SECONDS)
        try:
            await app.ctx.chat.watchdog_tick()
        except Exception:
            logger.exception("watchdog tick failed")


def main() -> int:
    from bot.storage.migrate import upgrade

    upgrade()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    create_app().run(host="0.0.0.0", port=settings.WEB_PORT, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
