"""The collab core of a client, pure: prosemirror-collab's state over our score ops.

State = (confirmed seq, confirmed document, unconfirmed edits), plus edits that
arrived early. Confirmed edits apply strictly in seq order; the view is the
confirmed document with the unconfirmed edits replayed on top (rebase by replay,
done lazily). No I/O, no threads, no Socket.IO: ``server/client.py`` wraps it.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from ..score import Doc, ScoreError, apply_edit, clone
from . import protocol

#: Error codes after which an edit is given up (reported in ``dropped``); others retry.
FINAL_ERRORS = frozenset(
    {
        protocol.INVALID_OP,
        # Resending the same ids can never succeed: the server holds another edit there.
        protocol.CLIENT_SEQ_REUSED,
        protocol.PAYLOAD_TOO_LARGE,
        protocol.BAD_REQUEST,
        protocol.FORBIDDEN,
        protocol.NOT_FOUND,
    }
)


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


def clone_ops(ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Ops are applied to documents that keep references: never share them."""
    return copy.deepcopy(ops)


class Collab:
    """One client's state for one score. Not thread-safe: the caller holds a lock."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.confirmed: Doc | None = None
        self.seq = 0
        self.pending: list[PendingEdit] = []
        self.buffer: dict[int, dict[str, Any]] = {}
        self.dropped: list[DroppedEdit] = []
        self.acknowledged: dict[int, int] = {}  # client_seq -> seq
        self.errors: list[str] = []
        self._next_client_seq = 1
        self._local: Doc | None = None  # the view when something is pending
        self._stale = False  # _local must be rebuilt before use

    # --- the view ------------------------------------------------------------------------

    def view(self) -> Doc:
        """What the user sees (not a copy): confirmed + unconfirmed edits."""
        if self.confirmed is None:
            raise RuntimeError("no document yet: join a score first")
        if not self.pending:
            return self.confirmed
        if self._stale or self._local is None:
            local = clone(self.confirmed)
            for edit in self.pending:
                try:
                    apply_edit(local, clone_ops(edit.ops))
                    edit.in_view = True
                except ScoreError:
                    # Kept until the server answers: it may still apply at the head,
                    # or be refused and then reported in ``dropped``.
                    edit.in_view = False
            self._local, self._stale = local, False
        return self._local

    def _rebase(self) -> None:
        """The ground moved under the unconfirmed edits: rebuild the view when next needed.

        Lazy, so a fast writer far ahead of its acks does not replay its whole queue
        once per incoming edit.
        """
        if self.pending:
            self._stale = True
        else:
            self._local, self._stale = None, False

    # --- local edits ---------------------------------------------------------------------

    def local_edit(self, ops: list[dict[str, Any]]) -> PendingEdit:
        """Apply ``ops`` to the view as one edit; raises ScoreError (nothing changed)."""
        view = self.view()
        local = view if self.pending else clone(view)
        apply_edit(local, clone_ops(ops))  # all or nothing
        self._local = local
        edit = PendingEdit(self._next_client_seq, clone_ops(ops))
        self._next_client_seq += 1
        self.pending.append(edit)
        return edit

    # --- confirmed edits -------------------------------------------------------------------

    def reset(self, doc: Doc, seq: int) -> None:
        """Start over from a snapshot (unconfirmed edits are kept and replayed on it)."""
        self.confirmed, self.seq = doc, seq
        self.buffer = {s: w for s, w in self.buffer.items() if s > seq}
        self._rebase()

    def receive(self, wire: dict[str, Any]) -> bool:
        """Take an edit from the log (any order, duplicates fine); True if any applied."""
        seq = int(wire["seq"])
        if seq <= self.seq:
            return False  # already held (catch-up and broadcast can overlap)
        self.buffer.setdefault(seq, wire)
        return self.drain() if self.confirmed is not None else False

    def drain(self) -> bool:
        """Apply buffered edits that are next in order. True if any applied."""
        applied = False
        while self.seq + 1 in self.buffer:
            if not self._apply_confirmed(self.buffer.pop(self.seq + 1)):
                self._rebase()
            applied = True
        if applied and not self.pending:
            self._local, self._stale = None, False
        return applied

    def gap(self) -> tuple[int, int] | None:
        """The seqs to fetch (inclusive) when later edits wait in the buffer."""
        if not self.buffer:
            return None
        return self.seq + 1, min(self.buffer) - 1

    def _apply_confirmed(self, wire: dict[str, Any]) -> bool:
        """Apply the next edit of the log; True if the view is still right as it is.

        It is when the edit is our own oldest unconfirmed one and the view held it:
        view = old confirmed + it + the rest = new confirmed + the rest.
        """
        assert self.confirmed is not None
        head = self.pending[0] if self.pending else None
        mine = wire.get("client_id") == self.client_id
        view_kept = (
            head is not None
            and mine
            and wire.get("client_seq") == head.client_seq
            and not self._stale
            and head.in_view
        )
        try:
            apply_edit(self.confirmed, clone_ops(wire["ops"]))
        except ScoreError as exc:  # the server applied it to this very state: a bug somewhere
            self.errors.append(f"edit {wire['seq']} does not apply locally: {exc.message}")
        self.seq = int(wire["seq"])
        if mine:
            edit = next((e for e in self.pending if e.client_seq == wire.get("client_seq")), None)
            if edit is not None:
                self.pending.remove(edit)
                self.acknowledged.setdefault(edit.client_seq, self.seq)
        return view_kept

    # --- the server's answers to submits ---------------------------------------------------------

    def settle(self, edit: PendingEdit, ack: dict[str, Any]) -> str:
        """Record the ack of one submit: ``"ok"``, ``"dropped"`` or ``"retry"``."""
        if ack.get("ok"):
            edit.seq = int(ack["seq"])
            self.acknowledged[edit.client_seq] = edit.seq
            if edit in self.pending and edit.seq <= self.seq:
                # A resubmission the server already had, and our document already holds
                # it (we caught up by snapshot, so no edit event matched it).
                self.pending.remove(edit)
                self._rebase()
            return "ok"
        error = ack.get("error", {})
        code = str(error.get("code", protocol.SERVER_ERROR))
        if edit not in self.pending:
            return "ok"  # confirmed meanwhile through the log
        if code in FINAL_ERRORS:
            self.pending.remove(edit)
            self.dropped.append(
                DroppedEdit(edit.client_seq, edit.ops, code, str(error.get("message", "")))
            )
            self._rebase()
            return "dropped"
        edit.sent = False  # rate_limited, not_joined, server_error: send again later
        return "retry"
