"""Context-note scorers on a synthetic polarised crowd with ground truth.

    .venv/bin/python bench/notes.py [--quick] [--seed 17] [--raters 1000] [--notes 500]

The crowd: two camps of raters (50/50, 60/40, 90/10), each rater with a camp position (±1,
spread 0.7–1.3) and a leniency; notes of three kinds — helpful to both camps (35%), partisan,
helpful to one camp only (35%, half each side), unhelpful (30%). A rater's liking of a note is
quality + slant × position + leniency + noise; Helpful above 0.4, Somewhat above 0, else Not
helpful. Densities 1%, 2%, 5% of the notes per rater, drawn at random or self-selected (80% of
a rater's picks among the notes their camp likes, as real raters do).

Compared on the same ratings: the reference (Community Notes' core model and rule with the
published parameters, `scoring.reference`), ours as shipped (`scoring.score`), and the
"most votes" baseline (shown at ≥ 5 ratings with a mean value ≥ 0.7, Helpful 1, Somewhat 0.5).
"Ours + queue" is ours where half of each rater's ratings arrive through the production "Needs
your help" queue, in rounds with a scoring run after each (same number of ratings).

Printed per scenario and scorer: share of both-camps-helpful notes shown (target ≥ 80% for
ours), partisan shown (≤ 5%), unhelpful shown (≤ 1%), and a brigade — 50 fresh accounts of
the smaller camp rate 20 of its partisan notes Helpful, their ratings counted (the worst case:
production would not score accounts younger than `min_account_days`) — with how many of those
20 end up shown (target 0). Then ours' changes added one at a time on a few scenarios
(decision 0059), and the fit time (best of 3) and peak traced memory for 100,000 ratings
(4,000 raters, 1,000 notes; target ≤ 2 s). `--quick`: two scenarios, no ablation.
Exits non-zero when ours misses a target.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from broadsheet.notes import scoring
from broadsheet.notes.scoring import Ratings, Scores

BOTH, PARTISAN, UNHELPFUL = 0, 1, 2
KIND_SHARES = (0.35, 0.35, 0.30)
NOISE = 0.5
BRIGADE_ACCOUNTS, BRIGADE_NOTES = 50, 20
QUEUE_SHARE, ROUNDS = 0.5, 5
Scorer = Callable[[Ratings], Scores]


@dataclass(frozen=True)
class Crowd:
    position: NDArray[np.float64]  # per rater: camp sign × strength; majority camp is +
    leniency: NDArray[np.float64]
    kind: NDArray[np.int64]  # per note
    quality: NDArray[np.float64]
    slant: NDArray[np.float64]

    @property
    def n_raters(self) -> int:
        return int(self.position.size)

    @property
    def n_notes(self) -> int:
        return int(self.kind.size)


def make_crowd(rng: np.random.Generator, raters: int, notes: int, majority: float) -> Crowd:
    camp = np.where(rng.random(raters) < majority, 1.0, -1.0)
    position = camp * rng.uniform(0.7, 1.3, raters)
    kind = rng.choice(3, size=notes, p=KIND_SHARES)
    side = np.where(rng.random(notes) < 0.5, 1.0, -1.0)
    quality = np.select(
        [kind == BOTH, kind == PARTISAN],
        [rng.uniform(0.6, 1.0, notes), rng.normal(0.0, 0.15, notes)],
        rng.uniform(-1.0, -0.5, notes),
    )
    slant = np.select(
        [kind == BOTH, kind == PARTISAN],
        [rng.normal(0.0, 0.1, notes), side * 0.9],
        rng.normal(0.0, 0.2, notes),
    )
    return Crowd(position, rng.normal(0.0, 0.2, raters), kind, quality, slant)


def rate(rng: np.random.Generator, crowd: Crowd, u: NDArray[np.int64], n: NDArray[np.int64]):
    """The values raters `u` give notes `n` (Helpful 1, Somewhat 0.5, Not helpful 0)."""
    liking = crowd.quality[n] + crowd.slant[n] * crowd.position[u] + crowd.leniency[u]
    liking = liking + rng.normal(0.0, NOISE, u.size)
    return np.where(liking > 0.4, 1.0, np.where(liking > 0.0, 0.5, 0.0))


def picks(
    rng: np.random.Generator, crowd: Crowd, density: float, selfselected: bool
) -> NDArray[np.bool_]:
    """Which notes each rater rates on their own (rater × note); the Gumbel top-k trick draws
    each rater's notes without replacement, weighted towards liked ones when self-selected."""
    nr, nn = crowd.n_raters, crowd.n_notes
    per_rater = np.maximum(1, rng.poisson(density * nn, nr))
    weight = np.ones((nr, nn))
    if selfselected:
        camp_likes = (
            crowd.quality[None, :] + crowd.slant[None, :] * np.sign(crowd.position)[:, None]
        )
        liked = camp_likes > 0.3
        # 80% of picks among liked notes: weight liked notes by 4× their share's complement.
        share = liked.mean(axis=1, keepdims=True)
        weight = np.where(liked, 0.8 / share, 0.2 / (1 - share))
    keys = np.log(weight) + rng.gumbel(size=(nr, nn))
    order = np.argsort(-keys, axis=1)
    chosen = np.zeros((nr, nn), dtype=bool)
    rows = np.repeat(np.arange(nr), per_rater)
    cols = order[rows, np.concatenate([np.arange(k) for k in per_rater])]
    chosen[rows, cols] = True
    return chosen


