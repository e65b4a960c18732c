"""The web app in front of Rasa: citizen chat + widget, agent console (``python -m bot.web.app``).

The only public server. It imports no Rasa: Rasa and the action server are reached over
loopback with the token. See docs/web-protocol.md for the routes and messages.
"""
from __future__ import annotations

import asyncio
import logging
import sys

from sanic import Request, Sanic, response
from sqlalchemy.exc import SQLAlchemyError

from bot import settings
from bot.korean.pii import install_log_masking
from bot.studio import worker as studio_worker
from bot.web import (admin, agent_console, auth, citizen, studio_dashboard, studio_editor, studio_pages,
                     studio_publish, studio_review)
from bot.web.auth import LoginThrottle
from bot.web.citizen import CitizenLimits
from bot.web.desk import Desk
from bot.web.hub import Hub
from bot.web.rasa_client import RasaClient, RasaError
from bot.web.static_files import static_response

logger = logging.getLogger(__name__)
WATCHDOG_SECONDS = 2.0
ASSETS = ("chat.css", "chat.js", "agent.css", "agent-core.js", "agent-queue.js", "agent.js",
          "studio.css", "studio.js", "studio-editor.js", "studio-test.js", "studio-review.js", "studio-publish.js", "studio-dashboard.js")


def create_app(name: str = "ansan_web") -> Sanic:
    app = Sanic(name)
    app.config.WEBSOCKET_PING_INTERVAL = 20
    app.config.WEBSOCKET_PING_TIMEOUT = 20
    app.config.WEBSOCKET_MAX_SIZE = 64 * 1024
    app.config.REQUEST_MAX_SIZE = 256 * 1024
    app.config.FORWARDED_SECRET = None  # proxies are believed only by bot.web.net (TRUSTED_PROXIES)
    for blueprint in (citizen.bp, auth.bp, agent_console.bp, admin.bp, studio_pages.bp, studio_editor.bp,
                      studio_review.bp, studio_publish.bp, studio_dashboard.bp):
        app.blueprint(blueprint)

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
        logging.getLogger("asyncio").addFilter(_sanic_websocket_noise)
        app.ctx.hub = Hub()
        app.ctx.rasa = RasaClient()
        app.ctx.desk = Desk(app.ctx.hub, app.ctx.rasa)
        app.ctx.limits = CitizenLimits()
        app.ctx.login_throttle = LoginThrottle()
        app.ctx.watchdog = asyncio.ensure_future(_watchdog(app))

    @app.listener("after_server_stop")
    async def teardown(app: Sanic, _loop) -> None:
        app.ctx.watchdog.cancel()
        await app.ctx.rasa.close()
        await asyncio.get_running_loop().run_in_executor(None, studio_worker.stop)

    return app


def _sanic_websocket_noise(record: logging.LogRecord) -> bool:
    """Drop asyncio's "Task was destroyed but it is pending!" for Sanic 21.12's frame reader of a
    closed WebSocket (sanic#2564: harmless, one per closed socket); everything else passes."""
    message = record.getMessage()
    return not (message.startswith("Task was destroyed but it is pending!")
                and "WebsocketFrameAssembler.get()" in message)


async def _watchdog(app: Sanic) -> None:
    while True:
        await asyncio.sleep(WATCHDOG_SECONDS)
        try:
            await app.ctx.desk.watchdog_tick()
        except (SQLAlchemyError, RasaError, OSError) as exc:  # a restarting service: next tick
            logger.warning("watchdog tick skipped: %s", type(exc).__name__)
        except Exception:
            logger.exception("watchdog tick failed")


def main() -> int:
    from bot.storage.migrate import upgrade

    upgrade()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    create_app().run(host=settings.WEB_HOST, port=settings.WEB_PORT, access_log=False, workers=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
