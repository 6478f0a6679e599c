"""How much memory a document takes in this process, estimated from what it holds.

Caches are given budgets in bytes (``EditLog``'s heads, the history views), so they need
an entry's size without walking every object. The constants were measured with
``tracemalloc`` on decoded 500 x 16 documents (CPython 3.11, 64-bit): whole-bar rests,
four rests a bar, four two-note chords a bar, a chord symbol a bar;
``bench/memory_bench.py`` checks them on a document they were not fitted on.
"""

from __future__ import annotations

from typing import Any

#: Bytes per bar (its dict, the voices dict, the measure's share), per event (id, dur
#: dict, notes list) and per note (id, step, octave...), plus a fixed part per score.
BAR_BYTES = 505
EVENT_BYTES = 480
NOTE_BYTES = 260
#: Per chord symbol or dynamic mark (the bar's list and the item's dict), fitted the same way.
ITEM_BYTES = 380
BASE_BYTES = 4096


def doc_bytes(doc: dict[str, Any]) -> int:
    """The estimated size of ``doc`` in memory (within ~10% for ordinary scores)."""
    bars = events = notes = items = 0
    for part in doc.get("parts", ()):
        for bar in part.get("bars", {}).values():
            bars += 1
            items += len(bar.get("harmonies", ())) + len(bar.get("dynamics", ()))
            for voice in bar.get("voices", {}).values():
                events += len(voice)
                for event in voice:
                    notes += len(event.get("notes", ()))
    return (
        BASE_BYTES + bars * BAR_BYTES + events * EVENT_BYTES + notes * NOTE_BYTES
        + items * ITEM_BYTES
    )  # fmt: skip
