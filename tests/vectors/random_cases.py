"""Seeded random vector cases (placeholder until written)."""

from __future__ import annotations

from typing import Any


def random_cases() -> list[Any]:
    return []
