"""``CommentService``: the comments use case. Who may read, write, resolve, edit and delete
comments; threads (a root with its anchor, replies); anchoring a comment to the head
document and locating every anchor in it; mentions (``@name``) -> stored notifications;
the comments part of the history export.

Calls the ``EditLog`` (the head document), the record repositories and ``.anchors``: no
Flask, Socket.IO or SQL (the web layer broadcasts what this returns).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..auth.roles import at_least, require
from ..editing import EditLog
from ..errors import TuttiError
from ..persistence import Comments, Members, Notifications, Repositories, Users
from ..score.model import Doc
from .anchors import Locator, bind

MAX_BODY = 4000
MAX_MENTIONS = 20
#: ``@name`` not inside a word or an e-mail address; names as sign-up allows them.
MENTION = re.compile(r"(?<![\w.@-])@([A-Za-z0-9_.-]{1,40})(?![A-Za-z0-9_.-])")
#: Control characters other than tab and newline: refused in a comment's text.
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
EXPORT_COLUMNS = (
    "id", "thread", "seq", "time", "author", "anchor", "state", "resolved", "body",
)  # fmt: skip

_ACTIONS = {
    "viewer": "read this score's comments",
    "commenter": "comment on this score",
    "owner": "delete other people's comments",
}


class CommentError(TuttiError):
    """A refused comment action: ``bad_request``, ``not_found``, ``forbidden`` or (too many
    writes, raised by the web layer) ``rate_limited``."""


def mentioned_names(body: str) -> list[str]:
    """The user names ``@mentioned`` in ``body``, first mention first, each once."""
    seen: dict[str, None] = {}
    for match in MENTION.finditer(body):
        seen.setdefault(match.group(1).rstrip("."), None)
    return list(seen)[:MAX_MENTIONS]


def _body(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise CommentError("bad_request", "a comment needs some text")
    text = raw.strip()
    if len(text) > MAX_BODY:
        raise CommentError("bad_request", f"a comment holds at most {MAX_BODY} characters")
    if CONTROL.search(text):
        raise CommentError("bad_request", "a comment may not hold control characters")
    return text


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, datetime) else None


@dataclass
class Change:
    """What an action did, for the web layer to broadcast: the thread as it is now (None:
    deleted) and the notifications to deliver, per user."""

    score_id: str
    action: str
    thread_id: int
    thread: dict[str, Any] | None
    notifications: list[dict[str, Any]] = field(default_factory=list)

    def to_wire(self) -> dict[str, Any]:
        return {
            "score": self.score_id,
            "action": self.action,
            "thread_id": self.thread_id,
            "thread": self.thread,
        }


class CommentService:
    """Comments on the scores of one ``EditLog``; every method checks who may do it."""

    def __init__(
        self,
        scores: EditLog,
        *,
        users: Users,
        members: Members,
        comments: Comments,
        notifications: Notifications,
    ) -> None:
        self.scores = scores
        self.users = users
        self.members = members
        self.store = comments
        self.inbox = notifications

    @classmethod
    def over(cls, scores: EditLog, repos: Repositories) -> CommentService:
        return cls(
            scores,
            users=repos.users,
            members=repos.members,
            comments=repos.comments,
            notifications=repos.notifications,
        )

    # --- who -------------------------------------------------------------------------------

    def _require(self, score_id: str, user_id: int, needed: str) -> str:
        return require(self.members.role_of(score_id, user_id), needed, _ACTIONS[needed])

    def _person(self, user_id: int | None) -> dict[str, Any] | None:
        if user_id is None:
            return None
        row = self.users.user_by_id(user_id) or {}
        return {
            "id": user_id,
            "name": str(row.get("name") or f"user {user_id}"),
            "display_name": str(row.get("display_name") or row.get("name") or ""),
        }

    # --- reading ---------------------------------------------------------------------------

    def threads(self, score_id: str, user_id: int) -> dict[str, Any]:
        """Every thread of the score, oldest first, each anchor located in the head."""
        self._require(score_id, user_id, "viewer")
        rows = self.store.of_score(score_id)
        head, threads, _ = self._threads(score_id, rows)
        return {"seq": head, "threads": threads}

    def _threads(
        self, score_id: str, rows: list[dict[str, Any]]
    ) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
        """(head seq, the threads of ``rows`` located in the head, part id -> name)."""
        roots = [row for row in rows if row["parent_id"] is None]

        def look(doc: Doc, seq: int) -> tuple[int, list[dict[str, Any]], dict[str, str]]:
            # Under the score's lock, on the head itself: only locate, copy nothing big.
            locator = Locator(doc)
            names = {p["id"]: str(p.get("name", "")) for p in doc["parts"]}
            return seq, [locator.locate(row["anchor"] or {}) for row in roots], names

        head, locations, names = self.scores.read_head(score_id, look)
        replies: dict[int, list[dict[str, Any]]] = {}
        for row in rows:
            if row["parent_id"] is not None:
                replies.setdefault(row["parent_id"], []).append(self._comment(row))
        threads = [
            self._root(row, where, replies.get(row["id"], []))
            for row, where in zip(roots, locations, strict=True)
        ]
        return head, threads, names

    def _comment(self, row: dict[str, Any]) -> dict[str, Any]:
        return {
            "id": row["id"],
            "parent": row["parent_id"],
            "author": {
                "id": row["author_id"],
                "name": row["author_name"],
                "display_name": row["author_display_name"] or row["author_name"],
            },
            "body": row["body"],
            "seq": row["seq"],
            "created_at": _iso(row["created_at"]),
            "edited_at": _iso(row["edited_at"]),
        }

    def _root(
        self, row: dict[str, Any], location: dict[str, Any], replies: list[dict[str, Any]]
    ) -> dict[str, Any]:
        anchor = row["anchor"] or {}
        resolved = None
        if row["resolved_at"] is not None:
            resolved = {"by": self._person(row["resolved_by"]), "at": _iso(row["resolved_at"])}
        return {
            **self._comment(row),
            "anchor": anchor,
            "location": location,
            "resolved": resolved,
            "replies": replies,
        }

    def _thread(self, score_id: str, thread_id: int) -> dict[str, Any] | None:
        rows = [r for r in self.store.of_thread(thread_id) if r["score_id"] == score_id]
        _, threads, _ = self._threads(score_id, rows)
        return threads[0] if threads else None

    def _found(self, score_id: str, comment_id: Any) -> dict[str, Any]:
        if not isinstance(comment_id, int) or isinstance(comment_id, bool):
            raise CommentError("bad_request", "name a comment by its id")
        row = self.store.get(comment_id)
        if row is None or row["score_id"] != score_id:
            raise CommentError("not_found", f"no comment {comment_id} in this score")
        return row

    # --- writing ---------------------------------------------------------------------------

    def create(self, score_id: str, user_id: int, data: dict[str, Any]) -> Change:
        """``{"body", "anchor"}`` starts a thread; ``{"body", "parent"}`` replies to one."""
        self._require(score_id, user_id, "commenter")
        body = _body(data.get("body"))
        parent = data.get("parent")
        if parent is not None:
            if "anchor" in data:
                raise CommentError("bad_request", "a reply takes its thread's anchor")
            root = self._found(score_id, parent)
            # A reply to a reply joins the same thread: threads are one level deep.
            thread_id = root["parent_id"] or root["id"]
            head = self.scores.head_seq(score_id)
            row = self.store.create(score_id, user_id, body, head, parent_id=thread_id)
        else:
            raw = data.get("anchor")
            anchor, head = self.scores.read_head(score_id, lambda doc, seq: (bind(raw, doc), seq))
            row = self.store.create(score_id, user_id, body, head, anchor=anchor)
            thread_id = row["id"]
        action = "replied" if parent is not None else "created"
        notes = self._mention(score_id, row, user_id, mentioned_names(body))
        return Change(score_id, action, thread_id, self._thread(score_id, thread_id), notes)

    def edit(self, score_id: str, comment_id: Any, user_id: int, body: Any) -> Change:
        """The author changes their text; people newly mentioned are notified."""
        self._require(score_id, user_id, "commenter")
        row = self._found(score_id, comment_id)
        if row["author_id"] != user_id:
            raise CommentError("forbidden", "only its author can edit a comment")
        text = _body(body)
        updated = self.store.edit(row["id"], text)
        assert updated is not None
        before = set(mentioned_names(row["body"]))
        fresh = [n for n in mentioned_names(text) if n not in before]
        notes = self._mention(score_id, updated, user_id, fresh)
        thread_id = row["parent_id"] or row["id"]
        return Change(score_id, "edited", thread_id, self._thread(score_id, thread_id), notes)

    def delete(self, score_id: str, comment_id: Any, user_id: int) -> Change:
        """The author deletes their comment, an owner any; a root takes its replies."""
        role = self._require(score_id, user_id, "commenter")
        row = self._found(score_id, comment_id)
        if row["author_id"] != user_id and not at_least(role, "owner"):
            self._require(score_id, user_id, "owner")
        self.store.delete(row["id"])
        thread_id = row["parent_id"] or row["id"]
        thread = self._thread(score_id, thread_id) if row["parent_id"] is not None else None
        return Change(score_id, "deleted", thread_id, thread)

    def resolve(self, score_id: str, comment_id: Any, user_id: int, resolved: Any) -> Change:
        """Resolve (``True``) or reopen (``False``) a thread; anyone who may comment."""
        self._require(score_id, user_id, "commenter")
        if not isinstance(resolved, bool):
            raise CommentError("bad_request", "resolved must be true or false")
        row = self._found(score_id, comment_id)
        thread_id = row["parent_id"] or row["id"]
        self.store.set_resolved(thread_id, user_id if resolved else None)
        action = "resolved" if resolved else "reopened"
        return Change(score_id, action, thread_id, self._thread(score_id, thread_id))

    # --- mentions and notifications --------------------------------------------------------

    def _mention(
        self, score_id: str, row: dict[str, Any], author_id: int, names: list[str]
    ) -> list[dict[str, Any]]:
        """Notify the members named (never the author, never a non-member: they could
        not read the comment)."""
        user_ids: list[int] = []
        for name in names:
            user = self.users.user_by_name(name)
            if user is None or user["id"] == author_id or user["id"] in user_ids:
                continue
            if self.members.role_of(score_id, user["id"]) is None:
                continue
            user_ids.append(int(user["id"]))
        stored = self.inbox.add(user_ids, score_id, row["id"], author_id, "mention")
        return [self._notification(n, row) for n in stored]

    def _notification(self, note: dict[str, Any], row: dict[str, Any] | None) -> dict[str, Any]:
        comment = row or self.store.get(note["comment_id"]) or {}
        return {
            "id": note["id"],
            "user_id": note["user_id"],
            "kind": note["kind"],
            "score": note["score_id"],
            "comment": note["comment_id"],
            "thread": comment.get("parent_id") or note["comment_id"],
            "actor": self._person(note["actor_id"]),
            "excerpt": str(comment.get("body", ""))[:200],
            "created_at": _iso(note["created_at"]),
            "read": note["read_at"] is not None,
        }

    def notifications(self, user_id: int, *, unread_only: bool = True) -> list[dict[str, Any]]:
        """The user's notifications, newest first (only of scores they can still open)."""
        found = []
        for note in self.inbox.of_user(user_id, unread_only=unread_only):
            if self.members.role_of(note["score_id"], user_id) is not None:
                found.append(self._notification(note, None))
        return found

    def mark_read(self, user_id: int, ids: Any) -> int:
        """Mark ``ids`` (a list of notification ids) or everything (``None``) read."""
        if ids is not None and (
            not isinstance(ids, list)
            or len(ids) > 1000
            or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids)
        ):
            raise CommentError("bad_request", "ids must be a list of notification ids")
        return self.inbox.mark_read(user_id, ids)

    # --- export ----------------------------------------------------------------------------

    def export_rows(self, score_id: str, user_id: int) -> list[dict[str, Any]]:
        """Every comment, oldest first, flat, for the history export (viewers and up)."""
        self._require(score_id, user_id, "viewer")
        return self.all_rows(score_id)

    def all_rows(self, score_id: str) -> list[dict[str, Any]]:
        """The export rows with no role check: for ``tutti history`` (an admin's tool)."""
        _, threads, names = self._threads(score_id, self.store.of_score(score_id))
        rows = []
        for thread in threads:
            where = describe_anchor(thread["anchor"], thread["location"], names)
            for comment in [thread, *thread["replies"]]:
                rows.append(
                    {
                        "id": comment["id"],
                        "thread": thread["id"],
                        "seq": comment["seq"],
                        "time": comment["created_at"],
                        "author": comment["author"]["name"],
                        "anchor": where,
                        "state": thread["location"]["state"],
                        "resolved": thread["resolved"] is not None,
                        "body": comment["body"],
                    }
                )
        rows.sort(key=lambda r: r["id"])
        return rows


def describe_anchor(
    anchor: dict[str, Any], location: dict[str, Any], part_names: dict[str, str]
) -> str:
    """``"note in m. 3, Soprano"``, ``"mm. 2–4"``, ``"Alto"``; ``"detached (was m. 3)"``."""
    if location.get("state") != "attached":
        was = anchor.get("was", {})
        return f"detached (was {_measures(was)})" if "first" in was else "detached"
    name = part_names.get(location.get("part") or "", "")
    if anchor.get("kind") == "part":
        return name
    what = "note in " if anchor.get("kind") == "event" else ""
    return f"{what}{_measures(location)}" + (f", {name}" if name else "")


def _measures(where: dict[str, Any]) -> str:
    first, last = where.get("first"), where.get("last", where.get("first"))
    return f"m. {first}" if first == last else f"mm. {first}–{last}"


def to_csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
