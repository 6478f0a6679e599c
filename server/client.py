"""A headless Tutti client (scripts, tests, bots): prosemirror-collab's model over Socket.IO.

The collab state itself lives in ``server.sync.collab`` (pure); this module adds the
socket: joining and catching up (from the last seq after a reconnect), sending
unconfirmed edits with flow control and resending them with the SAME
client_id/client_seq (the server deduplicates), fetching gaps, presence. Imports the
score model and the python-socketio client only; never Flask or SQL.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import requests
import socketio

from .score import Doc, clone
from .sync import protocol
from .sync.collab import Collab, DroppedEdit, PendingEdit

__all__ = [
    "DroppedEdit",
    "PendingEdit",
    "SyncError",
    "TuttiClient",
    "UndoResult",
    "fetch_token",
]

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


@dataclass(frozen=True)
class UndoResult:
    """What ``undo()`` / ``redo()`` did: a selective revert of one edit, planned on the server.

    ``seq``: the new revert edit (None: nothing changed). ``outcome`` is the server's word
    (``reverted``, ``partly_reverted``, ``already_reverted``, ``kept_by_others``,
    ``unchanged``); ``conflicts`` says what was kept because others changed it later.
    """

    target: int
    seq: int | None
    outcome: str
    conflicts: list[str] = field(default_factory=list)
    action: str = "undo"  # or "redo"

    @property
    def message(self) -> str:
        """What to tell the person ("" when everything was undone or redone)."""
        done = "redone" if self.action == "redo" else "undone"
        if self.outcome == "already_reverted":
            return f"That edit was already {done}"
        if self.outcome == "unchanged":
            return "That edit changes nothing any more"
        if not self.conflicts:
            return ""
        lead = (
            f"{done.capitalize()}, except: "
            if self.seq is not None
            else (f"Nothing could be {done}: ")
        )
        return lead + "; ".join(self.conflicts)


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
        self._collab = Collab(self.client_id)
        self._fetching = False
        self._retry_scheduled = False
        self._in_flight = 0
        self._paused_until = 0.0  # after rate_limited: send nothing before this time
        self._presence: list[dict[str, Any]] = []
        # Comment changes of the joined score and notifications for us, as received.
        self._comment_events: list[dict[str, Any]] = []
        self._notifications: list[dict[str, Any]] = []
        # Undo: our own edits ("client", client_seq) and our redos ("seq", seq), newest
        # last; redo: the seqs of our undo edits. Both hold edits, not ops: each undo or
        # redo is planned on the server against the head, keeping others' later work.
        self._undo: list[tuple[str, int]] = []
        self._redo: list[int] = []
        self.role: str | None = None
        self.user: dict[str, Any] | None = None
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
        self.sio.on(protocol.REVOKED, self._on_revoked)
        self.sio.on(protocol.COMMENT, self._on_comment)
        self.sio.on(protocol.NOTIFICATION, self._on_notification)

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
            return clone(self._collab.view())

    @property
    def confirmed_document(self) -> Doc:
        with self._lock:
            if self._collab.confirmed is None:
                raise RuntimeError("join a score first")
            return clone(self._collab.confirmed)

    @property
    def confirmed_seq(self) -> int:
        with self._lock:
            return self._collab.seq

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._collab.pending)

    @property
    def acknowledged(self) -> dict[int, int]:
        """client_seq -> seq of every edit of ours the server stored."""
        with self._lock:
            return dict(self._collab.acknowledged)

    @property
    def dropped(self) -> list[DroppedEdit]:
        """Our edits the server refused for good (e.g. invalid_op after a clash)."""
        with self._lock:
            return list(self._collab.dropped)

    @property
    def errors(self) -> list[str]:
        """Things that should never happen (a confirmed edit not applying, a refused join)."""
        with self._lock:
            return list(self._collab.errors)

    @property
    def presence(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(p) for p in self._presence]

    @property
    def score_id(self) -> str | None:
        return self._score

    @property
    def comment_events(self) -> list[dict[str, Any]]:
        """Every ``comment`` event of the joined score received so far, oldest first."""
        with self._lock:
            return list(self._comment_events)

    @property
    def notifications(self) -> list[dict[str, Any]]:
        """Every ``notification`` (a mention of us) received so far, oldest first."""
        with self._lock:
            return list(self._notifications)

    def comment(
        self, body: str, *, anchor: dict[str, Any] | None = None, parent: int | None = None
    ) -> dict[str, Any]:
        """Comment on the joined score (``anchor``) or reply (``parent``) over HTTP; the
        answer (``{action, thread_id, thread}``); ``SyncError`` when refused."""
        if self._score is None:
            raise SyncError("not_joined", "join a score first")
        data: dict[str, Any] = {"body": body}
        data.update({"anchor": anchor} if parent is None else {"parent": parent})
        response = requests.post(
            f"{self.base_url}/api/scores/{self._score}/comments",
            json=data,
            headers={**self.headers, "Authorization": f"Bearer {self.token}"},
            timeout=10,
        )
        answer = response.json()
        if not answer.get("ok"):
            error = answer.get("error", {})
            raise SyncError(error.get("code", "bad_request"), error.get("message", ""))
        return dict(answer)

    def wait_for_comments(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        """The ``comment`` events once at least ``count`` arrived (``TimeoutError`` if not)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self._comment_events) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{len(self._comment_events)} of {count} comment events")
                self._cond.wait(left)
            return list(self._comment_events)

    # --- commands -------------------------------------------------------------------------------

    def join(self, score_id: str, timeout: float = 10.0) -> dict[str, Any]:
        """Open a score: load it (snapshot, or edits since our seq if we had it) and go live."""
        with self._lock:
            if self._score not in (None, score_id):
                raise RuntimeError("one TuttiClient follows one score")
            since = self._collab.seq if self._score == score_id else None
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
            if self._score is None:
                raise RuntimeError("join a score first")
            edit = self._collab.local_edit(ops)
            self._undo.append(("client", edit.client_seq))
            self._redo.clear()
            self._pump()
            self._changed()
            return edit.client_seq

    def undo(self, timeout: float = 10.0) -> UndoResult | None:
        """Revert our most recent edit not yet undone (None: nothing of ours to undo).

        Waits for that edit's ack first (its seq names it), then asks the server to revert
        it selectively: later changes by others are kept and listed in ``conflicts``.
        Returns once the revert is in our document. Raises ``SyncError`` (``offline``, or
        the server's refusal) and ``TimeoutError``; the edit then stays undoable.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                if not self._undo:
                    return None
                entry = self._undo[-1]
            seq = entry[1] if entry[0] == "seq" else self._seq_of(entry[1], deadline)
            if seq is not None:
                break
            with self._lock:  # refused by the server: never in the score, nothing to undo
                if self._undo and self._undo[-1] == entry:
                    self._undo.pop()
        result = self._revert(seq, deadline)
        with self._lock:
            if self._undo and self._undo[-1] == entry:
                self._undo.pop()
            if result.seq is not None:
                self._redo.append(result.seq)
        return result

    def redo(self, timeout: float = 10.0) -> UndoResult | None:
        """Revert our most recent undo (None: nothing to redo): the change comes back where
        nobody changed it since. Raises like ``undo()``."""
        deadline = time.monotonic() + timeout
        with self._lock:
            if not self._redo:
                return None
            seq = self._redo[-1]
        result = self._revert(seq, deadline, "redo")
        with self._lock:
            if self._redo and self._redo[-1] == seq:
                self._redo.pop()
            if result.seq is not None:
                self._undo.append(("seq", result.seq))
        return result

    def _seq_of(self, client_seq: int, deadline: float) -> int | None:
        """The seq of our edit ``client_seq`` once acked; None if the server refused it."""
        collab = self._collab
        with self._cond:
            while client_seq not in collab.acknowledged:
                if any(d.client_seq == client_seq for d in collab.dropped):
                    return None
                if not self.connected:
                    raise SyncError("offline", "undo needs the server: you are offline")
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"edit {client_seq} is not confirmed yet")
                self._cond.wait(min(remaining, 0.1))
            return collab.acknowledged[client_seq]

    def _revert(self, seq: int, deadline: float, action: str = "undo") -> UndoResult:
        """Ask the server to revert edit ``seq``; wait until the revert edit is ours too."""
        with self._lock:
            score = self._score
        if score is None:
            raise RuntimeError("join a score first")
        if not self.connected:
            raise SyncError("offline", "undo needs the server: you are offline")
        ack = self.sio.call(
            protocol.REVERT,
            {"score": score, "seq": seq},
            timeout=max(0.1, deadline - time.monotonic()),
        )
        if not ack.get("ok"):
            error = ack.get("error", {})
            raise SyncError(error.get("code", "server_error"), error.get("message", ""))
        result = UndoResult(
            seq,
            ack.get("seq"),
            str(ack.get("outcome", "")),
            list(ack.get("conflicts", [])),
            action,
        )
        if result.seq is not None:
            self._reach(result.seq, deadline)
        return result

    def _reach(self, seq: int, deadline: float) -> None:
        """Wait until our confirmed document holds edit ``seq`` (fetching if it is late)."""
        with self._cond:
            while self._collab.seq < seq:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"edit {seq} did not arrive")
                self._cond.wait(min(remaining, 0.5))
                if self._collab.seq < seq and self._joined and not self._fetching:
                    # Its broadcast may be lost (at-most-once): fetch up to it.
                    self._fetch(self._collab.seq + 1, seq)

    def select(self, element_ids: list[str]) -> None:
        with self._lock:
            score = self._score
        if score is not None and self.connected:
            self.sio.emit(protocol.SELECT, {"score": score, "selection": list(element_ids)})

    def wait_synced(self, timeout: float = 10.0) -> None:
        """Block until every local edit is confirmed and we hold the server's head."""
        deadline = time.monotonic() + timeout
        collab = self._collab
        while True:
            with self._cond:
                while not (self._joined and not collab.pending and not collab.buffer):
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise TimeoutError(
                            f"not synced: joined={self._joined} pending={len(collab.pending)} "
                            f"buffered={sorted(collab.buffer)}"
                        )
                    self._cond.wait(min(remaining, 0.1))
                score, first = self._score, collab.seq + 1
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
                    if ack["head"] <= collab.seq and not collab.pending:
                        return
            if time.monotonic() > deadline:
                raise TimeoutError("not synced before the deadline")

    # --- socket callbacks (socketio's thread) -------------------------------------------------

    def _on_connect(self) -> None:
        with self._lock:
            score = self._score
            since = self._collab.seq if self._collab.confirmed is not None else None
        if score is not None:
            self.sio.emit(protocol.JOIN, {"score": score, "since": since}, callback=self._on_joined)

    def _on_disconnect(self, *_: Any) -> None:
        with self._cond:
            self._joined = False
            self._fetching = False
            self._in_flight = 0  # python-socketio drops the pending ack callbacks
            for edit in self._collab.pending:
                edit.sent = False  # its ack is lost; resend after the catch-up
            self._cond.notify_all()

    def _on_joined(self, ack: dict[str, Any]) -> None:
        with self._cond:
            if not ack.get("ok"):
                error = ack.get("error", {})
                self._collab.errors.append(
                    f"join refused: {error.get('code')}: {error.get('message')}"
                )
                self._cond.notify_all()
                return
            self.role = ack.get("role")
            self.user = ack.get("user")
            self._presence = list(ack.get("presence", []))
            if "snapshot" in ack:
                self._collab.reset(ack["snapshot"], int(ack["seq"]))
            for wire in ack.get("edits", []):
                self._collab.buffer.setdefault(int(wire["seq"]), wire)
            self._joined = True
            self._drain()
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

    def _on_revoked(self, message: dict[str, Any]) -> None:
        with self._cond:
            if message.get("score") == self._score:
                self._joined = False
                self._collab.errors.append(f"access revoked: {message.get('reason')}")
                self._cond.notify_all()

    def _on_comment(self, change: dict[str, Any]) -> None:
        with self._cond:
            if change.get("score") == self._score:
                self._comment_events.append(change)
                self._cond.notify_all()

    def _on_notification(self, note: dict[str, Any]) -> None:
        with self._cond:
            self._notifications.append(note)
            self._cond.notify_all()

    def _on_submitted(self, edit: PendingEdit, ack: dict[str, Any]) -> None:
        with self._cond:
            self._in_flight = max(0, self._in_flight - 1)
            outcome = self._collab.settle(edit, ack)
            if outcome == "retry":  # rate_limited, not_joined, server_error
                delay = float(ack.get("error", {}).get("retry_after") or 0) + RETRY_DELAY_S
                self._paused_until = max(self._paused_until, time.monotonic() + delay)
                if not self._retry_scheduled:  # one timer resumes sending, in order
                    self._retry_scheduled = True
                    timer = threading.Timer(delay, self._resend)
                    timer.daemon = True
                    timer.start()
            self._pump()
            self._changed()

    def _on_fetched(self, ack: dict[str, Any]) -> None:
        with self._lock:
            self._fetching = False
            if ack.get("ok"):
                for wire in ack["edits"]:
                    self._receive(wire)

    # --- sending and receiving (always under the lock) ------------------------------------------

    def _pump(self) -> None:
        """Send unsent unconfirmed edits, oldest first, keeping at most WINDOW in flight."""
        if not self._joined or time.monotonic() < self._paused_until:
            return
        for edit in self._collab.pending:
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
        if self._collab.receive(wire):
            self._changed()
        self._fetch_gap()

    def _drain(self) -> None:
        self._collab.drain()
        self._fetch_gap()

    def _fetch_gap(self) -> None:
        gap = self._collab.gap()
        if gap is None or self._fetching or not self._joined or self._collab.confirmed is None:
            return
        self._fetch(*gap)

    def _fetch(self, first: int, last: int) -> None:
        self._fetching = True
        try:
            self.sio.emit(
                protocol.FETCH,
                {"score": self._score, "from": first, "to": last},
                callback=self._on_fetched,
            )
        except socketio.exceptions.BadNamespaceError:
            self._fetching = False

    def _changed(self) -> None:
        self._cond.notify_all()
        if self.on_change is not None:
            self.on_change(self)
