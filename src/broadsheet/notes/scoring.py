"""The scorer: which notes readers who usually disagree both find helpful.

Pure functions on arrays (no Django): the worker's scoring run (notes.runs) and the benchmark
(bench/notes.py) call the same code. The core model is Community Notes' published one: for each
observed rating r̂ = μ + i_user + i_note + f_user · f_note, fitted by minimising the squared
error plus λ_i (μ² + i_user² + i_note²) + λ_f (f_user² + f_note²), each sum taken as a mean the
way their published source does (decision 0058; docs/notes-scorer.md).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix
from scipy.sparse.linalg import ArpackError, svds

# The values of a rating.
HELPFUL, SOMEWHAT, NOT_HELPFUL = 1.0, 0.5, 0.0

# Statuses, as codes in the arrays the scorer returns (notes.models.Status has the labels).
NEEDS, SHOWN, UNHELPFUL = 0, 1, 2

Floats = NDArray[np.float64]
Ints = NDArray[np.int64]


@dataclass(frozen=True)
class Params:
    """The scorer's parameters; the defaults are Community Notes' published ones."""

    lambda_intercept: float = 0.15
    lambda_factor: float = 0.03
    min_ratings: int = 5
    shown_intercept: float = 0.40
    shown_max_factor: float = 0.50
    unhelpful_base: float = -0.05
    unhelpful_slope: float = 0.8
    # "mean": squared error and each penalty averaged, as Community Notes' source does; "sum":
    # the formula read literally (decision 0058 says why mean is the reference).
    regularisation: str = "mean"
    # Ours' changes to the reference, each of which the benchmark can turn off (decision 0059):
    # start the fit from the ratings' main axis of disagreement instead of at random; refit
    # with each side of that axis weighing half; and Shown also when both sides' centres are
    # predicted to find the note helpful enough. All False is the reference.
    spectral_start: bool = True
    balance_sides: bool = True
    both_sides_rule: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ratings:
    """Observed ratings as parallel arrays: rater index, note index, value (0, 0.5 or 1)."""

    raters: Ints
    notes: Ints
    values: Floats
    n_raters: int
    n_notes: int

    def __len__(self) -> int:
        return int(self.values.shape[0])


@dataclass(frozen=True)
class Fit:
    mu: float
    note_intercept: Floats
    note_factor: Floats
    rater_intercept: Floats
    rater_factor: Floats


@dataclass(frozen=True)
class Scores:
    """What a run decides, per note index: status code, intercept, factor, ratings counted."""

    status: Ints
    intercept: Floats
    factor: Floats
    counts: Ints


@dataclass(frozen=True)
class Penalty:
    """The objective is Σ err² + mu·μ² + rater_i·Σ i_u² + note_i·Σ i_n² + rater_f·Σ f_u² +
    note_f·Σ f_n²: the published λs scaled to whichever form `regularisation` names."""

    mu: float
    rater_i: float
    note_i: float
    rater_f: float
    note_f: float


def penalty(ratings: Ratings, params: Params, weights: Floats | None = None) -> Penalty:
    li, lf = params.lambda_intercept, params.lambda_factor
    if params.regularisation == "sum":
        return Penalty(li, li, li, lf, lf)
    if params.regularisation != "mean":
        raise ValueError(f"regularisation must be 'mean' or 'sum', not {params.regularisation!r}")
    # Multiplying their mean-form loss by the number of ratings N (the total weight, when the
    # ratings are weighted) leaves the optimum where it is: each penalty becomes λ·N/(count of
    # that parameter), only raters and notes with ratings being parameters (theirs are built
    # from the ratings).
    n = max(float(weights.sum()) if weights is not None else len(ratings), 1.0)
    raters = max(np.unique(ratings.raters).size, 1)
    notes = max(np.unique(ratings.notes).size, 1)
    return Penalty(li * n, li * n / raters, li * n / notes, lf * n / raters, lf * n / notes)


def objective(ratings: Ratings, pen: Penalty, fitted: Fit, weights: Floats | None = None) -> float:
    """The exact objective at `fitted` (what the fit minimises; tests compare optima with it)."""
    u, n = ratings.raters, ratings.notes
    err = (
        fitted.mu
        + fitted.rater_intercept[u]
        + fitted.note_intercept[n]
        + fitted.rater_factor[u] * fitted.note_factor[n]
        - ratings.values
    )
    w = np.ones_like(err) if weights is None else weights
    return float(
        w @ (err * err)
        + pen.mu * fitted.mu**2
        + pen.rater_i * fitted.rater_intercept @ fitted.rater_intercept
        + pen.note_i * fitted.note_intercept @ fitted.note_intercept
        + pen.rater_f * fitted.rater_factor @ fitted.rater_factor
        + pen.note_f * fitted.note_factor @ fitted.note_factor
    )


def _ridge2(
    index: Ints, size: int, y: Floats, x: Floats, w: Floats, pen_i: float, pen_f: float
) -> tuple[Floats, Floats]:
    """Per group (rater or note), the closed-form minimiser of Σ w (y − a − b·x)² + pen_i a² +
    pen_f b²: a 2×2 linear system per group, all groups at once."""
    s1 = np.bincount(index, w, size) + pen_i
    sx = np.bincount(index, w * x, size)
    sxx = np.bincount(index, w * x * x, size) + pen_f
    sy = np.bincount(index, w * y, size)
    sxy = np.bincount(index, w * x * y, size)
    # Zero only for a group without ratings when a λ is set to 0: leave it at zero.
    det = s1 * sxx - sx * sx
    det = np.where(det > 1e-12, det, np.inf)
    return (sxx * sy - sx * sxy) / det, (s1 * sxy - sx * sy) / det


def fit(
    ratings: Ratings,
    params: Params = Params(),
    *,
    seed: int = 0,
    start: str | Fit = "random",
    weights: Floats | None = None,
    tolerance: float = 1e-6,
    max_sweeps: int = 2000,
) -> Fit:
    """The core model's optimum by alternating least squares: each sweep solves every note's
    (intercept, factor) exactly given the raters, then every rater's given the notes, then μ.
    Each step cannot raise the objective; it stops when no parameter moves by `tolerance`.
    Rater factors start small and random (seeded), from the main axis of disagreement in the
    ratings (`start="spectral"`), or everything from a previous fit. `weights` (per rating) weigh the
    squared errors. Deterministic: the same input gives the same fit."""
    nr, nn = ratings.n_raters, ratings.n_notes
    u, n, r = ratings.raters, ratings.notes, ratings.values
    w = np.ones(len(ratings)) if weights is None else weights
    pen = penalty(ratings, params, weights)
    mu, iu, fu = _start(ratings, start, seed)
    i_n, fn = np.zeros(nn), np.zeros(nn)
    for _ in range(max_sweeps):
        moved = np.concatenate([[mu], iu, i_n, fu, fn])
        i_n, fn = _ridge2(n, nn, r - mu - iu[u], fu[u], w, pen.note_i, pen.note_f)
        iu, fu = _ridge2(u, nr, r - mu - i_n[n], fn[n], w, pen.rater_i, pen.rater_f)
        mu = float(w @ (r - iu[u] - i_n[n] - fu[u] * fn[n]) / (w.sum() + pen.mu))
        moved -= np.concatenate([[mu], iu, i_n, fu, fn])
        if np.max(np.abs(moved)) < tolerance:
            break
    return _identified(Fit(mu, i_n, fn, iu, fu))


def _start(ratings: Ratings, start: str | Fit, seed: int) -> tuple[float, Floats, Floats]:
    """μ, rater intercepts and rater factors to start from (the first sweep fits the notes)."""
    zeros = np.zeros(ratings.n_raters)
    if isinstance(start, Fit):
        return start.mu, start.rater_intercept, start.rater_factor
    fu = spectral_start(ratings) if start == "spectral" else None
    # Never all zero: zero factors are a saddle point the sweeps cannot leave.
    if fu is None:
        fu = np.random.default_rng(seed).normal(0.0, 0.1, ratings.n_raters)
    return 0.0, zeros, fu


def spectral_start(ratings: Ratings) -> Floats | None:
    """Rater factors along the leading singular vector of the ratings once each note's and each
    rater's mean are taken out: where the raters disagree most. On sparse ratings a random start
    often ends in a worse local optimum (docs/notes-scorer.md); None when there is no axis."""
    u, n = ratings.raters, ratings.notes
    if min(np.unique(u).size, np.unique(n).size) < 2:
        return None
    counts_u = np.maximum(np.bincount(u, minlength=ratings.n_raters), 1)
    counts_n = np.maximum(np.bincount(n, minlength=ratings.n_notes), 1)
    rest = ratings.values - ratings.values.mean()
    rest = rest - (np.bincount(n, rest, ratings.n_notes) / counts_n)[n]
    rest = rest - (np.bincount(u, rest, ratings.n_raters) / counts_u)[u]
    if not np.any(np.abs(rest) > 1e-12):
        return None
    matrix = csr_matrix((rest, (u, n)), shape=(ratings.n_raters, ratings.n_notes))
    # A seeded start vector keeps svds deterministic.
    v0 = np.random.default_rng(0).uniform(-1.0, 1.0, min(matrix.shape))
    try:
        left, _, _ = svds(matrix, k=1, v0=v0)
    except ArpackError:  # no convergence: the random start is still a start
        return None
    return left[:, 0] * np.sqrt(np.unique(u).size) * 0.3


def _identified(fitted: Fit) -> Fit:
    """The model cannot tell f from −f; like Community Notes, give most raters a negative
    factor so that runs agree on the sign (|f_note| and the statuses do not depend on it)."""
    rated = fitted.rater_factor[fitted.rater_factor != 0]
    if rated.size and (rated < 0).mean() >= 0.5:
        return fitted
    return Fit(
        fitted.mu,
        fitted.note_intercept,
        -fitted.note_factor,
        fitted.rater_intercept,
        -fitted.rater_factor,
    )


def counts_of(ratings: Ratings) -> Ints:
    return np.bincount(ratings.notes, minlength=ratings.n_notes).astype(np.int64)


def statuses(fit: Fit, counts: Ints, params: Params = Params()) -> Ints:
    """The published rule: Shown at ≥ min_ratings with i_note ≥ 0.40 and |f_note| < 0.50; Not
    helpful at ≥ min_ratings with i_note ≤ −0.05 − 0.8 |f_note|; otherwise Needs more ratings."""
    i, f = fit.note_intercept, np.abs(fit.note_factor)
    enough = counts >= params.min_ratings
    status = np.full(i.shape, NEEDS, dtype=np.int64)
    status[enough & (i <= params.unhelpful_base - params.unhelpful_slope * f)] = UNHELPFUL
    status[enough & (i >= params.shown_intercept) & (f < params.shown_max_factor)] = SHOWN
    return status


def _undecided(ratings: Ratings) -> Scores:
    zeros = np.zeros(ratings.n_notes)
    status = np.full(ratings.n_notes, NEEDS, dtype=np.int64)
    return Scores(status, zeros, zeros.copy(), counts_of(ratings))


def reference(ratings: Ratings, params: Params = Params()) -> Scores:
    """Community Notes' core model and rule as published: one fit from a random start, one
    threshold (ours with its three changes turned off)."""
    return score(
        ratings, replace(params, spectral_start=False, balance_sides=False, both_sides_rule=False)
    )


def sides(fitted: Fit) -> tuple[float, float]:
    """The centres of the two sides of the disagreement: the mean factor of the raters with a
    negative factor and of those with a positive one (0 for a side nobody is on)."""
    fu = fitted.rater_factor
    low, high = fu[fu < 0], fu[fu > 0]
    return (float(low.mean()) if low.size else 0.0, float(high.mean()) if high.size else 0.0)


def both_sides_statuses(fitted: Fit, counts: Ints, params: Params = Params()) -> Ints:
    """The published rule, and Shown also when raters at the centre of EITHER side are predicted
    to find the note at least as helpful as they would a note on the published boundary
    (intercept 0.40, |factor| just under 0.50, seen from the side it is further from), with
    |factor| < 0.50 kept. Decision 0059."""
    low, high = sides(fitted)
    i, f = fitted.note_intercept, fitted.note_factor
    worst_side = np.minimum(i + f * low, i + f * high)
    bar = params.shown_intercept - params.shown_max_factor * (high - low) / 2
    status = statuses(fitted, counts, params)
    bridged = (worst_side >= bar) & (np.abs(f) < params.shown_max_factor)
    status[(counts >= params.min_ratings) & bridged] = SHOWN
    return status


def balancing_weights(ratings: Ratings, fitted: Fit) -> Floats | None:
    """Per rating, weights that give each side of the fitted disagreement half the total, so
    that the smaller side's raters count as much as the larger's (None if a side is empty)."""
    positive = fitted.rater_factor[ratings.raters] > 0
    share = float(positive.mean())
    if share in (0.0, 1.0):
        return None
    return np.where(positive, 0.5 / share, 0.5 / (1.0 - share))


def score(ratings: Ratings, params: Params = Params()) -> Scores:
    """Fit and decide: the scorer as shipped (the function the worker's run calls). The
    published model and parameters; with the default flags, fitted from the spectral start,
    refitted with the two sides balanced, and decided by `both_sides_statuses` (decision 0059;
    docs/notes-scorer.md has what each change does on the benchmark)."""
    if len(ratings) == 0:
        return _undecided(ratings)
    start = "spectral" if params.spectral_start else "random"
    # Only the sides are taken from a fit that the balanced one refines: it need not be tight.
    fitted = fit(ratings, params, start=start, tolerance=1e-4 if params.balance_sides else 1e-6)
    weights = balancing_weights(ratings, fitted) if params.balance_sides else None
    if weights is not None:
        fitted = fit(ratings, params, start=fitted, weights=weights)
    counts = counts_of(ratings)
    rule = both_sides_statuses if params.both_sides_rule else statuses
    return Scores(rule(fitted, counts, params), fitted.note_intercept, fitted.note_factor, counts)
