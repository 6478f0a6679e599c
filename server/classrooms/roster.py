"""Parsing a class roster CSV (``name,display_name,password``, header optional) and a
groups spec (``"ana,ben;cy,dee"``). Pure."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from ..errors import TuttiError

NAME = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")
MAX_ROWS = 2000
MAX_DISPLAY_NAME = 80


class ClassroomError(TuttiError):
    """A refused classroom action: ``bad_request``, ``not_found``, ``forbidden``..."""


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    display_name: str
    password: str


def parse_roster(text: str) -> list[RosterRow]:
    """The rows of a roster; ``bad_request`` naming the first bad line."""
    rows: list[RosterRow] = []
    seen: set[str] = set()
    for line, fields in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not fields or all(not f.strip() for f in fields):
            continue
        cells = [f.strip() for f in fields]
        if line == 1 and cells[0].lower() == "name":
            continue  # the header
        if len(cells) > 3:
            raise ClassroomError("bad_request", f"line {line}: expected name,display_name,password")
        name, display, password = (cells + ["", ""])[:3]
        if not NAME.match(name):
            raise ClassroomError(
                "bad_request", f"line {line}: a user name has 1..40 of A-Z a-z 0-9 _ . -"
            )
        if name in seen:
            raise ClassroomError("bad_request", f"line {line}: {name!r} is listed twice")
        if len(display) > MAX_DISPLAY_NAME:
            raise ClassroomError("bad_request", f"line {line}: the display name is too long")
        seen.add(name)
        rows.append(RosterRow(line, name, display or name, password))
        if len(rows) > MAX_ROWS:
            raise ClassroomError("bad_request", f"a roster holds at most {MAX_ROWS} students")
    return rows


def parse_groups(spec: str) -> list[list[str]]:
    """``"ana,ben;cy,dee"`` -> ``[["ana", "ben"], ["cy", "dee"]]``; nobody in two groups."""
    groups: list[list[str]] = []
    seen: set[str] = set()
    for chunk in spec.split(";"):
        names = [n.strip() for n in chunk.split(",") if n.strip()]
        if not names:
            continue
        for name in names:
            if name in seen:
                raise ClassroomError("bad_request", f"{name!r} is in two groups")
            seen.add(name)
        groups.append(names)
    if not groups:
        raise ClassroomError("bad_request", 'groups look like "ana,ben;cy,dee"')
    return groups
