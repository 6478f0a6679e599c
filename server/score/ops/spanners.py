"""Ops on spanners (slurs, hairpins, ottava lines, pedal marks): put one, remove one.

What happens to a spanner when an edit removes one of its ends is not an op of its own:
``score.spanners.repair`` runs after every op (see ``ops.apply_op``).
"""

from __future__ import annotations

from typing import Any

from ..errors import InvalidOp, MissingTarget
from ..model import Doc
from ..spanners import MAX_SPANNERS, drop, order_problem, places, put, shape_problem
from ._common import Op, check_id, element_id, require_unused, snapshot


def clean_spanner(doc: Doc, raw: Any, *, what: str = "set_spanner") -> dict[str, Any]:
    """A validated spanner whose ends are events of the score; MissingTarget if one is gone."""
    problem = shape_problem(raw)
    if problem is not None:
        raise InvalidOp(f"{what}: {problem}")
    spanner = {
        "id": check_id(raw.get("id"), "spanner"),
        "kind": raw["kind"],
        "start": check_id(raw.get("start"), "spanner start"),
        "end": check_id(raw.get("end"), "spanner end"),
    }
    where = places(doc, {spanner["start"], spanner["end"]})
    for key in ("start", "end"):
        if spanner[key] not in where:
            raise MissingTarget(f"{what}: event {spanner[key]} no longer exists")
    problem = order_problem(spanner["kind"], where[spanner["start"]], where[spanner["end"]])
    if problem is not None:
        raise InvalidOp(f"{what}: {problem}")
    return spanner


def set_spanner(doc: Doc, op: Op) -> list[Op]:
    """Put a spanner: a new one, or a new kind or new ends for an existing id."""
    spanner = clean_spanner(doc, op.get("spanner"))
    old = next((sp for sp in doc.get("spanners", ()) if sp["id"] == spanner["id"]), None)
    if old is None:
        require_unused(doc, [spanner["id"]])
        if len(doc.get("spanners", ())) >= MAX_SPANNERS:
            raise InvalidOp(f"set_spanner: a score holds at most {MAX_SPANNERS} spanners")
    put(doc, spanner)
    if old is None:
        return [{"op": "remove_spanner", "id": spanner["id"]}]
    return [{"op": "set_spanner", "spanner": snapshot(old)}]


def remove_spanner(doc: Doc, op: Op) -> list[Op]:
    spanner_id = element_id(op, "id")
    old = drop(doc, spanner_id)
    if old is None:
        raise MissingTarget(f"spanner {spanner_id} no longer exists")
    return [{"op": "set_spanner", "spanner": old}]


HANDLERS = {"set_spanner": set_spanner, "remove_spanner": remove_spanner}
