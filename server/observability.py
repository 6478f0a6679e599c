"""What an operator watches: this process's metrics in Prometheus text format, and health.

One ``Observability`` per app (its own registry, so several apps can live in one process in
tests). The sync layer reports acks and connections into it; ``/metrics`` and ``/healthz``
(server/web/health.py) read it. Each worker process serves its own numbers, labelled with
its pid: scrape every worker (docs/deployment.md). No Flask, SQL or Socket.IO here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

#: Ack latency buckets in seconds: an edit is acked in about a millisecond when all is well.
ACK_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Observability:
    """The metrics of one server process."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        labels = {"worker": str(os.getpid())}
        r = self.registry
        self.connections = Gauge("tutti_connections", "Open Socket.IO connections", registry=r)
        self.rooms = Gauge("tutti_rooms", "Scores with at least one joined connection", registry=r)
        self.edits = Counter("tutti_edits", "Edits acknowledged (committed to the log)", registry=r)
        self.refused = Counter(
            "tutti_refusals", "Socket.IO requests refused, by error code", ["code"], registry=r
        )
        self.ack_latency = Histogram(
            "tutti_ack_latency_seconds",
            "Time from receiving a submit to its ack (server side)",
            buckets=ACK_BUCKETS,
            registry=r,
        )
        self.loop_lag = Histogram(
            "tutti_loop_lag_seconds",
            "How late the event loop woke a sleeping probe (time others wait for the loop)",
            buckets=LAG_BUCKETS,
            registry=r,
        )
        self.floods_cut = Counter(
            "tutti_flood_disconnects", "Connections cut for flooding frames", registry=r
        )
        Gauge("tutti_worker_info", "This worker process", list(labels), registry=r).labels(
            **labels
        ).set(1)

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def watch_loop(self, sleep: Callable[[float], object], every_s: float = 0.5) -> None:
        """Background task: sleep ``every_s`` and record how much later than asked we woke."""
        while True:
            started = time.monotonic()
            sleep(every_s)
            self.loop_lag.observe(max(0.0, time.monotonic() - started - every_s))
