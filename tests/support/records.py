"""``records(log)``: the record repositories over the same database as an ``EditLog``, for
test set-up and checks (users, members, settings...); production code is handed only the
repositories it needs (see ``server.persistence.Repositories``)."""

from __future__ import annotations

from typing import Any

from server.persistence import Repositories

_by_db: dict[int, tuple[Any, Repositories]] = {}


def records(log: Any) -> Repositories:
    """The repositories over ``log.db`` (one bundle per database object)."""
    found = _by_db.get(id(log.db))
    if found is None or found[0] is not log.db:
        found = _by_db[id(log.db)] = (log.db, Repositories.over(log.db))
    return found[1]
