"""``Users``: accounts (create, find by name or id), one short transaction each.
Imports nothing above the persistence package."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import update

from . import repository
from .db import Database
from .models import User

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


class Users:
    """People with an account."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create_user(
        self,
        name: str,
        password_hash: str,
        display_name: str | None = None,
        colour: str | None = None,
    ) -> int:
        """A new user's id; ``persistence.NameTaken`` if the name is in use."""
        if not name or len(name) > 64:
            raise ValueError("a user name needs 1 to 64 characters")
        if colour is not None and not HEX_COLOUR.fullmatch(colour):
            # It reaches peers' CSS (presence outlines): nothing but #rrggbb.
            raise ValueError("a colour is #rrggbb")
        with self.db.write() as conn:
            return repository.create_user(
                conn,
                name,
                password_hash,
                display_name or name,
                colour or repository.colour_for(name),
            )

    def user_by_name(self, name: str) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.user_by_name(conn, name)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        with self.db.write() as conn:
            conn.execute(
                update(User).where(User.id == int(user_id)).values(password_hash=password_hash)
            )

    def user_by_id(self, user_id: int) -> dict[str, Any] | None:
        with self.db.read() as conn:
            return repository.user_by_id(conn, user_id)
