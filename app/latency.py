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

Threads, not asyncio: a thread sleeps to within a tenth of a millisecond, while an event
loop's timers wake on whole milliseconds (epoll), which added up to one more millisecond
to every hop of a 1 ms LAN.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from types import TracebackType
from typing import Any, Self

_CHUNK = 64 * 1024
_ACCEPT_POLL_S = 0.1  # how soon the accepting thread notices close()


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


class _Link:
    """One relayed connection: its two sockets, and whether the server has answered since
    the client last spoke."""

    def __init__(self, client: socket.socket, server: socket.socket) -> None:
        self.client, self.server = client, server
        self.answered = True  # the connection's first chunk starts a round trip
        self._lock = threading.Lock()
        self._senders_left = 2
        self._ended = False

    def end(self) -> None:
        """Cut both sockets: every thread of the link blocked on them wakes up."""
        with self._lock:
            if self._ended:
                return
            self._ended = True
        for sock in (self.client, self.server):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def sender_done(self) -> None:
        self.end()
        with self._lock:
            self._senders_left -= 1
            last = self._senders_left == 0
        if last:
            self.client.close()
            self.server.close()


class LatencyProxy:
    """Listens on 127.0.0.1 at a free port and relays each connection to ``target``,
    holding every chunk ``delay_ms`` in each direction.

    Use it as a context manager, or :meth:`start` and :meth:`close`. Each connection has a
    reading and a sending thread per direction; the sending thread writes a chunk when its
    time has come, so the delays of successive chunks overlap as they do on a wire.
    """

    def __init__(self, target: tuple[str, int], delay_ms: float) -> None:
        if not delay_ms >= 0:
            raise ValueError("the delay must be 0 ms or more")
        self.target = target
        self.delay = delay_ms / 1000
        self.address: tuple[str, int] | None = None
        self._listener: socket.socket | None = None
        self._stopping = threading.Event()
        self._threads: list[threading.Thread] = []
        self._links: list[_Link] = []
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    # --- running --------------------------------------------------------------------------

    def start(self) -> tuple[str, int]:
        """Open the listening socket and start relaying; returns its (host, port)."""
        if self._listener is not None:
            raise RuntimeError("the relay is already running")
        self._counts = {f.name: 0 for f in fields(Traffic)}
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.settimeout(_ACCEPT_POLL_S)
        self._listener = listener
        host, port = listener.getsockname()[:2]
        self.address = (str(host), int(port))
        self._spawn(self._accept, "latency-accept")
        return self.address

    def close(self) -> None:
        """Stop listening, cut every relayed connection and wait for the threads."""
        if self._listener is None:
            return
        self._stopping.set()
        with self._lock:
            links = list(self._links)
        for link in links:
            link.end()
        for thread in list(self._threads):
            thread.join()
        self._listener.close()
        self._listener = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def traffic(self) -> Traffic:
        with self._lock:
            return Traffic(**self._counts)

    # --- the relay's threads ----------------------------------------------------------------

    def _spawn(self, target: Callable[..., None], name: str, *args: Any) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)
        with self._lock:
            self._threads.append(thread)
        thread.start()

    def _count(self, **more: int) -> None:
        with self._lock:
            for key, value in more.items():
                self._counts[key] += value

    def _accept(self) -> None:
        assert self._listener is not None
        while not self._stopping.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                # The client sees the connection closed, as it would a server that is down.
                client.close()
                continue
            server.settimeout(None)
            for sock in (client, server):
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            link = _Link(client, server)
            with self._lock:
                self._links.append(link)
            self._count(connections=1)
            for source, sink, up in ((client, server, True), (server, client, False)):
                held: queue.SimpleQueue[tuple[float, bytes]] = queue.SimpleQueue()
                self._spawn(self._read, "latency-read", link, source, held, up)
                self._spawn(self._send, "latency-send", link, sink, held)

    def _read(self, link: _Link, source: socket.socket,
              held: queue.SimpleQueue[tuple[float, bytes]], from_client: bool) -> None:
        try:
            while data := source.recv(_CHUNK):
                if from_client:
                    trip = 1 if link.answered else 0
                    link.answered = False
                    self._count(round_trips=trip, client_chunks=1, client_bytes=len(data))
                else:
                    link.answered = True
                    self._count(server_chunks=1, server_bytes=len(data))
                held.put((time.monotonic() + self.delay, data))
        except OSError:
            pass
        # The end of the stream follows the data still held.
        held.put((time.monotonic() + self.delay, b""))

    def _send(self, link: _Link, sink: socket.socket,
              held: queue.SimpleQueue[tuple[float, bytes]]) -> None:
        try:
            while True:
                due, data = held.get()
                while (wait := due - time.monotonic()) > 0:
                    time.sleep(wait)
                if not data:
                    return
                sink.sendall(data)
        except OSError:
            pass
        finally:
            link.sender_done()
