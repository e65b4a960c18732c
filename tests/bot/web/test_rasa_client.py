"""The Rasa client turns every failure — silence, refusal, HTTP errors, junk — into RasaError."""
import asyncio

import pytest

from bot.web.rasa_client import RasaClient, RasaError


async def _server(handler):
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


async def _silent(reader, writer):
    await asyncio.sleep(30)


async def _reply(status_line: bytes, body: bytes):
    async def handler(reader, writer):
        await reader.readuntil(b"\r\n\r\n")
        writer.write(status_line + b"\r\nContent-Length: " + str(len(body)).encode()
                     + b"\r\nContent-Type: application/json\r\n\r\n" + body)
        await writer.drain()
        writer.close()
    return handler


@pytest.mark.parametrize("handler", ["silent", "error", "junk"])
async def test_failures_become_rasa_errors(handler):
    handlers = {"silent": _silent, "error": await _reply(b"HTTP/1.1 500 Internal Server Error", b"{}"),
                "junk": await _reply(b"HTTP/1.1 200 OK", b"<html>not json")}
    server, url = await _server(handlers[handler])
    client = RasaClient(base_url=url, token="t", timeout=0.5)
    try:
        with pytest.raises(RasaError):
            await client.send("c-1", "안녕하세요")
    finally:
        await client.close()
        server.close()


async def test_refused_connection_is_a_rasa_error():
    server, url = await _server(_silent)
    server.close()
    await server.wait_closed()
    client = RasaClient(base_url=url, token="t", timeout=0.5)
    with pytest.raises(RasaError):
        await client.parse("여권")
    await client.close()
