"""``RowsRead``: how many rows of one table the queries on a real engine return.

Each SELECT whose ``FROM`` names the table is run a second time as ``SELECT count(*)
FROM (...)`` on the same DBAPI connection (same transaction, same parameters), so the
count is what the query really returned, whatever the caller fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine


class RowsRead:
    """Rows of ``table`` returned by SELECTs on ``engine`` while ``counting()`` is active."""

    def __init__(self, engine: Engine, table: str) -> None:
        self.engine = engine
        self.pattern = re.compile(rf"\bFROM\s+{re.escape(table)}\b", re.IGNORECASE)
        self.rows = 0
        self.statements: list[str] = []

    def _after(
        self, conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if many or not statement.lstrip().upper().startswith("SELECT"):
            return
        if not self.pattern.search(statement):
            return
        counter = cursor.connection.cursor()
        try:
            counter.execute(f"SELECT count(*) FROM ({statement}) AS counted", parameters)
            self.rows += int(counter.fetchone()[0])
        finally:
            counter.close()
        self.statements.append(statement)

    @contextmanager
    def counting(self) -> Iterator[RowsRead]:
        self.rows, self.statements = 0, []
        event.listen(self.engine, "after_cursor_execute", self._after)
        try:
            yield self
        finally:
            event.remove(self.engine, "after_cursor_execute", self._after)
