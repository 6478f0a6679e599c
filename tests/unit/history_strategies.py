"""Random multi-author edit logs for history property tests (reusable generator).

Builds real logs: every edit is applied with ``server.score.apply_edit`` so its
inverse and skipped list are the real ones; authors take turns, the helper's
edits carry ``accepted_by``, and some edits replace the whole document.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st

from server.score import InvalidOp, apply_edit, clone, new_document
from server.score.model import Doc
from tests.support.score_gen import IdSource, random_edit

# Applied per test (not as a global profile, which would change other suites' settings).
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"
history_settings = settings(max_examples=600 if THOROUGH else 60, deadline=None)

AUTHORS = [(1, "Ana"), (2, "Ben"), (3, "Chloe")]
T0 = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)


@dataclass
class Record:
    """The shape of ``server.editing.CommittedEdit``, locally."""

    seq: int
    author_id: Any
    author_name: str
    ops: list[dict[str, Any]]
    inverse: list[dict[str, Any]]
    skipped: list[Any]
    origin: str = "human"
    meta: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = T0
    score_id: int = 1
    client_id: str = "c"
    client_seq: int = 0
    duplicate: bool = False


@dataclass
class Log:
    """An initial document, the edits after it, and every document along the way."""

    initial: Doc
    edits: list[Record]
    docs: list[Doc]  # docs[k] = document after the first k edits

    @property
    def now(self) -> Doc:
        return self.docs[-1]


def start_doc(rng: random.Random) -> Doc:
    return new_document(
        parts=[{"name": "Soprano"}, {"name": "Bass", "clef": "bass"}][: rng.randint(1, 2)],
        measures=rng.randint(1, 4),
        time=rng.choice([[4, 4], [3, 4], [6, 8]]),
    )


def commit(log: Log, ops: list[dict[str, Any]], author: tuple[int, str], **kw: Any) -> bool:
    """Apply ``ops`` to the head and append the record; False if the edit was refused."""
    doc = clone(log.now)
    try:
        result = apply_edit(doc, ops)
    except InvalidOp:
        return False
    last = log.edits[-1].created_at if log.edits else T0
    log.edits.append(
        Record(
            seq=len(log.edits) + 1,
            author_id=author[0],
            author_name=author[1],
            ops=ops,
            inverse=result.inverse,
            skipped=[s["index"] for s in result.skipped],
            created_at=last + timedelta(seconds=kw.pop("gap", 5)),
            client_seq=len(log.edits) + 1,
            **kw,
        )
    )
    log.docs.append(doc)
    return True


def random_log(seed: int, steps: int, *, replace: bool = True) -> Log:
    """A log of up to ``steps`` edits by several authors and the helper."""
    rng = random.Random(seed)
    initial = start_doc(rng)
    log = Log(initial, [], [clone(initial)])
    new_id = IdSource("x")
    for _ in range(steps):
        author = rng.choice(AUTHORS)
        roll = rng.random()
        gap = rng.choice([1, 2, 3, 30, 400])
        if replace and roll < 0.04 and len(log.docs) > 2:
            version = rng.randrange(len(log.docs) - 1)
            ops = [{"op": "replace_document", "doc": clone(log.docs[version])}]
            commit(log, ops, author, origin="restore", meta={"version": version}, gap=gap)
        elif replace and roll < 0.07:
            imported = clone(log.now)
            imported["title"] = "Imported"
            commit(
                log, [{"op": "replace_document", "doc": imported}], author, origin="import", gap=gap
            )
        elif roll < 0.25:
            accepted = rng.choice(AUTHORS)
            meta = {"suggestion_id": rng.randint(1, 99), "accepted_by": accepted[1]}
            ops = random_edit(log.now, rng, new_id)
            commit(log, ops, accepted, origin="helper", meta=meta, gap=gap)
        elif roll < 0.32:
            commit(log, [whole_op(log.now, rng, new_id)], author, gap=gap)
        else:
            commit(log, random_edit(log.now, rng, new_id), author, gap=gap)
    return log


def whole_op(doc: Doc, rng: random.Random, new_id: IdSource) -> dict[str, Any]:
    """Ops the shared generator leaves out: set_notes, set_voice and set_bar."""
    part = rng.choice(doc["parts"])
    measure_id = rng.choice(doc["measures"])["id"]
    bar = part["bars"][measure_id]
    place = {"part": part["id"], "measure": measure_id}
    kind = rng.choice(["notes", "voice", "voice2", "bar"])
    if kind == "notes":
        event = rng.choice(bar["voices"]["1"])
        notes = [
            {"id": new_id("n"), "step": rng.choice("CDEFGAB"), "alter": 0, "octave": o}
            for o in rng.sample([3, 4, 5], rng.randint(0, 2))
        ]
        return {"op": "set_notes", "event": event["id"], "notes": notes}
    if kind == "voice":
        # The same events in reverse order: same IDs, new rhythm positions.
        return {"op": "set_voice", **place, "voice": "1", "events": clone(bar["voices"]["1"])[::-1]}
    if kind == "voice2":
        return {"op": "set_voice", **place, "voice": "2", "events": None}
    new_bar = clone(bar)
    new_bar.pop("harmonies", None)
    if rng.random() < 0.5:
        new_bar["dynamics"] = [{"id": new_id("d"), "offset": "0", "mark": "pp"}]
    return {"op": "set_bar", **place, "bar": new_bar}


seeds = st.integers(0, 2**32 - 1)
