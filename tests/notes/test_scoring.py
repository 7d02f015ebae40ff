"""The scorer: the published status rule, the fit's optimum, and bridging on small crowds."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.optimize import minimize

from broadsheet.notes import scoring
from broadsheet.notes.scoring import NEEDS, SHOWN, UNHELPFUL, Fit, Params, Ratings


def _fit_of(intercepts: list[float], factors: list[float]) -> Fit:
    return Fit(0.0, np.array(intercepts), np.array(factors), np.zeros(1), np.zeros(1))


def test_shown_needs_the_intercept_the_factor_bound_and_five_ratings() -> None:
    fitted = _fit_of([0.40, 0.3999, 0.40, 0.40, 0.40], [0.49, 0.0, 0.50, -0.49, 0.0])
    counts = np.array([5, 5, 5, 5, 4])
    assert scoring.statuses(fitted, counts).tolist() == [SHOWN, NEEDS, NEEDS, SHOWN, NEEDS]


def test_not_helpful_below_the_line_that_falls_with_the_factor() -> None:
    line = -0.05 - 0.8 * 0.5
    fitted = _fit_of([-0.05, -0.0499, line, line + 0.001, -0.9], [0.0, 0.0, -0.5, 0.5, 0.0])
    counts = np.array([5, 5, 5, 5, 4])
    assert scoring.statuses(fitted, counts).tolist() == [
        UNHELPFUL,
        NEEDS,
        UNHELPFUL,
        NEEDS,
        NEEDS,
    ]


def _planted(seed: int, raters: int = 60, notes: int = 30) -> tuple[Ratings, dict[str, np.ndarray]]:
    rng = np.random.default_rng(seed)
    truth = {
        "iu": rng.normal(0, 0.2, raters),
        "in": rng.normal(0, 0.4, notes),
        "fu": rng.choice([-1.0, 1.0], raters) * rng.uniform(0.6, 1.2, raters),
        "fn": rng.normal(0, 0.6, notes),
    }
    u, n = (a.ravel() for a in np.meshgrid(np.arange(raters), np.arange(notes), indexing="ij"))
    keep = rng.random(u.size) < 0.7
    u, n = u[keep], n[keep]
    values = 0.3 + truth["iu"][u] + truth["in"][n] + truth["fu"][u] * truth["fn"][n]
    values = values + rng.normal(0, 0.05, u.size)
    return Ratings(u, n, values, raters, notes), truth


def test_the_fit_recovers_planted_intercepts_and_factors() -> None:
    ratings, truth = _planted(3)
    fitted = scoring.fit(ratings, Params(regularisation="sum"))
    assert np.corrcoef(fitted.note_intercept, truth["in"])[0, 1] > 0.95
    assert abs(np.corrcoef(fitted.note_factor, truth["fn"])[0, 1]) > 0.95
    assert abs(np.corrcoef(fitted.rater_factor, truth["fu"])[0, 1]) > 0.95


def _exact_optimum(
    ratings: Ratings, pen: scoring.Penalty, seed: int, w: np.ndarray | None = None
) -> float:
    """L-BFGS on the objective and its gradient written out here (what main's scorer did):
    nothing shared with the fit but `objective`, which checks the value it reaches."""
    nr, nn = ratings.n_raters, ratings.n_notes
    u, n = ratings.raters, ratings.notes

    def unpack(x: np.ndarray) -> Fit:
        return Fit(x[0], x[1 : 1 + nn], x[1 + nn : 1 + 2 * nn], x[1 + 2 * nn : -nr], x[-nr:])

    def value_and_gradient(x: np.ndarray) -> tuple[float, np.ndarray]:
        f = unpack(x)
        err = f.mu + f.rater_intercept[u] + f.note_intercept[n]
        err = 2 * (err + f.rater_factor[u] * f.note_factor[n] - ratings.values)
        err = err if w is None else err * w
        gradient = [
            [err.sum() + 2 * pen.mu * f.mu],
            np.bincount(n, err, nn) + 2 * pen.note_i * f.note_intercept,
            np.bincount(n, err * f.rater_factor[u], nn) + 2 * pen.note_f * f.note_factor,
            np.bincount(u, err, nr) + 2 * pen.rater_i * f.rater_intercept,
            np.bincount(u, err * f.note_factor[n], nr) + 2 * pen.rater_f * f.rater_factor,
        ]
        return scoring.objective(ratings, pen, f, w), np.concatenate(gradient)

    x0 = np.random.default_rng(seed).normal(0, 0.3, 1 + 2 * nn + 2 * nr)
    options = {"maxiter": 20_000, "ftol": 1e-15, "gtol": 1e-10}
    result = minimize(value_and_gradient, x0, jac=True, method="L-BFGS-B", options=options)
    return float(result.fun)


@pytest.mark.parametrize(
    ("regularisation", "weighted"), [("mean", False), ("sum", False), ("mean", True)]
)
def test_the_fit_reaches_the_exact_objectives_optimum(regularisation: str, weighted: bool) -> None:
    ratings, _ = _planted(5, raters=16, notes=10)
    params = Params(regularisation=regularisation)
    w = np.random.default_rng(1).uniform(0.5, 3.0, len(ratings)) if weighted else None
    pen = scoring.penalty(ratings, params, w)
    fitted = scoring.fit(ratings, params, weights=w, tolerance=1e-10)
    found = scoring.objective(ratings, pen, fitted, w)
    best = min(_exact_optimum(ratings, pen, seed, w) for seed in range(3))
    assert found <= best + 1e-6 * best


def test_ours_also_shows_a_note_both_sides_centres_find_helpful_enough() -> None:
    # Raters' sides centre on −0.5 and +0.5: the published boundary note (0.40, 0.50) is
    # predicted 0.40 − 0.50 × 0.5 = 0.15 on its worse side, which is ours' bar.
    fitted = Fit(
        0.0,
        np.array([0.30, 0.30, 0.90, 0.14]),
        np.array([0.0, 0.4, 0.5, 0.0]),
        np.zeros(4),
        np.array([-0.6, -0.4, 0.4, 0.6]),
    )
    counts = np.full(4, 5)
    assert scoring.statuses(fitted, counts).tolist() == [NEEDS] * 4
    assert scoring.both_sides_statuses(fitted, counts).tolist() == [SHOWN, NEEDS, NEEDS, NEEDS]


def test_balancing_gives_each_side_half_the_weight() -> None:
    ratings, _ = _planted(9)
    fitted = scoring.fit(ratings)
    weights = scoring.balancing_weights(ratings, fitted)
    assert weights is not None
    positive = fitted.rater_factor[ratings.raters] > 0
    assert weights[positive].sum() == pytest.approx(len(ratings) / 2)
    assert weights[~positive].sum() == pytest.approx(len(ratings) / 2)


def test_the_reference_is_ours_with_its_changes_turned_off() -> None:
    ratings, _ = _planted(11)
    plain = Params(spectral_start=False, balance_sides=False, both_sides_rule=False)
    assert np.array_equal(
        scoring.reference(ratings).intercept, scoring.score(ratings, plain).intercept
    )


def _camps(raters_per_camp: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Two camps; note 0 helpful to both, note 1 to camp A only, notes 2–7 split the camps the
    same way so that the model can learn who is on which side."""
    camp = np.repeat([0, 1], raters_per_camp)
    liked = np.array([[1, 1, 1, 1, 1, 0, 0, 0], [1, 0, 0, 0, 0, 1, 1, 1]], dtype=float)
    return camp, liked


def test_a_note_both_camps_find_helpful_is_shown_and_a_partisan_one_is_not() -> None:
    camp, liked = _camps()
    u, n = (a.ravel() for a in np.meshgrid(np.arange(camp.size), np.arange(8), indexing="ij"))
    values = liked[camp[u], n]
    ratings = Ratings(u, n, values, camp.size, 8)
    for scorer in (scoring.score, scoring.reference):
        status = scorer(ratings, Params()).status
        assert status[0] == SHOWN
        assert status[1] != SHOWN


def test_no_ratings_decide_nothing() -> None:
    empty = Ratings(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0), 3, 4)
    for scorer in (scoring.score, scoring.reference):
        scores = scorer(empty, Params())
        assert scores.status.tolist() == [NEEDS] * 4
        assert scores.counts.tolist() == [0] * 4
        assert scores.intercept.shape == scores.factor.shape == (4,)


def test_the_same_ratings_give_the_same_scores() -> None:
    ratings, _ = _planted(7)
    first, second = scoring.score(ratings), scoring.score(ratings)
    assert np.array_equal(first.status, second.status)
    assert np.array_equal(first.intercept, second.intercept)
    assert np.array_equal(first.factor, second.factor)


def test_the_benchmark_runs_a_tiny_scenario() -> None:
    path = Path(__file__).resolve().parents[2] / "bench" / "notes.py"
    spec = importlib.util.spec_from_file_location("bench_notes", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    results = bench.run_scenario(1, 80, 40, 0.6, 0.25, selfselected=True)
    assert set(results) == {"reference", "most votes", "ours", "ours + queue"}
    assert all(0.0 <= o.both <= 1.0 and 0 <= o.brigaded <= 20 for o in results.values())
