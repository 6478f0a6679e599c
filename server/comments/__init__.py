"""Comments on a score: anchors that follow the score (``anchors``, pure) and the use case
(``service``: threads, resolve, mentions -> notifications, the export)."""

from .anchors import AnchorError, bind, locate, parse_anchor
from .service import Change, CommentError, CommentService, mentioned_names

__all__ = [
    "AnchorError",
    "Change",
    "CommentError",
    "CommentService",
    "bind",
    "locate",
    "mentioned_names",
    "parse_anchor",
]
