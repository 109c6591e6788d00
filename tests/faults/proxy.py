"""A loopback TCP proxy in front of the PostgreSQL server, to play the network's faults.

Modes, switched while connections are open:

* ``pass``: bytes flow both ways;
* ``black_hole``: nothing flows either way and nothing is closed, as when a cable is pulled
  or a switch dies — a station's call simply never gets an answer;
* ``refuse``: new connections are closed at once (the server is down or a firewall said no);
  open ones keep working.

``lose_commit_reply()`` arms a one-off fault: the next COMMIT a station sends reaches the
server, and the server's answer is thrown away while the connection is cut — the change is
saved, but the station does not know.
"""

from __future__ import annotations

import select
import socket
import threading
from typing import Literal

Mode = Literal["pass", "black_hole", "refuse"]

# PostgreSQL's messages for COMMIT as psycopg sends it: the simple query ('Q', length,
# text, NUL), or, when the COMMIT goes in one pipeline with the transaction's last INSERT
# (app.db.WITH_COMMIT), the extended protocol's Parse ('P', length, unnamed statement,
# text, no parameter types).
_COMMITS = (b"Q\x00\x00\x00\x0bCOMMIT\x00", b"P\x00\x00\x00\x0e\x00COMMIT\x00\x00\x00")


class FaultProxy:
    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.mode: Mode = "pass"
        self._lose_commit = threading.Event()
        self.commits_lost = 0
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(64)
        self.port: int = self._listener.getsockname()[1]
        self._closing = threading.Event()
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._accepter = threading.Thread(target=self._accept, daemon=True,
                                          name="fault-proxy")
        self._accepter.start()

    def lose_commit_reply(self) -> None:
        self._lose_commit.set()

    def drop_connections(self) -> None:
        """Cut every open connection with a reset (the server restarted, a line dropped)."""
        with self._lock:
            for sock in self._sockets:
                _reset(sock)
            self._sockets.clear()

    def close(self) -> None:
        self._closing.set()
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                _close(sock)
            self._sockets.clear()

    # --- internals ------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "refuse":
                _reset(client)
                continue
            try:
                server = socket.create_connection(self.target, timeout=5)
            except OSError:
                _reset(client)
                continue
            server.settimeout(None)
            with self._lock:
                self._sockets |= {client, server}
            threading.Thread(target=self._pump, args=(client, server), daemon=True,
                             name="fault-proxy-pump").start()

    def _pump(self, client: socket.socket, server: socket.socket) -> None:
        try:
            while not self._closing.is_set():
                readable, _, _ = select.select([client, server], [], [], 0.05)
                if self.mode == "black_hole":
                    continue  # bytes wait in the kernel; nothing reaches the other side
                for sock in readable:
                    data = sock.recv(65536)
                    if not data:
                        return
                    if sock is client:
                        if (self._lose_commit.is_set()
                                and any(commit in data for commit in _COMMITS)):
                            self._lose_commit.clear()
                            server.sendall(data)
                            self._swallow_reply(server)
                            self.commits_lost += 1
                            _reset(client)
                            return
                        server.sendall(data)
                    else:
                        client.sendall(data)
        except OSError:
            return
        finally:
            with self._lock:
                self._sockets -= {client, server}
            _close(client)
            _close(server)

    @staticmethod
    def _swallow_reply(server: socket.socket) -> None:
        """Wait for the server's answer to COMMIT (it has committed then) and drop it."""
        server.settimeout(10)
        try:
            server.recv(65536)
        except OSError:
            pass


def _reset(sock: socket.socket) -> None:
    """Close with a TCP reset, as a dropped line looks to the station."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    except OSError:
        pass
    _close(sock)


def _close(sock: socket.socket) -> None:
    try:
        sock.close()
    except OSError:
        pass
