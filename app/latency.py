"""A loopback TCP relay that holds every chunk a while: a LAN's delay on one machine.

``stationcrm bench --lan-ms X`` points a station's engine at :class:`LatencyProxy` instead
of the database server. Each chunk read from either side is sent on ``X`` ms later (the
chunks of one direction keep their order, and a chunk does not wait for the one before it
to be delayed first), so a request and its answer cost at least ``2 X`` ms more than on
the server's own machine: what a station on the shop's network pays per round trip.

The relay also counts the traffic. A *round trip* is a chunk from the client that follows
an answer from the server (or opens the connection): the client had to wait for the
server before it could go on. A request the driver sends in several writes is still one
round trip; statements sent together (a pipeline) are one too.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Self

_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Traffic:
    """What passed the relay so far; subtract two to get what passed in between."""

    round_trips: int = 0
    client_chunks: int = 0
    server_chunks: int = 0
    client_bytes: int = 0
    server_bytes: int = 0
    connections: int = 0

    def __sub__(self, other: Traffic) -> Traffic:
        return Traffic(**{f.name: getattr(self, f.name) - getattr(other, f.name)
                          for f in fields(self)})


class _Counters:
    """Written by the relay's thread only; read as a whole by :meth:`LatencyProxy.traffic`."""

    def __init__(self) -> None:
        self.round_trips = self.client_chunks = self.server_chunks = 0
        self.client_bytes = self.server_bytes = self.connections = 0


class _Link:
    """One client connection: whether the server has answered since the client last spoke."""

    def __init__(self) -> None:
        self.answered = True  # the connection's first chunk starts a round trip


class LatencyProxy:
    """Listens on 127.0.0.1 at a free port and relays each connection to ``target``,
    holding every chunk ``delay_ms`` in each direction.

    Use it as a context manager, or :meth:`start` and :meth:`close`. It runs its own
    asyncio loop on a daemon thread, so blocking database drivers can use it from the
    thread that started it.
    """

    def __init__(self, target: tuple[str, int], delay_ms: float) -> None:
        if delay_ms < 0:
            raise ValueError("the delay cannot be negative")
        self.target = target
        self.delay = delay_ms / 1000
        self.address: tuple[str, int] | None = None
        self._counters = _Counters()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._failed: BaseException | None = None

    # --- running --------------------------------------------------------------------------

    def start(self) -> tuple[str, int]:
        """Open the listening socket and start relaying; returns its (host, port)."""
        if self._thread is not None:
            raise RuntimeError("the relay is already running")
        ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, args=(ready,), daemon=True,
                                        name="latency-proxy")
        self._thread.start()
        ready.wait()
        if self._failed is not None:
            self._thread.join()
            raise self._failed
        assert self.address is not None
        return self.address

    def close(self) -> None:
        """Stop listening, cut every relayed connection and stop the thread."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            loop.call_soon_threadsafe(self._stop)
            thread.join()
        self._loop = self._thread = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def traffic(self) -> Traffic:
        c = self._counters
        return Traffic(round_trips=c.round_trips, client_chunks=c.client_chunks,
                       server_chunks=c.server_chunks, client_bytes=c.client_bytes,
                       server_bytes=c.server_bytes, connections=c.connections)

    # --- the relay's thread -----------------------------------------------------------------

    def _run(self, ready: threading.Event) -> None:
        loop = self._loop
        assert loop is not None
        asyncio.set_event_loop(loop)
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve, "127.0.0.1", 0))
            host, port = self._server.sockets[0].getsockname()[:2]
            self.address = (str(host), int(port))
        except OSError as exc:
            self._failed = exc
            ready.set()
            loop.close()
            return
        ready.set()
        try:
            loop.run_forever()
        finally:
            tasks = asyncio.all_tasks(loop)
            for task in tasks:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
            loop.close()

    def _stop(self) -> None:
        assert self._loop is not None
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.close()
        self._loop.stop()

    async def _serve(self, client_in: asyncio.StreamReader,
                     client_out: asyncio.StreamWriter) -> None:
        self._writers.add(client_out)
        try:
            server_in, server_out = await asyncio.open_connection(*self.target)
        except OSError:
            # The client sees the connection closed, as it would a server that is down.
            self._writers.discard(client_out)
            client_out.close()
            return
        self._writers.add(server_out)
        self._counters.connections += 1
        link = _Link()
        try:
            await asyncio.gather(self._pump(client_in, server_out, link, from_client=True),
                                 self._pump(server_in, client_out, link, from_client=False))
        except asyncio.CancelledError:
            # Closing the relay cuts the connection; asyncio's stream callback would log a
            # cancelled handler as an error.
            pass
        finally:
            for writer in (client_out, server_out):
                self._writers.discard(writer)
                writer.close()

    async def _pump(self, source: asyncio.StreamReader, sink: asyncio.StreamWriter,
                    link: _Link, *, from_client: bool) -> None:
        """Read chunks from ``source`` and hand them to a sender that writes each one
        ``delay`` after it was read: the delays of successive chunks overlap, as on a wire."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[tuple[float, bytes]] = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, sink))
        c = self._counters
        try:
            while data := await source.read(_CHUNK):
                if from_client:
                    if link.answered:
                        c.round_trips += 1
                        link.answered = False
                    c.client_chunks += 1
                    c.client_bytes += len(data)
                else:
                    link.answered = True
                    c.server_chunks += 1
                    c.server_bytes += len(data)
                queue.put_nowait((loop.time() + self.delay, data))
        except (ConnectionError, OSError):
            pass
        finally:
            # The end of the stream follows the data still held, then the other side closes.
            queue.put_nowait((loop.time() + self.delay, b""))
            with contextlib.suppress(ConnectionError, OSError):
                await sender

    async def _send(self, queue: asyncio.Queue[tuple[float, bytes]],
                    sink: asyncio.StreamWriter) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due, data = await queue.get()
            # The loop may wake a timer a hair early; the delay is a floor, never less.
            while (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            if not data:
                sink.close()
                return
            sink.write(data)
            await sink.drain()
