"""What the reader does with awkward input: every fix-up lands in the report, and the
document stays valid. Small MusicXML files are built here, one quirk each; they are
trusted, so they are read in-process (the isolated path is tested elsewhere)."""

from __future__ import annotations

from typing import Any

import pytest

from server.formats import FormatError, ImportResult, import_score
from server.score import check_invariants

ATTR = (
    "<attributes><divisions>1</divisions><key><fifths>0</fifths></key>"
    "<time><beats>4</beats><beat-type>4</beat-type></time>"
    "<clef><sign>G</sign><line>2</line></clef></attributes>"
)


def score(*parts: str, name: str = "Part") -> bytes:
    part_list = "".join(
        f'<score-part id="P{i + 1}"><part-name>{name}</part-name></score-part>'
        for i in range(len(parts))
    )
    body = "".join(f'<part id="P{i + 1}">{p}</part>' for i, p in enumerate(parts))
    return (
        f'<?xml version="1.0"?><score-partwise version="4.0"><part-list>{part_list}'
        f"</part-list>{body}</score-partwise>"
    ).encode()


def note(step: str, octave: int = 4, beats: int = 1, extra: str = "", **opt: Any) -> str:
    kind = {1: "quarter", 2: "half", 4: "whole"}[beats]
    alter = f"<alter>{opt['alter']}</alter>" if "alter" in opt else ""
    voice = f"<voice>{opt['voice']}</voice>" if "voice" in opt else ""
    return (
        f"<note><pitch><step>{step}</step>{alter}<octave>{octave}</octave></pitch>"
        f"<duration>{beats}</duration>{voice}<type>{kind}</type>{extra}</note>"
    )


def bar(number: int, *content: str) -> str:
    return f'<measure number="{number}">{"".join(content)}</measure>'


def read(data: bytes) -> ImportResult:
    return import_score(data, "case.musicxml", isolated=False)


WHOLE_C = note("C", beats=4)
REST_WITH_LYRIC = (
    '<note><rest/><duration>1</duration><type>quarter</type><lyric number="1"><text>oops</text>'
    "</lyric></note>"
)
DYNAMIC = "<direction><direction-type><dynamics><{}/></dynamics></direction-type></direction>"
STAVES = (
    "<attributes><divisions>1</divisions><time><beats>4</beats><beat-type>4</beat-type></time>"
    "<staves>3</staves><clef number='1'><sign>G</sign><line>2</line></clef>"
    "<clef number='2'><sign>F</sign><line>4</line></clef>"
    "<clef number='3'><sign>F</sign><line>4</line></clef></attributes>"
)
BACKUP = "<backup><duration>4</duration></backup>"

