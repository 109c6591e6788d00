"""The bench's LAN relay (app.latency): it passes every byte both ways, holds each chunk at
least its delay, and counts the client's round trips. Only lower bounds on time are
asserted: a busy machine may be slower, never faster."""

from __future__ import annotations

import os
import random
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import make_url

from app.latency import LatencyProxy, Traffic


@pytest.fixture
def echo_server() -> Iterator[tuple[str, int]]:
    """A TCP server that sends back whatever it receives, on each connection."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def answer(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(65536):
                conn.sendall(data)

    def serve() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:  # the listener was closed: the test is over
                return
            threading.Thread(target=answer, args=(conn,), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()
    listener.close()


def _client(relay: LatencyProxy) -> socket.socket:
    assert relay.address is not None
    conn = socket.create_connection(relay.address, timeout=10)
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return conn


def _receive(conn: socket.socket, size: int) -> bytes:
    got = bytearray()
    while len(got) < size:
        chunk = conn.recv(65536)
        assert chunk, "the relay closed the connection early"
        got += chunk
    return bytes(got)


def test_every_byte_passes_both_ways_in_order(echo_server: tuple[str, int]) -> None:
    payload = random.Random(3).randbytes(1_000_000)
    with LatencyProxy(echo_server, delay_ms=1) as relay, _client(relay) as conn:
        sender = threading.Thread(target=conn.sendall, args=(payload,))
        sender.start()  # sending and reading at once: neither side's buffer fills up
        echoed = _receive(conn, len(payload))
        sender.join()
        assert echoed == payload
        traffic = relay.traffic()
    assert traffic.client_bytes == traffic.server_bytes == len(payload)
    assert traffic.connections == 1


def test_each_round_trip_is_counted_and_costs_at_least_twice_the_delay(
        echo_server: tuple[str, int]) -> None:
    delay_ms, trips = 20, 8
    with LatencyProxy(echo_server, delay_ms=delay_ms) as relay, _client(relay) as conn:
        before = relay.traffic()
        started = time.perf_counter()
        for n in range(trips):
            message = f"question {n}".encode()
            conn.sendall(message)
            assert _receive(conn, len(message)) == message
        elapsed_ms = (time.perf_counter() - started) * 1000
        spent = relay.traffic() - before
    assert spent.round_trips == trips
    assert spent.client_chunks == trips
    assert elapsed_ms >= trips * 2 * delay_ms


def test_a_request_written_in_pieces_is_one_round_trip(echo_server: tuple[str, int]) -> None:
    with LatencyProxy(echo_server, delay_ms=30) as relay, _client(relay) as conn:
        before = relay.traffic()
        conn.sendall(b"head")
        time.sleep(0.005)  # the relay reads it before the rest comes
        conn.sendall(b"tail")
        assert _receive(conn, 8) == b"headtail"
        spent = relay.traffic() - before
    assert spent.client_chunks == 2
    assert spent.round_trips == 1


def test_a_server_that_is_down_is_a_closed_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with LatencyProxy(("127.0.0.1", closed_port), delay_ms=1) as relay, \
            _client(relay) as conn:
        conn.sendall(b"anyone there?")
        try:
            answer = conn.recv(100)
        except ConnectionResetError:  # closed with the question unread: reset, not FIN
            answer = b""
        assert answer == b""
        assert relay.traffic().connections == 0


def test_the_relay_stops_and_cuts_its_connections(echo_server: tuple[str, int]) -> None:
    relay = LatencyProxy(echo_server, delay_ms=1)
    address = relay.start()
    conn = _client(relay)
    conn.sendall(b"x")
    assert _receive(conn, 1) == b"x"
    relay.close()
    assert conn.recv(10) == b""
    conn.close()
    with pytest.raises(OSError), socket.create_connection(address, timeout=2):
        pass
    assert relay.traffic() == Traffic(round_trips=1, client_chunks=1, server_chunks=1,
                                      client_bytes=1, server_bytes=1, connections=1)


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError):
        LatencyProxy(("127.0.0.1", 5432), delay_ms=-1)


# --- a real database through the relay ----------------------------------------------------

_SUITE_URL = os.environ.get("STATIONCRM_TEST_DB_URL", "")
PG_URL = (_SUITE_URL if _SUITE_URL.startswith(("postgresql", "postgres:"))
          else "postgresql://postgres@127.0.0.1:5432/postgres")


def test_a_postgresql_connection_works_through_the_relay() -> None:
    psycopg = pytest.importorskip("psycopg")
    url = make_url(PG_URL)
    target = (url.host or "localhost", url.port or 5432)
    try:
        socket.create_connection(target, timeout=2).close()
    except OSError:
        pytest.skip(f"no PostgreSQL server at {target[0]}:{target[1]}")
    delay_ms, queries = 5, 6
    with LatencyProxy(target, delay_ms=delay_ms) as relay:
        assert relay.address is not None
        with psycopg.connect(host=relay.address[0], port=relay.address[1],
                             user=url.username, password=url.password,
                             dbname=url.database, autocommit=True,
                             prepare_threshold=None) as conn:
            before = relay.traffic()
            started = time.perf_counter()
            answers = [conn.execute("SELECT %s::int * 2", (n,)).fetchone()
                       for n in range(queries)]
            elapsed_ms = (time.perf_counter() - started) * 1000
            spent = relay.traffic() - before
    assert answers == [(n * 2,) for n in range(queries)]
    # One round trip per statement (autocommit: no BEGIN; never prepared on the server,
    # which psycopg otherwise does in a round trip of its own at the fifth run); each at
    # least twice the delay.
    assert spent.round_trips == queries
    assert elapsed_ms >= queries * 2 * delay_ms
