"""The page ``docs/checking.md`` ("Checking your implementation"), generated from real runs.

:func:`render_checking_page` writes small example implementations to a temporary directory,
checks them with the same code the command line uses, and pastes the actual reports (without
their wall time, so that the text is deterministic).
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["render_checking_page"]

_MY_VAE = """import numpy as np


def kl_buggy(mu, logvar):
    return np.sum(mu**2 + np.exp(logvar) - 1.0 - logvar, axis=-1)


def kl(mu, logvar):
    return -0.5 * np.sum(1 + logvar - mu**2 - np.exp(logvar), axis=-1)


def sample(mu, logvar, eps):
    return mu + np.exp(logvar) * eps
"""

_REINFORCE = """import numpy as np


def grad(f, df, mu, sigma, eps):
    fz = f(mu + sigma * eps)
    advantage = fz - fz.mean()  # baseline from the same samples
    return np.stack([advantage * eps / sigma, advantage * (eps**2 - 1) / sigma], axis=-1)
"""

_PYTEST = """from rtverify.check import assert_conforms

from my_vae import sample


def test_sampler_conforms():
    assert_conforms("reparam-sample", sample, param="logvar")


def test_kl_conforms(rtverify_conforms):  # the same, as a fixture of the pytest plugin
    rtverify_conforms("gaussian-kl", "my_vae:kl")
