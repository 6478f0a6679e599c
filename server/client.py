"""A headless Tutti client (scripts, tests, bots): prosemirror-collab's model over Socket.IO.

State = (confirmed seq, confirmed document, unconfirmed edits). Local edits apply at
once and are sent; confirmed edits are applied strictly in seq order (early ones are
buffered, gaps fetched) and the unconfirmed edits are replayed on top. After a
reconnect it catches up from its last seq and resends unconfirmed edits with the SAME
client_id/client_seq, which the server deduplicates. Imports the pure score model and
the python-socketio client only; never Flask or SQL.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests
import socketio

from .score import Doc, ScoreError, apply_edit, clone
from .sync import protocol

#: Error codes after which an edit is given up (reported in ``dropped``); others retry.
FINAL_ERRORS = frozenset(
    {
        protocol.INVALID_OP,
        protocol.PAYLOAD_TOO_LARGE,
        protocol.BAD_REQUEST,
        protocol.FORBIDDEN,
        protocol.NOT_FOUND,
    }
)
RETRY_DELAY_S = 0.25
#: Most submits awaiting their ack at once: flow control, so a fast writer or a long
#: offline queue cannot flood the connection (and a refusal storm stays small).
WINDOW = 32


class SyncError(Exception):
    """The server refused a request: ``code`` is the protocol's snake_case error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


@dataclass
class PendingEdit:
    client_seq: int
    ops: list[dict[str, Any]]
    sent: bool = False
    seq: int | None = None  # from the ack, once the server committed it
    in_view: bool = True  # applied cleanly in the current view (else left out of it)


@dataclass(frozen=True)
class DroppedEdit:
    client_seq: int
    ops: list[dict[str, Any]]
    code: str
    message: str


def fetch_token(base_url: str, name: str, password: str, timeout: float = 10.0) -> str:
    """Trade a name and password for an API token (``POST /api/token``)."""
    response = requests.post(
        f"{base_url.rstrip('/')}/api/token",
        json={"name": name, "password": password},
        timeout=timeout,
    )
    body = response.json()
    if not body.get("ok"):
        error = body.get("error", {})
        raise SyncError(error.get("code", "bad_credentials"), error.get("message", ""))
    return str(body["token"])


