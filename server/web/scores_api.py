"""JSON score API for the library page: list, create, import, export. Calls the edit service."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("scores_api", __name__, url_prefix="/api/scores")
