"""The frame budget of sync/flow.py with a fake clock: slowed over budget, cut when it lasts."""

from __future__ import annotations

from typing import Any

from server.sync.flow import BYTES_PER_TOKEN, FlowControl, FrameBudget, frame_cost
from server.sync.protocol import Limits


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_budget_waits_only_past_the_burst_and_forgets_a_pause() -> None:
    clock = Clock()
    budget = FrameBudget(rate=10, burst=3, clock=clock)
    assert [budget.pay(1) for _ in range(3)] == [0, 0, 0]
    assert budget.pay(1) == 0.1  # one token short at 10/s
    assert budget.throttled_for() == 0
    clock.now += 2.0
    assert budget.throttled_for() == 2.0
    assert budget.pay(1) == 0  # the pause refilled the bucket
    assert budget.throttled_since is None
    assert frame_cost("x" * BYTES_PER_TOKEN) == 2.0


class FakeEio:
    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}
        self.cut: list[str] = []

    def on(self, name: str, handler: Any) -> None:
        self.handlers[name] = handler

    def disconnect(self, sid: str) -> None:
        self.cut.append(sid)


class FakeServer:
    def __init__(self) -> None:
        self.eio = FakeEio()
        self.parsed: list[tuple[str, Any]] = []
        self.eio.on("message", lambda sid, data: self.parsed.append((sid, data)))
        self.eio.on("disconnect", lambda sid, *_: None)


def test_a_connection_over_budget_is_slowed_then_cut_without_parsing() -> None:
    clock, slept = Clock(), []
    server = FakeServer()
    limits = Limits(frame_rate=10, frame_burst=5, flood_disconnect_s=1.0)

    def sleep(seconds: float) -> None:
        slept.append(seconds)

    flow = FlowControl(server, limits, sleep, clock).install()
    on_message = server.eio.handlers["message"]
    for _ in range(5):
        on_message("flood", "")
    assert slept == [0] * 5  # within the burst: only a yield
    on_message("flood", "")
    assert slept[-1] > 0  # over it: slowed, but still served
    on_message("calm", "")
    assert slept[-1] == 0  # another connection has its own budget
    for _ in range(30):  # keeps flooding while the clock moves on, until it is cut
        clock.now += 0.05
        on_message("flood", "")
        if server.eio.cut:
            break
    assert server.eio.cut == ["flood"]
    parsed = [sid for sid, _ in server.parsed]
    assert parsed.count("calm") == 1 and parsed.count("flood") < 36  # the last was dropped
    assert flow.disconnected_floods == 1 and "flood" not in flow.budgets