class TuttiClient:
    """One user's live view of one score. Thread-safe: callbacks arrive on socketio's thread."""

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        name: str | None = None,
        password: str | None = None,
        client_id: str | None = None,
        reconnect: bool = True,
        headers: dict[str, str] | None = None,
        on_change: Callable[[TuttiClient], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        if token is None:
            if name is None or password is None:
                raise ValueError("give a token, or a name and a password")
            token = fetch_token(self.base_url, name, password)
        self.token = token
        self.client_id = client_id or uuid.uuid4().hex[:16]
        self.headers = dict(headers or {})
        self.on_change = on_change
        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._score: str | None = None
        self._joined = False
        self._confirmed: Doc | None = None
        self._seq = 0
        self._local: Doc | None = None  # confirmed + unconfirmed; None when nothing is pending
        self._stale = False  # _local must be rebuilt before use (rebase is lazy)
        self._pending: list[PendingEdit] = []
        self._buffer: dict[int, dict[str, Any]] = {}
        self._fetching = False
        self._retry_scheduled = False
        self._in_flight = 0
        self._paused_until = 0.0  # after rate_limited: send nothing before this time
        self._next_client_seq = 1
        self._presence: list[dict[str, Any]] = []
        self.role: str | None = None
        self.user: dict[str, Any] | None = None
        self.dropped: list[DroppedEdit] = []
        self.acknowledged: dict[int, int] = {}  # client_seq -> seq
        self.errors: list[str] = []
        self.sio = socketio.Client(
            reconnection=reconnect,
            reconnection_delay=0.2,
            reconnection_delay_max=1.0,
            randomization_factor=0.2,
        )
        self.sio.on("connect", self._on_connect)
        self.sio.on("disconnect", self._on_disconnect)
        self.sio.on(protocol.EDIT, self._on_edit)
        self.sio.on(protocol.PRESENCE, self._on_presence)

    # --- connection ------------------------------------------------------------------------

    def connect(self, timeout: float = 10.0) -> TuttiClient:
        self.sio.connect(
            self.base_url,
            headers=self.headers,
            auth={"token": self.token},
            transports=["websocket"],
            wait_timeout=timeout,
        )
        return self

    def close(self) -> None:
        """Disconnect for good (no automatic reconnection)."""
        self.sio.disconnect()

    @property
    def connected(self) -> bool:
        return bool(self.sio.connected)

    def __enter__(self) -> TuttiClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- reading state ----------------------------------------------------------------------

    @property
    def document(self) -> Doc:
        """What the user sees: the confirmed document with unconfirmed edits on top (a copy)."""
        with self._lock:
            if self._confirmed is None:
                raise RuntimeError("join a score first")
            view = self._view()
            return clone(view if view is not None else self._confirmed)

    @property
    def confirmed_document(self) -> Doc:
        with self._lock:
            if self._confirmed is None:
                raise RuntimeError("join a score first")
            return clone(self._confirmed)

    @property
    def confirmed_seq(self) -> int:
        with self._lock:
            return self._seq

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    @property
    def presence(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(p) for p in self._presence]

    @property
    def score_id(self) -> str | None:
        return self._score

    # --- commands -------------------------------------------------------------------------------

    def join(self, score_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Open a score: load it (snapshot, or edits since our seq if we had it) and go live."""
        with self._lock:
            if self._score not in (None, score_id):
                raise RuntimeError("one TuttiClient follows one score")
            since = self._seq if self._score == score_id else None
            self._score = score_id
        ack = self.sio.call(protocol.JOIN, {"score": score_id, "since": since}, timeout=timeout)
        self._on_joined(ack)
        if not ack.get("ok"):
            error = ack.get("error", {})
            with self._lock:
                self._score = None
            raise SyncError(error.get("code", "server_error"), error.get("message", ""))
        return dict(ack)

    def leave(self, timeout: float = 10.0) -> None:
        with self._lock:
            score, self._score, self._joined = self._score, None, False
        if score is not None:
            self.sio.call(protocol.LEAVE, {"score": score}, timeout=timeout)

    def submit(self, ops: list[dict[str, Any]]) -> int:
        """Apply ``ops`` locally as one edit and send it; returns its client_seq.

        Raises ``ScoreError`` (nothing sent) when the ops do not apply to what we see.
        """
        with self._lock:
            if self._confirmed is None or self._score is None:
                raise RuntimeError("join a score first")
            view = self._view()
            local = view if view is not None else clone(self._confirmed)
            apply_edit(local, clone_ops(ops))  # all or nothing: raises before changing
            self._local = local
            edit = PendingEdit(self._next_client_seq, clone_ops(ops))
            self._next_client_seq += 1
            self._pending.append(edit)
            self._pump()
            self._changed()
            return edit.client_seq

    def select(self, element_ids: list[str]) -> None:
        with self._lock:
            score = self._score
        if score is not None and self.connected:
            self.sio.emit(protocol.SELECT, {"score": score, "selection": list(element_ids)})

    def wait_synced(self, timeout: float = 10.0) -> None:
        """Block until every local edit is confirmed and we hold the server's head."""
        deadline = time.monotonic() + timeout
        while True:
            with self._cond:
                while not (self._joined and not self._pending and not self._buffer):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(
                            f"not synced: joined={self._joined} pending={len(self._pending)} "
                            f"buffered={sorted(self._buffer)}"
                        )
                    self._cond.wait(min(remaining, 0.1))
                score, first = self._score, self._seq + 1
            try:
                ack = self.sio.call(
                    protocol.FETCH,
                    {"score": score, "from": first},
                    timeout=max(0.1, deadline - time.monotonic()),
                )
            except (socketio.exceptions.TimeoutError, socketio.exceptions.BadNamespaceError):
                if time.monotonic() > deadline:
                    raise TimeoutError("not synced: the server did not answer") from None
                continue
            if ack.get("ok"):
                with self._lock:
                    for wire in ack["edits"]:
                        self._receive(wire)
                    if ack["head"] <= self._seq and not self._pending:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError("not synced before the deadline")

    # --- socket callbacks (socketio's thread) -------------------------------------------------

    def _on_connect(self) -> None:
        with self._lock:
            score = self._score
            since = self._seq if self._confirmed is not None else None
        if score is not None:
            self.sio.emit(protocol.JOIN, {"score": score, "since": since}, callback=self._on_joined)

    def _on_disconnect(self, *_: Any) -> None:
        with self._cond:
            self._joined = False
            self._fetching = False
            self._in_flight = 0  # python-socketio drops the pending ack callbacks
            for edit in self._pending:
                edit.sent = False  # its ack is lost; resend after the catch-up
            self._cond.notify_all()

    def _on_joined(self, ack: dict[str, Any]) -> None:
        with self._cond:
            if not ack.get("ok"):
                error = ack.get("error", {})
                self.errors.append(f"join refused: {error.get('code')}: {error.get('message')}")
                self._cond.notify_all()
                return
            self.role = ack.get("role")
            self.user = ack.get("user")
            self._presence = list(ack.get("presence", []))
            if "snapshot" in ack:
                self._confirmed = ack["snapshot"]
                self._seq = int(ack["seq"])
                self._buffer = {s: w for s, w in self._buffer.items() if s > self._seq}
            for wire in ack.get("edits", []):
                self._buffer.setdefault(int(wire["seq"]), wire)
            self._joined = True
            self._drain()
            self._rebase()  # a snapshot replaced the confirmed document: rebuild the view
            self._pump()  # resend what is unconfirmed, same ids, in order
            self._changed()

    def _on_edit(self, wire: dict[str, Any]) -> None:
        with self._lock:
            if wire.get("score") == self._score:
                self._receive(wire)

    def _on_presence(self, message: dict[str, Any]) -> None:
        with self._cond:
            if message.get("score") == self._score:
                self._presence = list(message.get("peers", []))
                self._cond.notify_all()

    def _on_submitted(self, edit: PendingEdit, ack: dict[str, Any]) -> None:
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            self._settle(edit, ack)
            self._pump()

    def _settle(self, edit: PendingEdit, ack: dict[str, Any]) -> None:
        """Act on the server's answer to one submit (under the lock)."""
        if ack.get("ok"):
            edit.seq = int(ack["seq"])
            self.acknowledged[edit.client_seq] = edit.seq
            if edit in self._pending and edit.seq <= self._seq:
                # A resubmission the server already had, and our document already
                # holds it (we caught up by snapshot, so no edit event matched it).
                self._pending.remove(edit)
                self._rebase()
                self._changed()
            return
        error = ack.get("error", {})
        code = error.get("code", protocol.SERVER_ERROR)
        if edit not in self._pending:
            return
        if code in FINAL_ERRORS:
            self._pending.remove(edit)
            message = error.get("message", "")
            self.dropped.append(DroppedEdit(edit.client_seq, edit.ops, code, message))
            self._rebase()
            self._changed()
            return
        # rate_limited, not_joined, server_error: pause, then resend in order.
        edit.sent = False
        delay = float(error.get("retry_after") or 0) + RETRY_DELAY_S
        self._paused_until = max(self._paused_until, time.monotonic() + delay)
        if not self._retry_scheduled:  # one timer resumes sending
            self._retry_scheduled = True
            timer = threading.Timer(delay, self._resend)
            timer.daemon = True
            timer.start()

    def _on_fetched(self, ack: dict[str, Any]) -> None:
        with self._lock:
            self._fetching = False
            if ack.get("ok"):
                for wire in ack["edits"]:
                    self._receive(wire)

    # --- the collab core (always under the lock) -----------------------------------------------

    def _pump(self) -> None:
        """Send unsent unconfirmed edits, oldest first, keeping at most WINDOW in flight."""
        if not self._joined or time.monotonic() < self._paused_until:
            return
        for edit in self._pending:
            if self._in_flight >= WINDOW:
                return
            if not edit.sent:
                self._send(edit)

    def _send(self, edit: PendingEdit) -> None:
        edit.sent = True
        self._in_flight += 1
        payload = {
            "score": self._score,
            "client_id": self.client_id,
            "client_seq": edit.client_seq,
            "ops": edit.ops,
        }
        try:
            self.sio.emit(
                protocol.SUBMIT, payload, callback=lambda ack: self._on_submitted(edit, ack)
            )
        except socketio.exceptions.BadNamespaceError:
            edit.sent = False  # disconnected meanwhile: the rejoin resends it
            self._in_flight -= 1

    def _resend(self) -> None:
        with self._lock:
            self._retry_scheduled = False
            self._pump()

    def _receive(self, wire: dict[str, Any]) -> None:
        seq = int(wire["seq"])
        if seq <= self._seq:
            return  # already held (catch-up and broadcast can overlap)
        self._buffer.setdefault(seq, wire)
        # Before the join ack we hold no document yet: keep early edits for later.
        if self._confirmed is not None and self._drain():
            self._changed()

    def _drain(self) -> bool:
        """Apply buffered edits that are next in order; fetch a gap. True if any applied."""
        applied = False
        while self._seq + 1 in self._buffer:
            if not self._apply_confirmed(self._buffer.pop(self._seq + 1)):
                self._rebase()
            applied = True
        if applied and not self._pending:
            self._local, self._stale = None, False
        if self._buffer and not self._fetching and self._joined:
            self._fetching = True
            try:
                self.sio.emit(
                    protocol.FETCH,
                    {"score": self._score, "from": self._seq + 1, "to": min(self._buffer) - 1},
                    callback=self._on_fetched,
                )
            except socketio.exceptions.BadNamespaceError:
                self._fetching = False
        return applied

    def _apply_confirmed(self, wire: dict[str, Any]) -> bool:
        """Apply the next edit of the log; True if the view is still right as it is.

        It is when the edit is our own oldest unconfirmed one and the view held it:
        view = old confirmed + it + the rest = new confirmed + the rest.
        """
        assert self._confirmed is not None
        head = self._pending[0] if self._pending else None
        view_kept = (
            head is not None
            and not self._stale
            and head.in_view
            and wire.get("client_id") == self.client_id
            and wire.get("client_seq") == head.client_seq
        )
        try:
            apply_edit(self._confirmed, clone_ops(wire["ops"]))
        except ScoreError as exc:  # the server applied it to this very state: a bug somewhere
            self.errors.append(f"edit {wire['seq']} does not apply locally: {exc.message}")
        self._seq = int(wire["seq"])
        if wire.get("client_id") == self.client_id:
            mine = next((e for e in self._pending if e.client_seq == wire.get("client_seq")), None)
            if mine is not None:
                self._pending.remove(mine)
                self.acknowledged.setdefault(mine.client_seq, self._seq)
        return view_kept

    def _rebase(self) -> None:
        """The confirmed document moved under the unconfirmed edits: rebuild the view lazily.

        Rebuilding replays every unconfirmed edit, so it is done once when the view is
        next needed, not once per incoming edit (a fast writer far ahead of its acks
        would otherwise spend its time rebasing).
        """
        if not self._pending:
            self._local, self._stale = None, False
        else:
            self._stale = True

    def _view(self) -> Doc | None:
        """confirmed + unconfirmed edits, rebuilt if stale; None when nothing is pending.

        An unconfirmed edit that no longer applies is left out of the view but kept
        until the server answers for it: it may still apply at the server's head, or be
        refused and then reported in ``dropped``.
        """
        if self._stale:
            assert self._confirmed is not None
            local = clone(self._confirmed)
            for edit in self._pending:
                try:
                    apply_edit(local, clone_ops(edit.ops))
                    edit.in_view = True
                except ScoreError:
                    edit.in_view = False
            self._local, self._stale = local, False
        return self._local if self._pending else None

    def _changed(self) -> None:
        self._cond.notify_all()
        if self.on_change is not None:
            self.on_change(self)


def clone_ops(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ops are applied to documents that keep references: never share them."""
    import copy

    return copy.deepcopy(ops)