def as_ratings(rng: np.random.Generator, crowd: Crowd, chosen: NDArray[np.bool_]) -> Ratings:
    u, n = np.nonzero(chosen)
    return Ratings(u, n, rate(rng, crowd, u, n), crowd.n_raters, crowd.n_notes)


def queue_ratings(
    rng: np.random.Generator, crowd: Crowd, own: NDArray[np.bool_], score: Scorer
) -> Ratings:
    """Half of each rater's ratings through the production queue ("Needs your help": status
    needs, not rated by the rater yet, fewest ratings first, then oldest), in rounds with a
    scoring run after each; the other half the rater's own picks, spread over the rounds."""
    nr, nn = own.shape
    rated = np.zeros_like(own)
    values = np.full(own.shape, np.nan)
    by_queue = rng.binomial(own.sum(axis=1), QUEUE_SHARE)
    own_order = [rng.permutation(np.flatnonzero(row)) for row in own]
    status = np.full(nn, scoring.NEEDS)
    for round_ in range(ROUNDS):
        for u in rng.permutation(nr):
            _own_round(rng, crowd, u, own_order[u], by_queue[u], round_, rated, values)
            for _ in range(_share(by_queue[u], round_)):
                _queue_one(rng, crowd, u, status, rated, values)
        status = score(_collect(values, nr, nn)).status
    return _collect(values, nr, nn)


def _share(total: int, round_: int) -> int:
    return total * (round_ + 1) // ROUNDS - total * round_ // ROUNDS


