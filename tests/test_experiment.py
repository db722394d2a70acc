"""``rtverify variance`` reproduces the notebook's study, and its numbers are the exact ones.

Each cell is tested against the exact values: the mean of the 100 estimates against 2θ with the
exact sd √(Var/N/100) (z-test), and their sample variance against Var/N with the exact fourth
central moment of an N-sample mean, μ₄(mean) = (μ₄ + 3(N − 1)σ⁴)/N³. With 100 estimates the
variance test only detects errors of about ±100 % at α = 1e-9 (sd of s²/σ² ≈ 0.14); a second
study with 4000 estimates per N detects a 10 % error (power 0.999 at N = 10, 100).
Budget: 2 draws (paired, independent) × 2 estimators × 5 sizes × 2 + 2 × 2 × 2 = 48
assertions, and one planted bug counted with its false-pass probability.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from _budget import expect_rejected, variance_se

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
    """Planted: an exact value that forgot the 1/N (Var = 87 and μ₄ of one sample, not of the
    N = 10 mean) is rejected by the variance test on 4000 estimates: the bug is 11 of the
    null's standard errors away, P(false pass) < 1e-30. On the notebook's 100 estimates it
    would NOT be (1.8 standard errors: one sample's law is too heavy-tailed, μ₄/σ⁴ = 27)."""
    reps = 4000
    row = run_study(sizes=(10,), reps=reps, seed=11).row("score", 10)
    per_sample_var = X2.score_variance(2.0, 1.0)[0]  # 87
    per_sample_mu4 = X2.score_mu4(2.0, 1.0)[0]
    var, mu4 = _mean_mu4("score", 2.0, 10)
    outcome = stats.variance_test(row.means, per_sample_var, mu4=per_sample_mu4, what="Var = 87")
    expect_rejected(
        outcome,
        var - per_sample_var,
        se=variance_se(per_sample_var, per_sample_mu4, reps),
        se_bug=variance_se(var, mu4, reps),
    )


@pytest.mark.parametrize("paired", [True, False], ids=["paired", "independent"])
def test_each_cell_is_the_notebooks_estimate_on_its_seeded_eps(paired):
    """Recomputed here with the notebook's own formulas on the ε of the cell's seed (drawn row
    after row): score (1/N) Σ z²(z − θ), pathwise (1/N) Σ 2z, z = θ + ε; the cell's mean and
    its ddof = 1 variance of the 100 estimates. A second seed gives other numbers."""
    theta, reps = 2.0, REPS
    for seed in (1, 2):
        study = run_study(sizes=(10, 1000), seed=seed, paired=paired)
        for n in (10, 1000):
            groups = [("score", "pathwise")] if paired else [("score",), ("pathwise",)]
            for group in groups:
                eps = stats.rng("variance-experiment", seed, *group, n).standard_normal((reps, n))
                z = theta + eps
                notebook = {
                    "score": (z * z * (z - theta)).mean(axis=1),
                    "pathwise": (2 * z).mean(axis=1),
                }
                for e in group:
                    row = study.row(e, n)
                    np.testing.assert_allclose(row.means, notebook[e], rtol=1e-12, atol=1e-13)
                    assert row.mean == pytest.approx(notebook[e].mean(), rel=1e-12)
                    assert row.variance == pytest.approx(np.var(notebook[e], ddof=1), rel=1e-10)
    assert (
        run_study(sizes=(10,), seed=1).rows[0].mean != run_study(sizes=(10,), seed=2).rows[0].mean
    )


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


def test_the_docs_page_shows_the_exact_variances_and_links_the_figure():
    """Every N has a table row whose exact columns are 87/N (score) and 4/N (pathwise), the
    per-sample variances θ⁴ + 14θ² + 15 and 4 at θ = 2 computed here; the ratio is 87/4."""
    page = render_variance_page([])
    rows = {
        int(cells[0]): cells
        for line in page.splitlines()
        if line.startswith("| ")
        and (cells := [c.strip() for c in line.strip("|").split("|")])[0].isdigit()
    }
    assert sorted(rows) == list(SIZES)
    for n, cells in rows.items():
        assert float(cells[3]) == pytest.approx(87 / n, rel=5e-4), cells
        assert float(cells[6]) == pytest.approx(4 / n, rel=5e-4), cells
    ratio = re.search(r"exact variances differ by the factor ([0-9.]+)", page)
    assert ratio and float(ratio.group(1)) == pytest.approx(87 / 4, abs=0.06)
    assert "](figures/variance.svg)" in page
