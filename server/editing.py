"""The edit use case (``EditLog``): create or import a score, commit one attributed edit
to a score's ordered log, and read the score back (head, any past seq, the log itself, the
check of its keyed hash chain, signed head and signed snapshots). Records beside the log
(users, members, settings, versions, suggestions, preferences, history checkpoints) are
``server.persistence``' repositories.

Called by the Socket.IO handlers, the HTTP API, the use cases and the CLI; imports the
score model and ``server.persistence`` only (and stdlib-only ``server.config`` for the
default log key): no Flask, no Socket.IO, no SQLAlchemy, no network I/O.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from .errors import ScoreNotFound, UserNotFound
from .persistence import (
    GENESIS_HASH,
    ORIGINS,
    Database,
    DuplicateEdit,
    LogSigner,
    edit_hash,
    repository,
)
from .persistence.edits import CommittedEdit
from .persistence.score_settings import DEFAULT_SETTINGS
from .score import Doc, InvalidOp, apply_edit, check_invariants, clone, new_document
from .score.ops.structure import clean_document
from .score.size import doc_bytes

T = TypeVar("T")

#: Default budget of the cached heads of one process (``TUTTI_CACHE_BYTES``).
CACHE_BYTES = 256 * 1024 * 1024
#: A cached head's size is estimated again once it is this many edits past its estimate
#: (edits change a document's size slowly; walking it on every edit would cost CPU).
RESIZE_EVERY = 20
#: Per-score states kept at most (a state without a cached head is a lock and a few ints).
MAX_STATES = 4096


@dataclass
class _Head:
    """This process's copy of a score at ``seq``: the document and the last edit's hash."""

    seq: int
    doc: Doc
    hash: str
    #: Estimated size of ``doc`` in bytes (``score.size``) and the seq it was taken at.
    size: int = 0
    sized_at: int = -1

    def estimate(self) -> int:
        if self.sized_at < 0 or self.seq - self.sized_at >= RESIZE_EVERY:
            self.size, self.sized_at = doc_bytes(self.doc), self.seq
        return self.size


@dataclass
class _ScoreState:
    lock: threading.Lock = field(default_factory=threading.Lock)
    head: _Head | None = None
    # (seq, last hash, keyed_from, signature) of the head this process last signed: when
    # the stored head is still that one, checking it again would recompute the same HMAC.
    signed: tuple[int, str, int, str] | None = None


class EditPolicy(Protocol):
    """Rules beyond roles that an edit must pass (``server.classrooms.ClassroomPolicy``).

    Called inside the edit's write transaction (``conn``), after the role check (``role``:
    the author's) and before the edit is applied to ``head`` (which it must not change);
    raising refuses the edit with nothing stored and no seq used.
    """

    def check_edit(
        self,
        conn: Any,
        score_id: str,
        author_id: int,
        role: str | None,
        ops: list[dict[str, Any]],
        origin: str,
        head: Doc,
    ) -> None: ...


class LogTampered(RuntimeError):
    """The score's stored head signature does not fit its log: edits were deleted or the
    head rolled back behind the server's back (or the log key changed). The server
    refuses to extend such a log, since signing a new head would make it look whole."""


def _log_key_bytes(key: bytes | str | None) -> bytes:
    if key is None or key == "":
        from .config import log_key

        key = log_key()
        if not key:
            raise ValueError("no log key (TUTTI_LOG_KEY or instance/log_key)")
    return key.encode("utf-8") if isinstance(key, str) else key


class ClientSeqReused(Exception):
    """A submit whose ``(client_id, client_seq)`` is already logged with a different edit.

    Acking it as a duplicate would silently lose the new ops, so it is refused:
    nothing is stored and no seq is used. ``seq`` is the earlier edit's.
    """

    def __init__(self, score_id: str, client_id: str, client_seq: int, seq: int) -> None:
        super().__init__(
            f"client seq {client_seq} of client {client_id!r} was already used for edit {seq}"
            " with another edit; use a new client seq"
        )
        self.score_id = score_id
        self.client_id = client_id
        self.client_seq = client_seq
        self.seq = seq


class OutOfOrder(Exception):
    """A submit that names (``after``) an earlier edit of its client not in the log yet.

    Run now, it would overtake that edit (refused or lost on the way) and could make it
    invalid, so it is refused: nothing stored, no seq used; the client sends it again.
    """

    def __init__(self, client_id: str, after: int) -> None:
        super().__init__(f"edit {after} of client {client_id!r} is not stored yet; send it first")
        self.after = after


def _resubmission(
    row: dict[str, Any], author_id: int, ops: list[dict[str, Any]], origin: str, meta: Any
) -> CommittedEdit:
    """The logged ``row`` as the ack of a resubmission, if it is the very same edit.

    ``ops`` and ``meta`` are normalised like the stored ones (``_as_json``), so equal
    edits compare equal; another author, other ops, origin or meta is a reused id.
    """
    same = (
        int(row["author_id"]) == author_id
        and row["ops"] == ops
        and row["origin"] == origin
        and row["meta"] == meta
    )
    if not same:
        raise ClientSeqReused(
            row["score_id"], str(row["client_id"]), int(row["client_seq"]), int(row["seq"])
        )
    return CommittedEdit.from_row(row, duplicate=True)


def _as_json(value: Any) -> Any:
    """A private copy of ``value`` as it reads back from JSON; ValueError if it is not JSON."""
    try:
        return json.loads(json.dumps(value, allow_nan=False))
    except TypeError as exc:
        raise ValueError(str(exc)) from None


def replay(doc: Doc, edits: list[list[dict[str, Any]]]) -> Doc:
    """Apply logged edits in order. Ops are deterministic, so skips recur exactly."""
    for ops in edits:
        apply_edit(doc, ops)
    return doc


class EditLog:
    """Commits and reads edits for every score in one database.

    Submits to one score are serialised in-process by a per-score lock (greenlets
    and threads) and across processes by the database lock on the score row.
    The head document of each score is cached and refreshed whenever the log moved
    on in another process; the cached heads together stay within ``cache_bytes``
    (estimated, ``score.size``), least recently used first out.
    """

    def __init__(
        self,
        db: Database,
        *,
        snapshot_every: int = 100,
        cache_bytes: int = CACHE_BYTES,
        log_key: bytes | str | None = None,
        policy: EditPolicy | None = None,
    ) -> None:
        """``log_key``: the HMAC key of the log; default ``TUTTI_LOG_KEY`` or the
        instance directory's ``log_key`` file (``server.config.log_key``). ``policy``:
        the one hook for rules beyond roles (classrooms), checked on every edit."""
        if snapshot_every < 1:
            raise ValueError("snapshot_every must be positive")
        self.db = db
        self._signer = LogSigner(_log_key_bytes(log_key))
        self.snapshot_every = snapshot_every
        self.cache_bytes = cache_bytes
        self._states: OrderedDict[str, _ScoreState] = OrderedDict()
        self._states_lock = threading.Lock()
        self._author_names: dict[int, str] = {}
        self.policy = policy

    @classmethod
    def open(
        cls,
        url: str,
        *,
        migrate: bool = True,
        snapshot_every: int = 100,
        log_key: bytes | str | None = None,
    ) -> EditLog:
        """A service over ``url``, migrating the database to head first (unless told not to)."""
        from .persistence import open_database

        return cls(
            open_database(url, migrate=migrate), snapshot_every=snapshot_every, log_key=log_key
        )

    def _state(self, score_id: str) -> _ScoreState:
        with self._states_lock:
            state = self._states.get(score_id)
            if state is None:
                state = self._states[score_id] = _ScoreState()
                self._evict()
            else:
                self._states.move_to_end(score_id)
            return state

    def _evict(self) -> None:
        """Forget the least recently used scores' cached heads while their estimated
        sizes add up to more than ``cache_bytes`` (caller holds ``_states_lock``).

        A score whose lock is held (a submit or load in flight) is neither measured nor
        dropped; its last estimate counts and its state is kept.
        """
        sizes: dict[str, int] = {}
        for score_id, state in self._states.items():
            head = state.head
            if head is None:
                continue
            if state.lock.acquire(blocking=False):
                try:
                    sizes[score_id] = head.estimate()
                finally:
                    state.lock.release()
            else:
                sizes[score_id] = head.size
        total = sum(sizes.values())
        for score_id in list(self._states):
            if total <= self.cache_bytes:
                break
            state = self._states[score_id]
            if state.lock.acquire(blocking=False):
                try:
                    del self._states[score_id]
                    state.head = None
                    total -= sizes.get(score_id, 0)
                finally:
                    state.lock.release()
        # States without a head cost next to nothing, but must not pile up forever.
        while len(self._states) > MAX_STATES:
            score_id = next(iter(self._states))
            state = self._states[score_id]
            if not state.lock.acquire(blocking=False):
                break
            try:
                del self._states[score_id]
                state.head = None
            finally:
                state.lock.release()

    def cached_bytes(self) -> int:
        """The estimated size of the cached heads (as of their last estimates)."""
        with self._states_lock:
            return sum(s.head.size for s in self._states.values() if s.head is not None)

    def forget_cache(self, score_id: str | None = None) -> None:
        """Drop cached heads (all, or one score's), e.g. to measure a cold load."""
        with self._states_lock:
            states = list(self._states.values()) if score_id is None else (
                [self._states[score_id]] if score_id in self._states else []
            )  # fmt: skip
        for state in states:
            with state.lock:
                state.head = None

    def _author_name(self, user_id: int) -> str:
        name = self._author_names.get(user_id)
        if name is None:
            with self.db.read() as conn:
                user = repository.user_by_id(conn, user_id)
            if user is None:
                raise UserNotFound(user_id)
            name = self._author_names[user_id] = str(user["display_name"])
        return name

    # --- scores ------------------------------------------------------------------------

    def create_score(self, owner_id: int, title: str = "Untitled", doc: Doc | None = None) -> str:
        """A new score owned by ``owner_id``; ``doc`` (default: a blank score) is seq 0."""
        if doc is None:
            doc = new_document(title=title)
        else:
            problems = check_invariants(doc)
            if problems:
                raise InvalidOp("the document is not sound: " + "; ".join(problems[:5]))
            doc = clone(doc)
            if title == "Untitled" and doc.get("title"):
                title = str(doc["title"])
        self._author_name(owner_id)
        with self.db.write() as conn:
            score_id = repository.new_score_id()
            repository.insert_score(
                conn, score_id, title, owner_id, dict(DEFAULT_SETTINGS), doc,
                head_sig=self._signer.head(score_id, 0, GENESIS_HASH, 1),
                snapshot_sig=self._signer.snapshot(score_id, 0, GENESIS_HASH, _as_json(doc)),
            )  # fmt: skip
        return score_id

    def import_score(
        self, owner_id: int, title: str, doc: Doc, *, filename: str, report: list[str]
    ) -> tuple[str, CommittedEdit]:
        """A new score whose content arrives as one attributed edit with origin ``import``.

        The score starts blank (seq 0) and the imported document is edit 1, so the
        import shows in the history, in blame and can be reverted like any edit.
        """
        clean_document(doc)  # refuse a bad file before a score is created for it
        score_id = self.create_score(owner_id, title, new_document(title=title))
        edit = self.submit(
            score_id,
            owner_id,
            [{"op": "replace_document", "doc": doc}],
            origin="import",
            meta={"filename": filename, "report": list(report)},
        )
        return score_id, edit

    # --- the log ----------------------------------------------------------------------

    def submit(
        self,
        score_id: str,
        author_id: int,
        ops: list[dict[str, Any]],
        *,
        client_id: str | None = None,
        client_seq: int | None = None,
        after: int | None = None,
        origin: str = "human",
        meta: dict[str, Any] | None = None,
        check_role: Callable[[str | None], None] | None = None,
    ) -> CommittedEdit:
        """Apply ``ops`` as one edit at the head and append it to the log, atomically.

        A resubmission of (client_id, client_seq) with the same author, ops, origin and
        meta returns the original with ``duplicate=True``; the same ids with anything
        else raise ``ClientSeqReused``. ``InvalidOp`` and ``ClientSeqReused`` store
        nothing and use no seq. With ``after``, the edit is refused (``OutOfOrder``) unless
        that client seq of the same client is logged: one client's edits keep their order.
        ``check_role`` is called with the author's role in the score, read inside the
        write transaction (one transaction per edit instead of two); whatever it
        raises refuses the edit with nothing stored.
        """
        if origin not in ORIGINS:
            raise ValueError(f"origin must be one of {ORIGINS}")
        if (client_id is None) != (client_seq is None):
            raise ValueError("client_id and client_seq go together")
        # Exactly what the database will hand back (string keys, lists, no NaN): the hash
        # is computed on this form, so verify_log recomputes the very same bytes.
        try:
            ops = _as_json(ops)
        except ValueError as exc:
            raise InvalidOp(f"an edit must be plain JSON: {exc}") from None
        meta = _as_json(meta or {})
        if not isinstance(meta, dict):
            raise ValueError("meta must be an object")
        author_name = self._author_name(author_id)
        state = self._state(score_id)
        with state.lock:
            try:
                return self._commit(
                    state, score_id, author_id, author_name, ops,
                    client_id, client_seq, after, origin, meta, check_role,
                )  # fmt: skip
            except DuplicateEdit:
                # Another process committed the same client seq between our check and
                # our insert; the unique constraint caught it and we rolled back.
                if client_id is None or client_seq is None:
                    raise
                original = self._find_duplicate(
                    score_id, client_id, client_seq, author_id, ops, origin, meta
                )
                if original is None:
                    raise
                return original

    def _find_duplicate(
        self,
        score_id: str,
        client_id: str,
        client_seq: int,
        author_id: int,
        ops: list[dict[str, Any]],
        origin: str,
        meta: dict[str, Any],
    ) -> CommittedEdit | None:
        """The logged edit with these client ids as a duplicate ack, or None if none is.

        Raises ``ClientSeqReused`` when the logged edit is not this one.
        """
        with self.db.read() as conn:
            row = repository.edit_by_client(conn, score_id, client_id, client_seq)
        return None if row is None else _resubmission(row, author_id, ops, origin, meta)

    def _commit(
        self,
        state: _ScoreState,
        score_id: str,
        author_id: int,
        author_name: str,
        ops: list[dict[str, Any]],
        client_id: str | None,
        client_seq: int | None,
        after: int | None,
        origin: str,
        meta: dict[str, Any],
        check_role: Callable[[str | None], None] | None = None,
    ) -> CommittedEdit:
        mutated = False
        try:
            with self.db.write() as conn:
                # Checked before the seq is taken, so a duplicate costs no rollback. A race
                # with another process is caught by the unique constraint. One statement
                # reads both the duplicate and the author's role.
                role, earlier = repository.role_and_duplicate(
                    conn, score_id, author_id, client_id, client_seq
                )
                if earlier is not None and client_id is not None and client_seq is not None:
                    found = repository.edit_by_client(conn, score_id, client_id, client_seq)
                    if found is not None:
                        try:
                            return _resubmission(found, author_id, ops, origin, meta)
                        except ClientSeqReused:
                            # Someone without the right to edit learns nothing more
                            # than "forbidden" about what is logged.
                            if check_role is not None:
                                check_role(role)
                            raise
                if check_role is not None:
                    check_role(role)
                if (
                    after is not None
                    and client_id is not None
                    and not repository.client_edit_logged(conn, score_id, client_id, after)
                ):
                    raise OutOfOrder(client_id, after)
                locked = repository.lock_next_head(conn, score_id)
                if locked is None:
                    raise ScoreNotFound(score_id)
                seq, head_sig, keyed_from = locked
                head = self._head_at(conn, state, score_id, seq - 1)
                # Extend only the head this server signed: after a rollback (newest edits
                # deleted, head_seq lowered) a freshly signed head would hide the deletion.
                # NULL = a log from before keyed hashing: extended, left unsigned.
                signed = head_sig is not None
                if (
                    signed
                    and state.signed != (seq - 1, head.hash, keyed_from, head_sig)
                    and not self._signer.check(
                        head_sig, self._signer.head(score_id, seq - 1, head.hash, keyed_from)
                    )
                ):
                    raise LogTampered(
                        f"score {score_id}: the signed head does not match edit {seq - 1};"
                        " run `tutti verify-log`"
                    )
                if self.policy is not None:
                    self.policy.check_edit(conn, score_id, author_id, role, ops, origin, head.doc)
                title_before = head.doc.get("title")
                mutated = True
                # A private copy: the document must not alias objects of the logged ops.
                result = apply_edit(head.doc, _as_json(ops))
                row: dict[str, Any] = {
                    "score_id": score_id,
                    "seq": seq,
                    "author_id": author_id,
                    "client_id": client_id,
                    "client_seq": client_seq,
                    "ops": ops,
                    # Normalised like the ops: hashed and returned exactly as stored, and
                    # never aliasing the live document.
                    "inverse": _as_json(result.inverse),
                    "skipped": _as_json(result.skipped),
                    "origin": origin,
                    "meta": meta,
                    "created_at": repository.utcnow(),
                    "prev_hash": head.hash,
                }
                row["hash"] = self._signer.edit_hash(head.hash, row)
                repository.insert_edit(conn, row)
                new_sig = None
                if signed:
                    new_sig = self._signer.head(score_id, seq, row["hash"], keyed_from)
                    repository.set_head_sig(conn, score_id, new_sig)
                if seq % self.snapshot_every == 0:
                    sig = self._signer.snapshot(score_id, seq, row["hash"], head.doc)
                    repository.insert_snapshot(conn, score_id, seq, head.doc, sig=sig)
                if head.doc.get("title") != title_before:
                    repository.set_title(conn, score_id, str(head.doc.get("title") or ""))
            # Committed: only now does the cached head move on.
            head.seq = seq
            head.hash = row["hash"]
            state.signed = None if new_sig is None else (seq, row["hash"], keyed_from, new_sig)
        except InvalidOp:
            # apply_edit undid its own partial work and the transaction rolled back:
            # nothing is stored, no seq is consumed and the cached head is still right.
            raise
        except BaseException:
            if mutated:
                state.head = None  # the cached document may hold an edit that was not stored
            raise
        return CommittedEdit.from_row({**row, "author_name": author_name})

    def _head_at(self, conn: Any, state: _ScoreState, score_id: str, seq: int) -> _Head:
        """The cached head brought to ``seq`` (caller holds ``state.lock``).

        When other processes moved the log on by a few edits, replaying just those onto
        the cached document is far cheaper than starting again from a snapshot.
        """
        head = state.head
        if head is not None and head.seq == seq:
            return head
        state.head = None  # until the refresh below has fully succeeded
        if head is not None and head.seq < seq <= head.seq + self.snapshot_every:
            head.hash = self._replay_tail(conn, score_id, head.doc, head.seq, seq, head.hash)
            head.seq = seq
        else:
            head = self._build_head(conn, score_id, seq)
            head.estimate()
            state.head = head
            with self._states_lock:
                self._evict()  # a new document came in: make room for it
        state.head = head
        return head

    def _build_head(self, conn: Any, score_id: str, seq: int) -> _Head:
        """The document after edit ``seq``: nearest snapshot, then replay of the tail."""
        found = repository.snapshot_at_or_before(conn, score_id, seq)
        if found is None:
            raise ScoreNotFound(score_id)
        snap_seq, doc = found
        if snap_seq == seq:
            last_hash = GENESIS_HASH if seq == 0 else repository.edit_hash_at(conn, score_id, seq)
            if last_hash is None:
                raise RuntimeError(f"score {score_id}: edit {seq} is missing from the log")
        else:
            last_hash = self._replay_tail(conn, score_id, doc, snap_seq, seq, "")
        return _Head(seq=seq, doc=doc, hash=last_hash)

    @staticmethod
    def _replay_tail(
        conn: Any, score_id: str, doc: Doc, after: int, upto: int, last_hash: str
    ) -> str:
        """Replay edits ``after < seq <= upto`` onto ``doc`` (one query); the last hash."""
        rows = repository.tail(conn, score_id, after, upto)
        if [r[0] for r in rows] != list(range(after + 1, upto + 1)):
            raise RuntimeError(f"score {score_id}: edits {after + 1}..{upto} are not all logged")
        for _, ops, edit_hash_value in rows:
            apply_edit(doc, ops)
            last_hash = edit_hash_value
        return last_hash

    def load(self, score_id: str) -> tuple[Doc, int]:
        """The head document (a private copy) and its seq."""
        state = self._state(score_id)
        with state.lock, self.db.read() as conn:
            seq = repository.head_seq(conn, score_id)
            if seq is None:
                raise ScoreNotFound(score_id)
            # A JSON round trip copies plain data about twice as fast as deepcopy.
            return _as_json(self._head_at(conn, state, score_id, seq).doc), seq

    def read_head(self, score_id: str, read: Callable[[Doc, int], T]) -> T:
        """``read(doc, seq)`` on the head document itself, under the score's lock: no copy.

        For quick readers that only look (comment anchors): ``read`` must neither change
        nor keep ``doc``, and it holds up edits of this score while it runs.
        """
        state = self._state(score_id)
        with state.lock, self.db.read() as conn:
            seq = repository.head_seq(conn, score_id)
            if seq is None:
                raise ScoreNotFound(score_id)
            return read(self._head_at(conn, state, score_id, seq).doc, seq)

    def doc_at(self, score_id: str, seq: int) -> Doc:
        """The document as it was right after edit ``seq`` (0 = as created)."""
        with self.db.read() as conn:
            head = repository.head_seq(conn, score_id)
            if head is None:
                raise ScoreNotFound(score_id)
            if not 0 <= seq <= head:
                raise ValueError(f"seq {seq} is outside 0..{head}")
            return self._build_head(conn, score_id, seq).doc

    def head_seq(self, score_id: str) -> int:
        with self.db.read() as conn:
            seq = repository.head_seq(conn, score_id)
        if seq is None:
            raise ScoreNotFound(score_id)
        return seq

    def edits_since(self, score_id: str, seq: int, limit: int | None = None) -> list[CommittedEdit]:
        """Edits after ``seq`` in order (what a reconnecting client is missing)."""
        with self.db.read() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            rows = repository.edit_rows(conn, score_id, after=seq, limit=limit)
        return [CommittedEdit.from_row(r) for r in rows]

    def edits(
        self, score_id: str, *, from_seq: int = 1, to_seq: int | None = None
    ) -> list[CommittedEdit]:
        """Edits with ``from_seq <= seq <= to_seq`` in order."""
        with self.db.read() as conn:
            if repository.head_seq(conn, score_id) is None:
                raise ScoreNotFound(score_id)
            rows = repository.edit_rows(conn, score_id, after=from_seq - 1, upto=to_seq)
        return [CommittedEdit.from_row(r) for r in rows]

    def edit_at(self, score_id: str, seq: int) -> CommittedEdit | None:
        found = self.edits(score_id, from_seq=seq, to_seq=seq)
        return found[0] if found else None

    def verify_log(self, score_id: str, *, warnings: list[str] | None = None) -> list[str]:
        """Every way the log is damaged: gaps, broken links, rows whose (keyed) hash no
        longer fits, a head signature that does not fit the log's end (newest edits
        deleted, head rolled back), snapshots whose signature does not fit.

        Notes that are not damage (edits from before keyed hashing) go to ``warnings``.
        """
        check = self._check_log(score_id)
        if warnings is not None:
            warnings.extend(check.warnings)
        return check.problems + check.unsigned

    def sign_log(self, score_id: str) -> list[str]:
        """Sign the head and snapshots of a log from before keyed hashing (trust on first use).

        Refuses, returning the problems, when the log is damaged in any other way; a
        pre-key snapshot is signed only if it equals the replay of the log up to it.
        Returns [] when signed (or when everything already was).
        """
        check = self._check_log(score_id)
        if check.problems:
            return check.problems
        if not check.unsigned:
            return []
        docs = dict(self._replayed_snapshots(score_id, {s for s in check.unsigned_snapshots if s}))
        with self.db.write() as conn:
            for seq in check.unsigned_snapshots:
                found = repository.snapshots_at(conn, score_id, [seq])
                if not found:
                    return [f"snapshot {seq} disappeared while signing"]
                doc = found[0][1]
                if seq and docs.get(seq) != doc:
                    return [f"snapshot {seq}: document differs from the replay of the log"]
                repository.set_snapshot_sig(
                    conn, score_id, seq,
                    self._signer.snapshot(score_id, seq, check.hashes[seq], doc),
                )  # fmt: skip
            sig = self._signer.head(score_id, check.head, check.last_hash, check.keyed_from)
            # Only the head that was checked: an edit committed meanwhile moved head_seq.
            if not repository.sign_unsigned_head(conn, score_id, check.head, check.keyed_from, sig):
                raise RuntimeError(f"score {score_id} moved on while signing; run it again")
        self.forget_cache(score_id)
        return []

    def _replayed_snapshots(self, score_id: str, seqs: set[int]) -> list[tuple[int, Doc]]:
        """The documents after edits ``seqs``, replayed from the seq-0 snapshot."""
        out: list[tuple[int, Doc]] = []
        with self.db.read() as conn:
            found = repository.snapshots_at(conn, score_id, [0])
            if not found:
                return out
            doc, left = found[0][1], set(seqs)
            for row in repository.iter_edit_rows(conn, score_id):
                if not left:
                    break
                apply_edit(doc, row["ops"])
                if int(row["seq"]) in left:
                    left.discard(int(row["seq"]))
                    out.append((int(row["seq"]), _as_json(doc)))
        return out

    def _check_log(self, score_id: str) -> _LogCheck:
        with self.db.read() as conn:
            found = repository.log_head(conn, score_id)
            if found is None:
                raise ScoreNotFound(score_id)
            head, head_sig, keyed_from = found
            check = _LogCheck(head=head, keyed_from=keyed_from)
            problems = check.problems
            snapshots = repository.snapshot_sigs(conn, score_id)
            wanted = {seq for seq, _ in snapshots}
            expected_seq, prev = 1, GENESIS_HASH
            check.hashes[0] = GENESIS_HASH
            for row in repository.iter_edit_rows(conn, score_id):
                seq = int(row["seq"])
                if seq != expected_seq:
                    problems.append(f"seq {expected_seq}..{seq - 1} missing (gap in the log)")
                if row["prev_hash"] != prev:
                    problems.append(f"edit {seq}: prev_hash does not match edit {seq - 1}'s hash")
                if seq >= keyed_from:
                    if not self._signer.check(
                        row["hash"], self._signer.edit_hash(row["prev_hash"], row)
                    ):
                        problems.append(
                            f"edit {seq}: content does not match its keyed hash"
                            " (modified, or re-hashed without the log key)"
                        )
                elif edit_hash(row["prev_hash"], row) != row["hash"]:
                    problems.append(f"edit {seq}: content does not match its hash (modified)")
                if seq in wanted:
                    check.hashes[seq] = str(row["hash"])
                prev, expected_seq = row["hash"], seq + 1
            check.last_hash = prev
            if expected_seq - 1 != head:
                problems.append(f"head_seq is {head} but the log ends at {expected_seq - 1}")
            if head_sig is None:
                check.unsigned.append(
                    "the head is not signed: a log from before keyed hashing (check it, then"
                    " `tutti sign-log`), or its signature was removed"
                )
            elif not self._signer.check(
                head_sig, self._signer.head(score_id, head, prev, keyed_from)
            ):
                problems.append(
                    f"the signed head does not match seq {head} and the last edit's hash:"
                    " newest edits deleted or the head rolled back (or another log key)"
                )
            if keyed_from > 1:
                check.warnings.append(
                    f"edits 1..{keyed_from - 1} carry unkeyed (legacy) hashes; they are only"
                    " protected through the signed head, from when it was first signed"
                )
            for seq, sig in snapshots:
                if seq not in check.hashes:
                    problems.append(f"snapshot {seq}: there is no edit {seq} in the log")
                elif sig is None:
                    check.unsigned_snapshots.append(seq)
                    check.unsigned.append(f"snapshot {seq} is not signed")
                else:
                    doc = repository.snapshots_at(conn, score_id, [seq])[0][1]
                    computed = self._signer.snapshot(score_id, seq, check.hashes[seq], doc)
                    if not self._signer.check(sig, computed):
                        problems.append(
                            f"snapshot {seq}: document does not match its signature (forged)"
                        )
        return check


@dataclass
class _LogCheck:
    """What ``_check_log`` found: damage, missing signatures (a pre-key log) and notes."""

    head: int
    keyed_from: int
    last_hash: str = GENESIS_HASH
    problems: list[str] = field(default_factory=list)
    unsigned: list[str] = field(default_factory=list)
    unsigned_snapshots: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hashes: dict[int, str] = field(default_factory=dict)


__all__ = [
    "ClientSeqReused",
    "CommittedEdit",
    "EditLog",
    "LogTampered",
    "ScoreNotFound",
    "UserNotFound",
    "replay",
]
