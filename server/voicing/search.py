"""k-best Viterbi over a chain of candidate sets, with a diversity filter.

Pure numpy: costs arrive as one vector per chord (unary) and one matrix per transition
(pairwise). Knows nothing about instruments, rules or music21.
"""

from __future__ import annotations

import statistics

import numpy as np
import numpy.random  # noqa: F401 -- numpy loads it lazily: on a request that was ~25 ms
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Path = tuple[int, ...]


def path_cost(unary: list[FloatArray], pair: list[FloatArray], path: Path) -> float:
    """Total cost of one path (a candidate index per chord)."""
    total = sum(float(unary[t][i]) for t, i in enumerate(path))
    total += sum(float(pair[t][path[t], path[t + 1]]) for t in range(len(path) - 1))
    return total


def k_best(unary: list[FloatArray], pair: list[FloatArray], k: int) -> list[tuple[float, Path]]:
    """The k cheapest paths, cheapest first (list Viterbi with a top-k list per state).

    Every state keeps its k best partial paths as (cost, predecessor state, predecessor
    rank); the k best full paths are then among the final states' lists. Exact.

    >>> u = [np.array([0.0, 1.0]), np.array([0.0, 0.5])]
    >>> p = [np.array([[0.0, 2.0], [0.0, 0.0]])]
    >>> k_best(u, p, 3)
    [(0.0, (0, 0)), (1.0, (1, 0)), (1.5, (1, 1))]
    """
    n = len(unary)
    if k == 1:
        return [best_path(unary, pair)]
    scores = unary[0][:, None].astype(np.float64)  # (states, ranks)
    backs: list[npt.NDArray[np.int64]] = []
    for t in range(1, n):
        width = scores.shape[1]
        scores, back = _extend(scores, pair[t - 1], k)
        scores = scores + unary[t][:, None]
        # (state, rank) -> (predecessor state, predecessor rank)
        backs.append(np.stack([back // width, back % width], axis=-1).astype(np.int64))
    flat_final = scores.reshape(-1)
    order = np.argsort(flat_final, kind="stable")[:k]
    width = scores.shape[1]
    out: list[tuple[float, Path]] = []
    for pos in order:
        cost = float(flat_final[pos])
        if not np.isfinite(cost):
            break
        state, rank = int(pos // width), int(pos % width)
        path = [state]
        for t in range(n - 1, 0, -1):
            state, rank = (int(v) for v in backs[t - 1][state, rank])
            path.append(state)
        out.append((cost, tuple(reversed(path))))
    return out


def best_path(unary: list[FloatArray], pair: list[FloatArray]) -> tuple[float, Path]:
    """Plain Viterbi: the single cheapest path (the k = 1 case, without rank lists).

    >>> u = [np.array([0.0, 1.0]), np.array([0.0, 0.5])]
    >>> best_path(u, [np.array([[3.0, 2.0], [0.0, 0.0]])])
    (1.0, (1, 0))
    """
    score = unary[0].astype(np.float64)
    backs = []
    for t in range(1, len(unary)):
        total = score[:, None] + pair[t - 1]
        back = total.argmin(axis=0)
        score = total[back, np.arange(total.shape[1])] + unary[t]
        backs.append(back)
    state = int(score.argmin())
    cost = float(score[state])
    path = [state]
    for back in reversed(backs):
        state = int(back[state])
        path.append(state)
    return cost, tuple(reversed(path))


def _extend(
    scores: FloatArray, pair: FloatArray, k: int
) -> tuple[FloatArray, npt.NDArray[np.int64]]:
    """Top-k (cost, flat predecessor index) per next state, sorted by cost.

    Each predecessor's list is sorted, so the k best entries for a next state come from
    the k predecessors whose *best* entry is cheapest: select those first (a small
    partition), then partition only their k*k entries.
    """
    n_prev, width = scores.shape
    n_next = pair.shape[1]
    pair_t = np.ascontiguousarray(pair.T)  # (next, prev)
    if n_prev > k:
        best = scores[:, 0][None, :] + pair_t
        prev = np.argpartition(best, k - 1, axis=1)[:, :k]  # (next, k)
    else:
        prev = np.broadcast_to(np.arange(n_prev)[None, :], (n_next, n_prev))
    # entries[j, p, r] = scores[prev[j, p], r] + pair[prev[j, p], j]
    entries = scores[prev] + np.take_along_axis(pair_t, prev, axis=1)[:, :, None]
    flat = entries.reshape(n_next, -1)
    keep = min(k, flat.shape[1])
    if keep < flat.shape[1]:
        idx = np.argpartition(flat, keep - 1, axis=1)[:, :keep]
    else:
        idx = np.broadcast_to(np.arange(flat.shape[1])[None, :], flat.shape)
    vals = np.take_along_axis(flat, idx, axis=1)
    order = np.argsort(vals, axis=1, kind="stable")
    idx = np.take_along_axis(idx, order, axis=1)
    vals = np.take_along_axis(vals, order, axis=1)
    # The flat predecessor index of the kept entries only (not of all k*k candidates).
    return vals, np.take_along_axis(prev, idx // width, axis=1) * width + idx % width


Labels = list[npt.NDArray[np.int64]]


def changes(a: Path, b: Path, labels: Labels | None = None) -> int:
    """In how many chords two paths choose voicings of a different kind.

    Without labels every candidate is its own kind; with them (one label per candidate,
    per chord) two candidates with the same label count as the same voicing.

    >>> changes((0, 1, 2), (0, 2, 2))
    1
    >>> changes((0, 1, 2), (0, 2, 2), [np.array([0]), np.array([0, 7, 7]), np.array([0, 0, 1])])
    0
    """
    if labels is None:
        return sum(1 for x, y in zip(a, b, strict=True) if x != y)
    return sum(1 for t, (x, y) in enumerate(zip(a, b, strict=True)) if labels[t][x] != labels[t][y])


def diverse_k_best(
    unary: list[FloatArray],
    pair: list[FloatArray],
    k: int,
    min_changes: int,
    labels: Labels | None = None,
) -> list[tuple[float, Path]]:
    """Up to k paths by cost, each differing from every cheaper one in >= min_changes chords.

    First the exact ``4k``-best list is filtered greedily in cost order. If that leaves
    fewer than k, more paths are sought by re-solving with penalties on the voicings the
    too-close suggestions use (see ``_penalised_search``), then by a local search; the
    true cost is what is reported. With ``min_changes=1`` and no labels the result is
    exactly the k-best list. Fewer than k come back only when the constraints leave no
    more sufficiently different voicings.
    """
    n = len(unary)
    min_changes = max(1, min(min_changes, n))
    exact = min_changes == 1 and labels is None
    pool = k_best(unary, pair, k if exact else 4 * k)
    chosen: list[tuple[float, Path]] = []
    for cost, path in pool:
        if all(changes(path, other, labels) >= min_changes for _, other in chosen):
            chosen.append((cost, path))
            if len(chosen) == k:
                return chosen
    if exact:
        return chosen
    if labels is None:
        labels = [np.arange(u.shape[0]) for u in unary]
    # statistics, not numpy: np.median imports numpy.ma (~50 ms) on first use; same value.
    scale = max(1.0, float(statistics.median([abs(c) for c, _ in pool])) / max(n, 1))
    for _ in range(k - len(chosen)):
        found = _penalised_search(unary, pair, chosen, min_changes, scale, labels)
        if found is None:
            break
        chosen.append(found)
    return sorted(chosen, key=lambda item: item[0])


def _penalised_search(
    unary: list[FloatArray],
    pair: list[FloatArray],
    chosen: list[tuple[float, Path]],
    min_changes: int,
    scale: float,
    labels: Labels,
) -> tuple[float, Path] | None:
    """Cheapest path found far enough from every chosen one, by penalised re-solving.

    Each chosen path j has its own penalty on the voicings (of the same label) it uses;
    only the penalties of paths the last answer came too close to are doubled, so the
    search is pushed away from exactly the suggestions it is crowding. A tiny seeded
    jitter breaks the exact ties that would otherwise make it oscillate between two
    opposite answers (deterministic).
    """
    rng = np.random.default_rng(len(chosen))
    # Start gently (the cheapest way to differ usually needs little push) and escalate.
    penalties = [scale / 64.0] * len(chosen)
    for _ in range(24):
        pen = [u.copy() for u in unary]
        for weight, (_, path) in zip(penalties, chosen, strict=True):
            for t, i in enumerate(path):
                pen[t][labels[t] == labels[t][i]] += weight
        for t in range(len(pen)):
            pen[t] += rng.uniform(0.0, 1e-3 * scale, size=pen[t].shape)
        path = best_path(pen, pair)[1]
        close = [changes(path, other, labels) < min_changes for _, other in chosen]
        if not any(close):
            return path_cost(unary, pair, path), path
        penalties = [w * 2.0 if c else w for w, c in zip(penalties, close, strict=True)]
    return _local_search(unary, pair, chosen, min_changes, labels)


def _local_search(
    unary: list[FloatArray],
    pair: list[FloatArray],
    chosen: list[tuple[float, Path]],
    min_changes: int,
    labels: Labels,
) -> tuple[float, Path] | None:
    """Fallback when penalties cannot separate (symmetric costs): starting from the best
    path, re-voice one chord at a time, always the cheapest change that moves away from
    every suggestion still too close, never touching a chord twice."""
    path = list(chosen[0][1])
    touched: set[int] = set()
    n = len(path)
    for _ in range(n + 1):
        close = [other for _, other in chosen if changes(tuple(path), other, labels) < min_changes]
        if not close:
            return path_cost(unary, pair, tuple(path)), tuple(path)
        best: tuple[float, int, int] | None = None
        for t in range(n):
            if t in touched:
                continue
            for state in range(unary[t].shape[0]):
                if any(labels[t][other[t]] == labels[t][state] for other in close):
                    continue
                delta = float(unary[t][state] - unary[t][path[t]])
                if t > 0:
                    delta += float(
                        pair[t - 1][path[t - 1], state] - pair[t - 1][path[t - 1], path[t]]
                    )
                if t < n - 1:
                    delta += float(pair[t][state, path[t + 1]] - pair[t][path[t], path[t + 1]])
                if best is None or delta < best[0]:
                    best = (delta, t, state)
        if best is None:
            return None
        path[best[1]] = best[2]
        touched.add(best[1])
    return None