def _own_round(rng, crowd, u, order, by_queue, round_, rated, values) -> None:
    mine = order[: max(0, order.size - by_queue)]
    start = mine.size * round_ // ROUNDS
    for n in mine[start : mine.size * (round_ + 1) // ROUNDS]:
        if not rated[u, n]:
            rated[u, n] = True
            values[u, n] = rate(rng, crowd, np.array([u]), np.array([n]))[0]


def _queue_one(rng, crowd, u, status, rated, values) -> None:
    open_ = (status == scoring.NEEDS) & ~rated[u]
    if not open_.any():
        return
    counts = np.where(open_, rated.sum(axis=0), np.iinfo(np.int64).max)
    n = int(np.argmin(counts))  # argmin takes the first: the oldest of the fewest-rated
    rated[u, n] = True
    values[u, n] = rate(rng, crowd, np.array([u]), np.array([n]))[0]


def _collect(values: NDArray[np.float64], nr: int, nn: int) -> Ratings:
    u, n = np.nonzero(~np.isnan(values))
    return Ratings(u, n, values[u, n], nr, nn)


def with_brigade(
    rng: np.random.Generator, crowd: Crowd, ratings: Ratings
) -> tuple[Ratings, NDArray[np.int64]]:
    """50 fresh accounts of the smaller camp rate 20 of that camp's partisan notes Helpful."""
    minority = -1.0
    targets = np.flatnonzero((crowd.kind == PARTISAN) & (np.sign(crowd.slant) == minority))
    targets = rng.choice(targets, size=min(BRIGADE_NOTES, targets.size), replace=False)
    fresh = ratings.n_raters + np.repeat(np.arange(BRIGADE_ACCOUNTS), targets.size)
    notes = np.tile(targets, BRIGADE_ACCOUNTS)
    return (
        Ratings(
            np.concatenate([ratings.raters, fresh]),
            np.concatenate([ratings.notes, notes]),
            np.concatenate([ratings.values, np.ones(fresh.size)]),
            ratings.n_raters + BRIGADE_ACCOUNTS,
            ratings.n_notes,
        ),
        targets,
    )


def most_votes(ratings: Ratings) -> Scores:
    """The baseline: shown at ≥ 5 ratings when the mean value is ≥ 0.7."""
    counts = scoring.counts_of(ratings)
    mean = np.bincount(ratings.notes, ratings.values, ratings.n_notes) / np.maximum(counts, 1)
    status = np.where((counts >= 5) & (mean >= 0.7), scoring.SHOWN, scoring.NEEDS)
    return Scores(status.astype(np.int64), mean, np.zeros(ratings.n_notes), counts)


@dataclass(frozen=True)
class Outcome:
    both: float
    partisan: float
    unhelpful: float
    brigaded: int


def outcome(crowd: Crowd, scores: Scores, brigaded: Scores, targets: NDArray[np.int64]) -> Outcome:
    shown = scores.status == scoring.SHOWN

    def share(kind: int) -> float:
        return float(shown[crowd.kind == kind].mean())

    brigade_shown = int((brigaded.status[targets] == scoring.SHOWN).sum())
    return Outcome(share(BOTH), share(PARTISAN), share(UNHELPFUL), brigade_shown)


def variant(spectral: bool, balance: bool, rule: bool) -> Scorer:
    params = scoring.Params(spectral_start=spectral, balance_sides=balance, both_sides_rule=rule)
    return lambda ratings: scoring.score(ratings, params)


SCORERS: dict[str, Scorer] = {
    "reference": scoring.reference,
    "most votes": most_votes,
    "ours": scoring.score,
}
# Ours' changes added one at a time (decision 0059), the last being ours as shipped.
STEPS: dict[str, Scorer] = {
    "reference": scoring.reference,
    "+ spectral": variant(True, False, False),
    "+ both sides": variant(True, False, True),
    "+ balanced": variant(True, True, True),
}
QUEUED = "ours + queue"


def run_scenario(
    seed: int,
    raters: int,
    notes: int,
    majority: float,
    density: float,
    selfselected: bool,
    scorers: dict[str, Scorer] | None = None,
) -> dict[str, Outcome]:
    """Each scorer on the raters' own picks, then ours on ratings partly steered by the queue;
    each also with the brigade added (same seed: the same 20 target notes)."""
    rng = np.random.default_rng(seed)
    crowd = make_crowd(rng, raters, notes, majority)
    own = picks(rng, crowd, density, selfselected)
    organic = as_ratings(rng, crowd, own)
    steered = queue_ratings(rng, crowd, own, scoring.score)
    results: dict[str, Outcome] = {}
    for name, ratings, scorer in [
        *((name, organic, scorer) for name, scorer in (scorers or SCORERS).items()),
        (QUEUED, steered, scoring.score),
    ]:
        brigaded, targets = with_brigade(np.random.default_rng(seed + 1), crowd, ratings)
        results[name] = outcome(crowd, scorer(ratings), scorer(brigaded), targets)
    return results


def timing(seed: int) -> list[tuple[str, float, float, int]]:
    """Fit time (best of 3) and peak traced memory for 100,000 ratings, per scorer."""
    rng = np.random.default_rng(seed)
    crowd = make_crowd(rng, 4_000, 1_000, 0.6)
    ratings = as_ratings(rng, crowd, picks(rng, crowd, 0.025, False))
    rows = []
    for name, scorer in [("reference", scoring.reference), ("ours", scoring.score)]:
        seconds = []
        for _ in range(3):
            start = time.perf_counter()
            scorer(ratings)
            seconds.append(time.perf_counter() - start)
        tracemalloc.start()
        scorer(ratings)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        rows.append((name, min(seconds), peak / 2**20, len(ratings)))
    return rows


TARGETS = "targets for ours: both ≥ 80%, partisan ≤ 5%, unhelpful ≤ 1%, brigaded shown 0"


def missed(o: Outcome) -> list[str]:
    """The targets `o` misses, by name (the table rounds: 80% may be 79.8%)."""
    checks = {
        f"both {o.both:.1%}": o.both >= 0.80,
        f"partisan {o.partisan:.1%}": o.partisan <= 0.05,
        f"unhelpful {o.unhelpful:.1%}": o.unhelpful <= 0.01,
        f"brigade {o.brigaded}": o.brigaded == 0,
    }
    return [name for name, ok in checks.items() if not ok]


def grid(quick: bool) -> list[tuple[float, float, bool]]:
    if quick:
        return [(0.6, 0.02, False), (0.6, 0.02, True)]
    return [
        (majority, density, selfselected)
        for majority in (0.5, 0.6, 0.9)
        for density in (0.01, 0.02, 0.05)
        for selfselected in (False, True)
    ]


ABLATION_GRID = [
    (0.6, 0.01, True),
    (0.6, 0.02, False),
    (0.9, 0.02, True),
    (0.9, 0.05, False),
]


def label(majority: float, density: float, selfselected: bool) -> str:
    kind = "self-selected" if selfselected else "random"
    return f"{majority:.0%}/{1 - majority:.0%} {density:.0%} {kind}"


def cell(o: Outcome) -> str:
    return f"{o.both:>6.0%}{o.partisan:>6.0%}{o.unhelpful:>5.0%}{o.brigaded:>5}"


def print_table(
    args: argparse.Namespace,
    scenarios: list[tuple[float, float, bool]],
    scorers: dict[str, Scorer],
    judged: tuple[str, ...],
) -> bool:
    """One row per scenario, one column group per scorer; True when every `judged` column
    meets the targets (the names of those that miss are printed at the row's end)."""
    names = [*scorers, QUEUED]
    print(f"{'scenario':<26}" + "".join(f"{name:>24}" for name in names))
    print(f"{'':<26}" + f"{'both part unh brig':>24}" * len(names))
    ok = True
    for index, scenario in enumerate(scenarios):
        seed = args.seed + 10 * index
        results = run_scenario(seed, args.raters, args.notes, *scenario, scorers=scorers)
        misses = [
            f"[{name} misses {', '.join(miss)}]"
            for name in judged
            if (miss := missed(results[name]))
        ]
        ok = ok and not misses
        row = "".join(f"{cell(results[name]):>24}" for name in names)
        print(f"{label(*scenario):<26}{row}", *misses)
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="two scenarios instead of 18, no ablation"
    )
    parser.add_argument("--seed", type=int, default=17)
    parser.add_argument("--raters", type=int, default=1_000)
    parser.add_argument("--notes", type=int, default=500)
    args = parser.parse_args(argv)
    print("Scorers side by side (share of each kind shown; brigaded notes shown of 20):")
    ok = print_table(args, grid(args.quick), SCORERS, ("ours", QUEUED))
    print(TARGETS)
    if not args.quick:
        print("\nOurs' changes one at a time, on a few scenarios:")
        print_table(args, ABLATION_GRID, STEPS, ())
    print(f"\n{'fit':<12}{'ratings':>10}{'seconds':>10}{'peak MiB':>10}  (target ≤ 2 s)")
    for name, seconds, mib, count in timing(args.seed):
        ok = ok and (name != "ours" or seconds <= 2.0)
        print(f"{name:<12}{count:>10,}{seconds:>10.2f}{mib:>10.1f}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
