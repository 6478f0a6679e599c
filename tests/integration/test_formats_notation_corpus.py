"""Every file of the shared outside corpus (../shared/musicxml-corpus, used by path, never
copied): per feature (articulations and ornaments, slurs, hairpins, ottavas, pedals, end
repeats, endings), what the source holds as music21 reads it, what the import kept, and
what its report names as lost. Nothing may go missing unnamed; the totals are printed
(``pytest -s``) as the per-feature loss report."""

from __future__ import annotations

import re
import warnings
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from music21 import bar, converter, spanner

from server.formats import FormatError, import_score
from server.formats.raw_counts import musicxml_text, slur_starts
from tests.integration.test_formats_spanners import CORPUS

MARK_NAMES = {
    "Staccato": "staccato", "Staccatissimo": "staccatissimo", "Accent": "accent",
    "StrongAccent": "marcato", "Tenuto": "tenuto", "Fermata": "fermata", "Trill": "trill",
    "Mordent": "mordent", "InvertedMordent": "inverted_mordent", "Turn": "turn",
    "Tremolo": "tremolo", "ArpeggioMark": "arpeggio",
}  # fmt: skip
SPANNERS = {"Slur": "slurs", "Crescendo": "hairpins", "Diminuendo": "hairpins",
            "Ottava": "8va/8vb lines", "PedalMark": "pedal marks"}  # fmt: skip
# Report phrases that name a loss of each feature.
LOSS_WORDS = {
    "marks": ("articulations and ornaments on rests", "articulations and ornaments on unpitched"),
    "slurs": ("slurs",),
    "hairpins": ("hairpins",),
    "8va/8vb lines": ("8va/8vb lines", "ottava lines"),
    "pedal marks": ("pedal marks",),
    "end repeats": ("repeats",),
    "endings": ("endings",),
}
FILES = sorted(
    p for d in ("lilypond", "realworld") if (CORPUS / d).is_dir()
    for p in (CORPUS / d).iterdir() if p.suffix in (".xml", ".mxl", ".musicxml")
)  # fmt: skip
TOTALS: dict[str, Counter[str]] = {
    "source": Counter(), "kept": Counter(), "reported": Counter(), "refused": Counter()
}  # fmt: skip


def source_counts(path: Path) -> Counter[str]:
    with warnings.catch_warnings():  # music21 warns about the files' own quirks
        warnings.simplefilter("ignore")
        score = converter.parse(str(path))
    out: Counter[str] = Counter()
    for n in score.recurse().notesAndRests:
        if n.duration.isGrace:
            continue  # grace notes are dropped (and reported) with their marks
        for mark in [*n.articulations, *n.expressions]:
            if type(mark).__name__ in MARK_NAMES and not (
                n.isRest and type(mark).__name__ != "Fermata"
            ):
                out["marks"] += 1
    seen: set[int] = set()
    for part in score.parts:
        for sp in part.spannerBundle:
            name = type(sp).__name__
            if name in SPANNERS and id(sp) not in seen:
                if name == "Ottava" and sp.type not in ("8va", "8vb", "15ma", "15mb"):
                    continue  # an invalid size: reported as an unsupported line
                seen.add(id(sp))
                out[SPANNERS[name]] += 1
    # music21 reads some slurs as none at all: the file's own text counts them.
    fmt = "mxl" if path.suffix == ".mxl" else "musicxml"
    out["slurs"] = max(out["slurs"], slur_starts(musicxml_text(path.read_bytes(), fmt)))
    top = score.parts[0] if score.parts else None
    if top is not None:
        for m in top.getElementsByClass("Measure"):
            if isinstance(m.rightBarline, bar.Repeat) and m.rightBarline.direction == "end":
                out["end repeats"] += 1
        brackets = top.spannerBundle.getByClass(spanner.RepeatBracket)
        out["endings"] += len({id(b) for b in brackets})
    return out


def kept_counts(doc: dict[str, Any]) -> Counter[str]:
    out: Counter[str] = Counter()
    for part in doc["parts"]:
        for b in part["bars"].values():
            for events in b["voices"].values():
                out["marks"] += sum(len(e.get("marks", {})) for e in events)
    kinds = {
        "slur": "slurs",
        "crescendo": "hairpins",
        "diminuendo": "hairpins",
        "pedal": "pedal marks",
    }
    for sp in doc.get("spanners", []):
        out[kinds.get(sp["kind"], "8va/8vb lines")] += 1
    out["end repeats"] = sum(1 for m in doc["measures"] if m.get("repeat_end"))
    runs = [m.get("ending") for m in doc["measures"]]
    out["endings"] = sum(1 for k, e in enumerate(runs) if e and (k == 0 or runs[k - 1] != e))
    return out


def reported_counts(lines: list[str]) -> Counter[str]:
    out: Counter[str] = Counter()
    for line in lines:
        count = re.search(r"\((\d+)\)$", line)
        for feature, words in LOSS_WORDS.items():
            if any(w in line for w in words):
                out[feature] += int(count.group(1)) if count else 1
    return out


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_every_notation_loss_is_named_in_the_report(path: Path) -> None:
    try:
        result = import_score(path.read_bytes(), path.name, isolated=False)
    except FormatError as exc:
        # A file the import refuses says so, in words (another issue item); nothing to count.
        assert exc.message
        TOTALS["refused"][path.name] += 1
        return
    source = source_counts(path)
    kept, reported = kept_counts(result.doc), reported_counts(result.report)
    for feature, count in source.items():
        TOTALS["source"][feature] += count
        TOTALS["kept"][feature] += min(kept[feature], count)
        TOTALS["reported"][feature] += reported[feature]
        assert kept[feature] + reported[feature] >= count, (feature, kept, reported, result.report)


def test_zz_loss_report() -> None:
    print("\nfeature            in the files  imported  reported lost")
    for feature in LOSS_WORDS:
        s, k, r = (TOTALS[x][feature] for x in ("source", "kept", "reported"))
        print(f"{feature:18} {s:12} {k:9} {r:14}")
    print(f"refused: {sorted(TOTALS['refused'])}")
    assert TOTALS["source"]["slurs"] > 100  # the corpus was read
