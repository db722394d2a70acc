"""``rtverify variance`` reproduces the notebook's study, and its numbers are the exact ones.

Each cell is tested against the exact values: the mean of the 100 estimates against 2θ with the
exact sd √(Var/N/100) (z-test), and their sample variance against Var/N with the exact fourth
central moment of an N-sample mean, μ₄(mean) = (μ₄ + 3(N − 1)σ⁴)/N³. With 100 estimates the
variance test only detects errors of about ±100 % at α = 1e-9 (sd of s²/σ² ≈ 0.14); a second
study with 4000 estimates per N detects a 10 % error (power 0.999 at N = 10, 100).
Budget: 2 draws (paired, independent) × 2 estimators × 5 sizes × 2 + 2 × 2 × 2 = 48
assertions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rtverify import stats
from rtverify.cli import main
from rtverify.experiment import REPS, SIZES, render_variance_page, run_study
from rtverify.testfunctions import get

X2 = get("z^2")


def _mean_mu4(estimator: str, theta: float, n: int) -> tuple[float, float]:
    """Exact variance and fourth central moment of the mean of n i.i.d. samples."""
    var = getattr(X2, f"{estimator}_variance")(theta, 1.0)[0]
    mu4 = getattr(X2, f"{estimator}_mu4")(theta, 1.0)[0]
    return var / n, (mu4 + 3 * (n - 1) * var * var) / n**3


@pytest.fixture(scope="module", params=[True, False], ids=["paired", "independent"])
def study(request):
    return run_study(paired=request.param)


def test_paired_draws_share_eps_and_independent_ones_do_not():
    paired, independent = run_study(sizes=(10,)), run_study(sizes=(10,), paired=False)
    # pathwise mean = 2θ + 2 mean(ε) and score mean = mean((θ + ε)² ε): same ε ⇒ correlated
    for study, correlated in ((paired, True), (independent, False)):
        r = np.corrcoef(study.row("score", 10).means, study.row("pathwise", 10).means)[0, 1]
        assert bool(r > 0.5) is correlated  # exact: (2θ² + 6)/√(4·87) = 0.75 paired, 0 independent


def test_the_study_has_the_notebooks_shape(study):
    assert study.theta == 2.0 and study.reps == REPS == 100 and study.sizes == SIZES
    assert study.row("score", 10).exact_variance == pytest.approx(87 / 10, rel=1e-14)
    assert study.row("pathwise", 10).exact_variance == pytest.approx(4 / 10, rel=1e-14)


@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_every_cell_agrees_with_the_exact_mean_and_variance(study, estimator):
    for n in SIZES:
        row = study.row(estimator, n)
        var, mu4 = _mean_mu4(estimator, study.theta, n)
        assert row.exact_variance == pytest.approx(var, rel=1e-14)
        stats.mean_test(
            row.means, 2 * study.theta, sd=math.sqrt(var), what=f"{estimator} mean, N={n}"
        ).check()
        stats.variance_test(row.means, var, mu4=mu4, what=f"{estimator} var, N={n}").check()


@pytest.mark.parametrize("estimator", ["score", "pathwise"])
def test_variances_scale_as_exact_variance_over_n_to_ten_percent(estimator):
    sizes, effect = (10, 100), 0.10
    var1, mu4_1 = _mean_mu4(estimator, 2.0, 10)
    reps = stats.sample_size_for_mean(math.sqrt(mu4_1 - var1 * var1), effect * var1)
    big = run_study(sizes=sizes, reps=reps, seed=7, estimators=(estimator,))
    for n in sizes:
        var, mu4 = _mean_mu4(estimator, 2.0, n)
        row = big.row(estimator, n)
        stats.variance_test(row.means, var, mu4=mu4, what=f"{estimator} var, N={n}").check()
        stats.mean_test(row.means, 4.0, sd=math.sqrt(var), what=f"{estimator} N={n}").check()


def test_the_cell_test_rejects_the_per_sample_variance_in_place_of_var_over_n():
    """Planted: forgetting the 1/N (comparing with 87 instead of 87/N) is caught at N = 10."""
    study = run_study(sizes=(10,))
    row = study.row("score", 10)
    _, mu4 = _mean_mu4("score", study.theta, 10)
    assert not stats.variance_test(row.means, 87.0, mu4=mu4).passed


def test_runs_repeat_exactly_and_depend_on_the_seed():
    a, b, c = (run_study(sizes=(10, 1000), seed=s) for s in (1, 1, 2))
    assert [r.mean for r in a.rows] == [r.mean for r in b.rows]
    assert [r.mean for r in a.rows] != [r.mean for r in c.rows]


def test_cli_prints_the_table(capsys):
    assert main(["variance", "--sizes", "10", "100", "--reps", "20", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert "score function variance" in out and "exact Var/N" in out
    assert "8.7" in out and "0.4" in out  # 87/10 and 4/10


def test_cli_rejects_bad_input_with_a_message(capsys):
    assert main(["variance", "--reps", "1"]) == 2
    assert "reps must be" in capsys.readouterr().err
    assert main(["variance", "--sizes", "0"]) == 2


def test_cli_plot_writes_an_svg(tmp_path, capsys):
    pytest.importorskip("matplotlib")
    target = tmp_path / "variance.svg"
    assert main(["variance", "--sizes", "10", "100", "--plot", str(target)]) == 0
    assert target.read_text().lstrip().startswith("<?xml")


def test_cli_plot_without_matplotlib_explains_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "matplotlib", None)
    assert main(["variance", "--sizes", "10", "--plot", str(tmp_path / "v.svg")]) == 2
    assert "rtverify[plot]" in capsys.readouterr().err


def test_the_docs_page_is_deterministic_and_links_the_figure():
    page = render_variance_page([])
    assert page == render_variance_page([])
    assert "figures/variance.svg" in page and "| 100000 |" in page and "87" in page