"""


def _block(text: str, lang: str = "") -> str:
    return f"```{lang}\n{text.rstrip()}\n```\n"


def _cli(report: Any, tmp: str, *extra: str) -> str:
    args = " ".join((report.target, report.impl.replace(f"{tmp}/", ""), *extra))
    code = 0 if report.ok else 1
    out = report.render(timing=False).replace(f"{tmp}/", "")
    return _block(f"$ rtverify check {args}\n{out}\n$ echo $?\n{code}", "console")


def _properties_table() -> str:
    from rtverify.check.targets_det import K_ROUNDING
    from rtverify.check.targets_grad import CALLS, CASES, SMALL_N

    cases = ", ".join(f"f = {f} at (μ, σ) = ({mu}, {s})" for f, mu, s in CASES)
    return "\n".join(
        [
            "| property | gaussian-kl, reparam-sample | score-gradient, pathwise-gradient |",
            "| --- | --- | --- |",
            "| runs, returns an array of the due shape | (batch,) or scalar (--reduction); "
            "(batch, D) | (n, 2) for n = 2, 10, 1000 |",
            "| returns float64 | yes | yes |",
            "| finite for finite inputs | yes | yes |",
            "| agrees with the reference | within a float64 rounding bound (below) | — |",
            "| leaves its inputs unchanged | mu, p, eps | eps |",
            "| deterministic under two global random states | yes | yes (IMPL must use eps) |",
            f"| unbiased for ∂/∂μ and ∂/∂σ | — | z-test on call means: {cases}; "
            f"n = {', '.join(map(str, SMALL_N))} "
            f"({', '.join(f'{CALLS[n]} calls at n = {n}' for n in SMALL_N)}) |",
            "",
            f"Rounding bound (K = {K_ROUNDING:g}, u = 2⁻⁵³): KL: "
            "|got − ref| ≤ K·u·(D + 4 [+ batch])"
            "·Σ_d (μ² + σ²(1 + |log σ²|) + 1 + |log σ²|) per example, which admits the naive "
            "½Σ(μ² + e^lv − 1 − lv) with its cancellation and rejects float32; sample: "
            "|got − ref| ≤ K·u·(|μ| + |σε|(2 + |log σ²|)). "
            "Inputs: batch × D = 5 × 3, 1 × 1, a grid of "
            "0, ±1, tiny, ±1e3 and log σ² = ±30, and 64 × 8 random values over log σ² ∈ [−30, 30], "
            "|μ| ≤ 1e3 (in the parameterization --param names).",
        ]
    )


def render_checking_page(reports: Sequence[Any] = ()) -> str:
    """Markdown of ``docs/checking.md``; ``reports`` (the derivation reports) are not needed."""
    from rtverify.check.api import BUDGET_SECONDS, CALL_TIMEOUT_SECONDS, FALSE_ALARM, check
    from rtverify.check.targets_grad import TAIL_MARGIN

    with tempfile.TemporaryDirectory(prefix="rtverify-check-docs-") as tmp:
        Path(tmp, "my_vae.py").write_text(_MY_VAE, encoding="utf-8")
        Path(tmp, "reinforce.py").write_text(_REINFORCE, encoding="utf-8")
        buggy = check("gaussian-kl", f"{tmp}/my_vae.py:kl_buggy")
        fixed = check("gaussian-kl", f"{tmp}/my_vae.py:kl")
        sample = check("reparam-sample", f"{tmp}/my_vae.py:sample")
        grad = check("score-gradient", f"{tmp}/reinforce.py:grad")
        parts = [
            "# Checking your implementation\n",
            "`rtverify check` runs your implementation of a reparameterization-trick building "
            "block against the verified reference and says, property by property, whether it "
            "conforms; for each failure it gives a minimal counterexample (shrunk by Hypothesis) "
            "and says in words what is wrong. This page is generated from real runs "
            "(`rtverify.check.docs`); only the wall time is left out of the reports.\n",
            "```\nrtverify check TARGET IMPL [--param logvar|log_std|std|var] "
            "[--reduction none|sum|mean]\n                           [--seed N] [--json]\n"
            "IMPL = package.module:function  or  path/to/file.py:function\n```\n",
            "| target | IMPL | reference |\n| --- | --- | --- |\n"
            "| `gaussian-kl` | `IMPL(mu, p)` → (batch,), or a scalar with --reduction sum/mean | "
            "`rtverify.gaussian.kl_standard_normal` |\n"
            "| `reparam-sample` | `IMPL(mu, p, eps)` → z = μ + σ·ε, (batch, D) | "
            "`rtverify.gaussian.sample_diag` |\n"
            "| `score-gradient` | `IMPL(f, df, mu, sigma, eps)` → (n, 2) per-sample "
            "(∂/∂μ, ∂/∂σ) E[f(z)] | `rtverify.estimators.score_samples` |\n"
            "| `pathwise-gradient` | same | `rtverify.estimators.pathwise_samples` |\n",
            "`p` is the variance parameter named by `--param`: log σ² (default), log σ, σ or σ². "
            "Exit status: **0** every property holds; **1** a property fails (including IMPL "
            "raising, returning the wrong shape or type, NaN, mutating its inputs, hanging); "
            "**2** usage error, or IMPL cannot be loaded or is not callable (one line on stderr "
            "says what to fix).\n",
            "## From the command line\n",
            "A KL term that forgot the ½ (`my_vae.py`):\n",
            _block(_MY_VAE, "python"),
            _cli(buggy, tmp),
            "The fixed version conforms:\n",
            _cli(fixed, tmp),
            "The sampler uses exp(logvar), i.e. σ², where σ is due:\n",
            _cli(sample, tmp),
            "`--json` prints the same report machine-readably (a `print` inside IMPL cannot "
            "corrupt it: IMPL runs in a worker process whose output is captured):\n",
            _block(fixed.to_json(timing=False).replace(f"{tmp}/", ""), "json"),
            "## Gradient estimators\n",
            "A REINFORCE estimator whose baseline is the mean of f over the same samples "
            "(`reinforce.py`) is biased by the factor 1 − 1/n — visible at the small n the "
            "check uses:\n",
            _block(_REINFORCE, "python"),
            _cli(grad, tmp),
            "Each call's mean is an unbiased estimate of the exact gradient "
            "(`rtverify.testfunctions`) for a correct estimator, even one that couples the "
            "samples of a call; the check makes one two-sided z-test per configuration and "
            f"component, at level {FALSE_ALARM:g}/(number of tests × {TAIL_MARGIN:g}) (Bonferroni, "
            "with a margin for the normal approximation of the call means' tails), so a correct "
            f"estimator fails with probability ≤ {FALSE_ALARM:g}; the seed fixes the noise, so "
            "the same seed gives the same verdict. The variance is reported against the "
            "textbook estimator's exact variance, not judged.\n",
            "## From Python\n",
            _block(
                "from rtverify.check import check\n\n"
                'report = check("gaussian-kl", "my_vae.py:kl_buggy", param="logvar")\n'
                "print(report.ok)\nfor failure in report.failures:\n    print(failure)",
                "python",
            ),
            _block(f"{buggy.ok}\n" + "\n".join(str(f) for f in buggy.failures)),
            '`check(target, impl, *, param="logvar", reduction="none", seed=0)` accepts a '
            "callable or an IMPL string and returns a `Report` with `.ok`, `.failures`, "
            "`.render()`, `.to_json()` and `.raise_if_failed()` (raises `CheckFailed`, an "
            "`AssertionError`, whose message is the report).\n",
            "## In a pytest suite\n",
            "One line per implementation; the fixture `rtverify_conforms` comes with rtverify's "
            "pytest plugin:\n",
            _block(_PYTEST, "python"),
            "A failing check fails the test with the report as its message:\n",
            _block(sample.render(timing=False).replace(f"{tmp}/", "")),
            "## What is checked\n",
            _properties_table(),
            "",
            f"IMPL runs in a forked worker process: a call that takes longer than "
            f"{CALL_TIMEOUT_SECONDS:g} s is killed and reported as a hang, and a whole check "
            f"is held to {BUDGET_SECONDS:g} s.\n",
        ]
    return "\n".join(parts)