CASES: dict[str, tuple[bytes, list[str]]] = {
    "overfull bar gets a time of its own": (
        score(bar(1, ATTR, *(note(s) for s in "CDEFG")) + bar(2, WHOLE_C)),
        ["m. 1: bars holding more than their time signature were given a time of their own"],
    ),
    "short bar is padded at its end": (
        score(bar(1, ATTR, WHOLE_C) + bar(2, note("C"), note("D"), note("E")) + bar(3, WHOLE_C)),
        ["m. 2: incomplete bars were filled with rests"],
    ),
    "mid-bar clef moves to the next bar": (
        score(
            bar(
                1,
                ATTR,
                note("C"),
                note("D"),
                "<attributes><clef><sign>F</sign><line>4</line></clef></attributes>",
                note("E", 3),
                note("F", 3),
            )
            + bar(2, note("C", 3, 4))
        ),
        ["m. 1: clef changes within a bar were moved to the next bar"],
    ),
    "microtones are rounded": (
        score(bar(1, ATTR, note("C", alter=0.5), note("D"), note("E"), note("F"))),
        ["m. 1: microtones were rounded to the nearest semitone"],
    ),
    "lyrics that cannot be kept": (
        score(
            bar(
                1,
                ATTR,
                REST_WITH_LYRIC,
                note("D", extra='<lyric number="12"><text>far</text></lyric>'),
                note("E"),
                note("F"),
            )
        ),
        ["m. 1: lyrics beyond verse 9 were dropped", "m. 1: lyrics on rests were dropped"],
    ),
    "a fifth voice": (
        score(bar(1, ATTR, *(note("C", beats=4, voice=v) + BACKUP for v in range(1, 6)))),
        ["m. 1: voices beyond the 4th were dropped"],
    ),
    "dynamics the model lacks or that collide": (
        score(
            bar(1, ATTR, DYNAMIC.format("pppp"), DYNAMIC.format("p"), DYNAMIC.format("f"), WHOLE_C)
        ),
        [
            "m. 1: dynamics at the same beat or past the bar end were dropped",
            "m. 1: dynamics other than ppp, pp, p, mp, mf, f, ff, fff, sf, sfz, fp, rfz"
            " were dropped",
        ],
    ),
    "soprano clef": (
        score(
            bar(
                1,
                ATTR.replace("<sign>G</sign><line>2</line>", "<sign>C</sign><line>1</line>"),
                WHOLE_C,
            )
        ),
        ["m. 1: soprano clefs were replaced by the alto clef"],
    ),
    "a part shorter than the others": (
        score(bar(1, ATTR, WHOLE_C) + bar(2, WHOLE_C), bar(1, ATTR, note("E", beats=4))),
        ["part Part is shorter than the score; filled with rests"],
    ),
    "three staves in one part": (
        score(
            bar(
                1,
                STAVES,
                note("C", 5, 4, "<staff>1</staff>"),
                BACKUP,
                note("C", 3, 4, "<staff>2</staff>", voice=2),
                BACKUP,
                note("C", 2, 4, "<staff>3</staff>", voice=3),
            ),
            name="Organ",
        ),
        [
            "Organ: each of its 3 staves was imported as a part of its own "
            "(Organ (staff 1), Organ (staff 2), Organ (staff 3))"
        ],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_awkward_input_is_fixed_up_and_reported(case: str) -> None:
    data, report = CASES[case]
    result = read(data)
    assert result.report == report
    assert check_invariants(result.doc) == []


def test_overfull_bar_is_retimed_and_the_next_bar_restores_the_meter() -> None:
    doc = read(CASES["overfull bar gets a time of its own"][0]).doc
    assert [m.get("time") for m in doc["measures"]] == [[5, 4], [4, 4]]


def test_clef_change_lands_on_the_next_bar() -> None:
    doc = read(CASES["mid-bar clef moves to the next bar"][0]).doc
    assert doc["parts"][0]["clef"] == "treble"
    assert doc["parts"][0]["bars"]["m2"]["clef"] == "bass"


def test_staves_become_parts_with_their_own_clefs() -> None:
    doc = read(CASES["three staves in one part"][0]).doc
    assert [(p["name"], p["clef"]) for p in doc["parts"]] == [
        ("Organ (staff 1)", "treble"),
        ("Organ (staff 2)", "bass"),
        ("Organ (staff 3)", "bass"),
    ]
    octaves = [p["bars"]["m1"]["voices"]["1"][0]["notes"][0]["octave"] for p in doc["parts"]]
    assert octaves == [5, 3, 2]


def test_short_part_is_filled_with_a_whole_bar_rest() -> None:
    doc = read(CASES["a part shorter than the others"][0]).doc
    assert doc["parts"][1]["bars"]["m2"]["voices"]["1"] == [
        {"id": "p2m2v1e0", "dur": {"type": 1}, "notes": []}
    ]


def test_more_staves_than_a_score_may_hold_is_too_large() -> None:
    data = score(*[bar(1, ATTR, WHOLE_C) for _ in range(65)])
    with pytest.raises(FormatError) as caught:
        read(data)
    assert (caught.value.code, caught.value.message) == (
        "file_too_large",
        "the score has 65 staves; the limit is 64",
    )
