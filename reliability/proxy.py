"""A TCP proxy the test controls, between a variant and PostgreSQL: it passes bytes both ways, or,
cut, it resets every connection it holds and every new one as soon as it is made.

It runs an asyncio loop in a thread of its own, so that a test can cut and restore it while its
own threads make requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
import threading


class FaultProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = 0
        self.passing = True
        self.connections = 0
        self._transports: set[asyncio.BaseTransport] = set()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.cut()
        self._call(self._close_server())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def cut(self) -> None:
        """From now on every connection is reset: those open now, and each new one once accepted."""
        self._call(self._set(passing=False))

    def restore(self) -> None:
        self._call(self._set(passing=True))

    def _call(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=10)

    async def _set(self, *, passing: bool) -> None:
        self.passing = passing
        if not passing:
            for transport in list(self._transports):
                reset(transport)
            self._transports.clear()

    async def _close_server(self) -> None:
        self._server.close()
        await self._server.wait_closed()

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if not self.passing:
            reset(client_writer.transport)
            return
        self.connections += 1
        try:
            server_reader, server_writer = await asyncio.open_connection(*self.target)
        except OSError:
            reset(client_writer.transport)
            return
        pair = {client_writer.transport, server_writer.transport}
        self._transports |= pair
        try:
            await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))
        finally:
            for transport in pair:
                self._transports.discard(transport)
                transport.close()


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError, OSError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    if not writer.transport.is_closing():
        with contextlib.suppress(OSError):
            writer.write_eof()


def reset(transport: asyncio.BaseTransport) -> None:
    """Close with a TCP reset, as a database that went away would be seen: SO_LINGER 0, then abort."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()
