"""Inbound flow control on the real server (eventlet): a socket flooding frames is slowed,
then disconnected, and another client keeps being served all the while.

The flood is frames the server must read but not act on (unknown events, then joins
refused by the event budget): before ``sync/flow.py`` the flooding greenlet never yielded and
every other client waited."""

from __future__ import annotations

import statistics
import threading
import time
from collections.abc import Callable

import requests
import socketio

from .conftest import LiveServer

FLOOD_ENV = {
    "TUTTI_SYNC_FRAME_RATE": "50",
    "TUTTI_SYNC_FRAME_BURST": "100",
    "TUTTI_SYNC_FLOOD_DISCONNECT_S": "3",
}


def _flood(url: str, token: str, stop: threading.Event, sent: list[int]) -> socketio.Client:
    sio = socketio.Client(reconnection=False)
    sio.connect(url, auth={"token": token}, transports=["websocket"])
    junk = {"score": "x" * 60, "filler": "y" * 4000}

    def run() -> None:
        while not stop.is_set() and sio.connected:
            try:
                sio.emit("fetch", junk)  # no ack asked: as fast as the socket takes them
                sent[0] += 1
            except Exception:  # noqa: BLE001 - the server cut us off: that is the point
                return

    threading.Thread(target=run, daemon=True).start()
    return sio


def test_a_flooding_socket_is_slowed_then_cut_and_others_stay_served(
    db_url: str, start_server: Callable[..., LiveServer]
) -> None:
    server = start_server(db_url, FLOOD_ENV)
    server.signup("ana")
    server.signup("mallory")
    token = server.token("ana")
    created = requests.post(
        f"{server.url}/api/scores",
        json={"title": "Flood"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    score = created.json()["id"]
    with server.client("ana") as client:
        client.join(score)
        idle = []
        for i in range(10):
            started = time.perf_counter()
            client.submit([{"op": "set_meta", "title": f"idle {i}"}])
            client.wait_synced(timeout=10)
            idle.append(time.perf_counter() - started)

        stop, sent = threading.Event(), [0]
        flooder = _flood(server.url, server.token("mallory"), stop, sent)
        try:
            busy = []
            deadline = time.monotonic() + 8
            n = 0
            while time.monotonic() < deadline:
                started = time.perf_counter()
                client.submit([{"op": "set_meta", "title": f"busy {n}"}])
                client.wait_synced(timeout=5)  # raises if the server stops serving us
                busy.append(time.perf_counter() - started)
                n += 1
                time.sleep(0.05)
            cut = not flooder.connected
        finally:
            stop.set()
            flooder.disconnect()
        assert client.document["title"] == f"busy {n - 1}"
    # Served throughout: every ack came, and the slowest is far from the old 90 s stall.
    assert max(busy) < 3.0, f"an ack took {max(busy):.2f} s while another socket flooded"
    print(
        "ack s idle/busy median, max:", statistics.median(idle), statistics.median(busy), max(busy)
    )
    assert statistics.median(busy) < 0.5, (statistics.median(idle), statistics.median(busy))
    assert sent[0] > 300, "the flooder did not flood"
    assert cut, "the flooding socket was not disconnected"
