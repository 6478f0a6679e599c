"""The import report: what was dropped or approximated, one human-readable line per kind.

Findings are gathered per kind with the measures they occurred in, so a slur in
every bar of a quartet makes one line, not hundreds. Pure: no music21.
"""

from __future__ import annotations

from dataclasses import dataclass, field

MAX_RANGES = 6


@dataclass
class _Finding:
    message: str
    measures: set[int] = field(default_factory=set)
    count: int = 0


class Report:
    """Collects findings; ``lines()`` renders them, general notes first."""

    def __init__(self) -> None:
        self._general: list[str] = []
        self._findings: dict[str, _Finding] = {}

    def general(self, line: str) -> None:
        if line not in self._general:
            self._general.append(line)

    def add(self, message: str, measure: int | None = None, count: int = 1) -> None:
        """Record ``count`` occurrences of ``message`` in ``measure`` (1-based, as shown)."""
        finding = self._findings.setdefault(message, _Finding(message))
        finding.count += count
        if measure is not None:
            finding.measures.add(measure)

    def lines(self) -> list[str]:
        ordered = sorted(
            self._findings.values(), key=lambda f: (min(f.measures, default=0), f.message)
        )
        out = list(self._general)
        for finding in ordered:
            where = _where(sorted(finding.measures))
            suffix = f" ({finding.count})" if finding.count > 1 else ""
            out.append(f"{where}{finding.message}{suffix}")
        return out


def _where(measures: list[int]) -> str:
    """``"m. 3: "``, ``"mm. 1-4, 9: "`` or nothing when no measure is known."""
    if not measures:
        return ""
    ranges: list[tuple[int, int]] = []
    for m in measures:
        if ranges and ranges[-1][1] == m - 1:
            ranges[-1] = (ranges[-1][0], m)
        else:
            ranges.append((m, m))
    text = ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in ranges[:MAX_RANGES])
    if len(ranges) > MAX_RANGES:
        rest = sum(b - a + 1 for a, b in ranges[MAX_RANGES:])
        text += f" and {rest} more"
    prefix = "m." if len(measures) == 1 else "mm."
    return f"{prefix} {text}: "
