"""Inbound flow control: a per-connection frame budget spent before a frame is even parsed.

Engine.IO hands every incoming frame to python-socketio, which parses its JSON and runs the
handler in the greenlet that reads that connection. Under eventlet a connection whose frames
are always ready never yields, so one flooding socket kept the whole server busy (94-183 s
after a 10 s flood). Here each frame first pays into a token bucket (a count plus its size);
a connection over budget is *slowed* (its reader sleeps, which also stops reading its socket:
TCP pushes back on the sender) and, when it stays over budget for ``flood_disconnect_s``, it
is *disconnected*. Every frame also yields once, so other connections are served between
any two frames of anyone. Edits keep their own, finer budget in the handlers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .protocol import Limits

log = logging.getLogger(__name__)

#: A frame costs one token plus one per this many bytes (a 1 MB frame costs 65).
BYTES_PER_TOKEN = 16 * 1024


@dataclass
class FrameBudget:
    """Tokens of one connection; ``pay`` returns how long to wait (0: go on at once).

    The balance may go below zero by what one frame costs; the reader then sleeps the debt
    away before the next frame is read.
    """

    rate: float
    burst: float
    clock: Callable[[], float] = time.monotonic
    tokens: float = field(init=False)
    stamp: float = field(init=False)
    throttled_since: float | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.tokens = self.burst
        self.stamp = self.clock()

    def pay(self, cost: float) -> float:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate) - cost
        self.stamp = now
        if self.tokens >= 0:
            self.throttled_since = None
            return 0.0
        if self.throttled_since is None:
            self.throttled_since = now
        return -self.tokens / self.rate

    def throttled_for(self) -> float:
        """Seconds this connection has been over budget without a break."""
        return 0.0 if self.throttled_since is None else self.clock() - self.throttled_since


def frame_cost(data: Any) -> float:
    size = len(data) if isinstance(data, (str, bytes, bytearray)) else 0
    return 1.0 + size / BYTES_PER_TOKEN


class FlowControl:
    """Wraps the Engine.IO ``message`` and ``disconnect`` handlers of one Socket.IO server."""

    def __init__(
        self,
        server: Any,
        limits: Limits,
        sleep: Callable[[float], Any],
        clock: Callable[[], float] = time.monotonic,
        on_cut: Callable[[], Any] | None = None,
    ) -> None:
        self.server = server  # a python-socketio Server
        self.limits = limits
        self.sleep = sleep
        self.clock = clock
        self.budgets: dict[str, FrameBudget] = {}
        self.disconnected_floods = 0
        self.on_cut = on_cut
        self._on_message = server.eio.handlers["message"]
        self._on_disconnect = server.eio.handlers["disconnect"]

    def install(self) -> FlowControl:
        self.server.eio.on("message", self.on_message)
        self.server.eio.on("disconnect", self.on_disconnect)
        return self

    def on_message(self, eio_sid: str, data: Any) -> Any:
        budget = self.budgets.get(eio_sid)
        if budget is None:
            budget = self.budgets[eio_sid] = FrameBudget(
                self.limits.frame_rate, self.limits.frame_burst, self.clock
            )
        wait = budget.pay(frame_cost(data))
        if wait > 0:
            if budget.throttled_for() > self.limits.flood_disconnect_s:
                self.disconnected_floods += 1
                if self.on_cut is not None:
                    self.on_cut()
                log.warning("disconnecting %s: over its frame budget for too long", eio_sid)
                self.budgets.pop(eio_sid, None)
                self.server.eio.disconnect(eio_sid)
                return None  # the frame is dropped unparsed
            self.sleep(min(wait, 1.0))
        else:
            self.sleep(0)  # let every other connection run between two frames of this one
        return self._on_message(eio_sid, data)

    def on_disconnect(self, eio_sid: str, *args: Any) -> Any:
        self.budgets.pop(eio_sid, None)
        return self._on_disconnect(eio_sid, *args)


def install_flow_control(
    socketio: Any, limits: Limits, on_cut: Callable[[], Any] | None = None
) -> FlowControl:
    """Put the frame budget in front of ``socketio``'s parser (a Flask-SocketIO ``SocketIO``)."""
    return FlowControl(socketio.server, limits, socketio.sleep, on_cut=on_cut).install()
