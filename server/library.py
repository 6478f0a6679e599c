"""The library use case: a person's scores (search, sort, "shared with me"), rename,
duplicate, delete to the trash, restore, and the purge of scores trashed more than
``TRASH_DAYS`` ago. No Flask, Socket.IO or SQL.

A rename is an ordinary attributed edit (``set_meta`` title), so it shows in history and
reaches open editors like any edit; the caller broadcasts the edit it returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .auth.roles import require
from .errors import TuttiError

if TYPE_CHECKING:
    from .editing import CommittedEdit, EditLog
    from .persistence import Members, Repositories, Trash

MAX_TITLE = 200
#: ``sort`` values: the key and whether larger comes first.
SORTS: dict[str, tuple[str, bool]] = {
    "edited": ("edited_at", True),
    "created": ("created_at", True),
    "title": ("title", False),
    "edits": ("head_seq", True),
}


class LibraryError(TuttiError):
    """Refused: ``bad_request`` or ``not_found``."""


def _title(value: Any) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TITLE:
        raise LibraryError("bad_request", f"a title has 1..{MAX_TITLE} characters")
    return value.strip()


@dataclass
class Library:
    edit_log: EditLog
    members: Members
    trash: Trash

    @classmethod
    def over(cls, edit_log: EditLog, repos: Repositories) -> Library:
        return cls(edit_log, repos.members, repos.trash)

    def scores(self, user_id: int, query: str = "", sort: str = "edited") -> list[dict[str, Any]]:
        """The scores ``user_id`` may open, whose title contains ``query`` (any case),
        sorted; each with ``shared`` (true: someone else's score shared with me)."""
        if sort not in SORTS:
            raise LibraryError("bad_request", f"sort must be one of {', '.join(SORTS)}")
        if not isinstance(query, str) or len(query) > MAX_TITLE:
            raise LibraryError("bad_request", "the search is too long")
        self.trash.purge()
        needle = query.strip().casefold()
        rows = [
            {**row, "shared": row["owner_id"] != user_id}
            for row in self.members.scores_for(user_id)
            if needle in str(row["title"] or "").casefold()
        ]
        key, newest_first = SORTS[sort]

        def sort_key(row: dict[str, Any]) -> Any:
            value = row[key]
            if key == "edited_at" and value is None:
                return row["created_at"]
            return value.casefold() if isinstance(value, str) else value

        return sorted(rows, key=sort_key, reverse=newest_first)

    def rename(self, score_id: str, user_id: int, title: Any) -> CommittedEdit:
        """A ``set_meta`` edit by ``user_id`` (editors and owners)."""
        clean = _title(title)

        def may_edit(role: str | None) -> None:
            require(role, "editor", "rename this score")

        return self.edit_log.submit(
            score_id, user_id, [{"op": "set_meta", "title": clean}], check_role=may_edit
        )

    def duplicate(self, score_id: str, user_id: int, title: Any = None) -> str:
        """A new score owned by ``user_id`` holding a copy of the head (any member may
        copy what they can read); its log starts fresh."""
        require(self.members.role_of(score_id, user_id), "viewer", "copy this score")
        doc, _ = self.edit_log.load(score_id)
        name = _title(title) if title is not None else f"Copy of {doc.get('title') or 'Untitled'}"
        doc["title"] = name[:MAX_TITLE]
        return self.edit_log.create_score(user_id, doc["title"], doc)

    def delete(self, score_id: str, user_id: int) -> None:
        """To the trash (owners): hidden from every member, restorable for TRASH_DAYS."""
        require(self.members.role_of(score_id, user_id), "owner", "delete this score")
        self.trash.put(score_id, user_id)

    def restore(self, score_id: str, user_id: int) -> None:
        if not self.trash.is_trashed(score_id):
            raise LibraryError("not_found", "this score is not in the trash")
        require(self.trash.owner_role(score_id, user_id), "owner", "restore this score")
        self.trash.restore(score_id)

    def trashed(self, user_id: int) -> list[dict[str, Any]]:
        """The caller's trashed scores, purging those past their time first."""
        self.trash.purge()
        return self.trash.owned_by(user_id)


__all__ = ["SORTS", "Library", "LibraryError"]
