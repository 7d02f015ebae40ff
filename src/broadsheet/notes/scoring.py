"""The scorer: which notes readers who usually disagree both find helpful.

Pure functions on arrays (no Django): the worker's scoring run (notes.services) and the
benchmark (bench/notes.py) call the same code. The core model is Community Notes' published
one: for each observed rating r̂ = μ + i_user + i_note + f_user · f_note, fitted by minimising
the squared error plus λ_i (μ² + Σ i_user² + Σ i_note²) + λ_f (Σ f_user² + Σ f_note²).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import minimize

# The values of a rating.
HELPFUL, SOMEWHAT, NOT_HELPFUL = 1.0, 0.5, 0.0

# Statuses, as codes in the arrays the scorer returns (notes.models.Status has the labels).
NEEDS, SHOWN, UNHELPFUL = 0, 1, 2


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ratings:
    """Observed ratings as parallel arrays: rater index, note index, value (0, 0.5 or 1)."""

    raters: NDArray[np.int64]
    notes: NDArray[np.int64]
    values: NDArray[np.float64]
    n_raters: int
    n_notes: int

    def __len__(self) -> int:
        return int(self.values.shape[0])


@dataclass(frozen=True)
class Fit:
    mu: float
    note_intercept: NDArray[np.float64]
    note_factor: NDArray[np.float64]
    rater_intercept: NDArray[np.float64]
    rater_factor: NDArray[np.float64]


@dataclass(frozen=True)
class Scores:
    """What a run decides, per note index: status code, intercept, factor, ratings counted."""

    status: NDArray[np.int64]
    intercept: NDArray[np.float64]
    factor: NDArray[np.float64]
    counts: NDArray[np.int64]


def fit(ratings: Ratings, params: Params = Params(), *, seed: int = 0) -> Fit:
    """The core model fitted by L-BFGS on the exact objective and its gradient."""
    nr, nn = ratings.n_raters, ratings.n_notes
    u, n, r = ratings.raters, ratings.notes, ratings.values
    rng = np.random.default_rng(seed)
    x0 = np.concatenate(
        [[0.0], np.zeros(nr), np.zeros(nn), rng.normal(0, 0.1, nr), rng.normal(0, 0.1, nn)]
    )
    li, lf = params.lambda_intercept, params.lambda_factor

    def split(x: NDArray[np.float64]) -> tuple[Any, ...]:
        return (
            x[0],
            x[1 : 1 + nr],
            x[1 + nr : 1 + nr + nn],
            x[1 + nr + nn : 1 + 2 * nr + nn],
            x[1 + 2 * nr + nn :],
        )

    def loss(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        mu, iu, i_n, fu, fn = split(x)
        err = mu + iu[u] + i_n[n] + fu[u] * fn[n] - r
        value = float(err @ err + li * (mu * mu + iu @ iu + i_n @ i_n) + lf * (fu @ fu + fn @ fn))
        g = 2 * err
        grad = np.concatenate(
            [
                [g.sum() + 2 * li * mu],
                np.bincount(u, g, nr) + 2 * li * iu,
                np.bincount(n, g, nn) + 2 * li * i_n,
                np.bincount(u, g * fn[n], nr) + 2 * lf * fu,
                np.bincount(n, g * fu[u], nn) + 2 * lf * fn,
            ]
        )
        return value, grad

    result = minimize(loss, x0, jac=True, method="L-BFGS-B", options={"maxiter": 2000})
    mu, iu, i_n, fu, fn = split(result.x)
    return Fit(float(mu), i_n.copy(), fn.copy(), iu.copy(), fu.copy())


def statuses(fit: Fit, counts: NDArray[np.int64], params: Params = Params()) -> NDArray[np.int64]:
    """The published rule: Shown at ≥ min_ratings with i_note ≥ 0.40 and |f_note| < 0.50; Not
    helpful at ≥ min_ratings with i_note ≤ −0.05 − 0.8 |f_note|; otherwise Needs more ratings."""
    i, f = fit.note_intercept, np.abs(fit.note_factor)
    enough = counts >= params.min_ratings
    status = np.full(i.shape, NEEDS, dtype=np.int64)
    status[enough & (i <= params.unhelpful_base - params.unhelpful_slope * f)] = UNHELPFUL
    status[enough & (i >= params.shown_intercept) & (f < params.shown_max_factor)] = SHOWN
    return status


def score(ratings: Ratings, params: Params = Params()) -> Scores:
    """Fit and decide: the scorer as shipped (the function the worker's run calls)."""
    counts = np.bincount(ratings.notes, minlength=ratings.n_notes).astype(np.int64)
    if len(ratings) == 0:
        zeros = np.zeros(ratings.n_notes)
        return Scores(np.full(ratings.n_notes, NEEDS, dtype=np.int64), zeros, zeros, counts)
    fitted = fit(ratings, params)
    return Scores(
        statuses(fitted, counts, params), fitted.note_intercept, fitted.note_factor, counts
    )
