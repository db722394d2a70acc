"""Mutants of rtverify.check: the judge's rounding constants, determinism, gradient-flow
detection, Bonferroni splits, the budget (→ exit 3), the report's verdict and exit codes."""

from __future__ import annotations

from mutants.base import Mutant

_T = "rtverify/check/targets"
_CLI = "rtverify/check/cli.py"
_REPORT = "rtverify/check/report.py"
_CORE = "rtverify/check/core.py"
_BOX = "rtverify/check/sandbox.py"


def _g(name: str, *args, **kwargs) -> Mutant:
    return Mutant(name, "check", *args, formula=False, **kwargs)


MUTANTS: list[Mutant] = [
    _g(
        "check-rounding-constant",
        f"{_T}/gaussian.py",
        "K_ROUNDING = 4.0",
        "K_ROUNDING = 40000.0",
        "gaussian-kl/sample rounding slack 10 000× looser",
    ),
    _g(
        "check-rounding-constant-pair",
        f"{_T}/gaussian_pair.py",
        "K_ROUNDING = 4.0",
        "K_ROUNDING = 40000.0",
        "gaussian-pair-kl rounding slack 10 000× looser",
    ),
    _g(
        "check-rounding-constant-mvn",
        f"{_T}/mvn.py",
        "K_ROUNDING = 4.0",
        "K_ROUNDING = 40000.0",
        "mvn targets' rounding slack 10 000× looser",
    ),
    _g(
        "check-kl-tolerance-terms",
        f"{_T}/gaussian.py",
        "return cf.reduce(K_ROUNDING * ctx.unit_roundoff * n_terms * size, ctx.reduction)",
        "return cf.reduce(K_ROUNDING * ctx.unit_roundoff * n_terms * size * size, ctx.reduction)",
        "KL rounding bound scaled by size² (a large KL gets a huge slack)",
    ),
    _g(
        "check-determinism-skipped",
        f"{_T}/_closed_form.py",
        "_GLOBAL_SEEDS = (12345, 54321)",
        "_GLOBAL_SEEDS = (12345, 12345)",
        "determinism property run under one global state only",
    ),
    _g(
        "check-grad-flow-partial",
        f"{_T}/_sampler_law.py",
        "if res.grads is None or len(res.grads) < 2 or res.grads[0] is None"
        " or res.grads[1] is None:",
        "if res.grads is None or len(res.grads) < 2 or res.grads[0] is None:",
        "a sample whose gradient reaches μ but not σ is not named (no flow to p)",
    ),
    _g(
        "check-grad-flow-closed-form",
        f"{_T}/_closed_form.py",
        "if not res.grads or all(g is None for g in res.grads):",
        "if not res.grads:",
        "closed form with no gradient at all not named as such",
    ),
    _g(
        "check-bonferroni-sampler",
        f"{_T}/_sampler_law.py",
        "alpha = ctx.false_alarm / 6",
        "alpha = ctx.false_alarm",
        "sampler law: each of 6 tests at the whole false-alarm budget (no Bonferroni)",
    ),
    _g(
        "check-bonferroni-autograd",
        f"{_T}/autograd.py",
        "alpha = ctx.false_alarm / n_tests",
        "alpha = ctx.false_alarm",
        "autograd surrogate: each test at the whole false-alarm budget (no Bonferroni)",
    ),
    _g(
        "check-exit-code",
        _CLI,
        "    return report.exit_code",
        "    return 0",
        "`rtverify check` exits 0 on a failing IMPL",
    ),
    _g(
        "check-internal-error-exit",
        _CLI,
        "        return 1\n",
        "        return 0\n",
        "`rtverify check` exits 0 when rtverify fails internally",
    ),
    _g(
        "check-not-judged-exit",
        _REPORT,
        '{"CONFORMS": EXIT_OK, "NOT JUDGED": EXIT_NOT_JUDGED}',
        '{"CONFORMS": EXIT_OK, "NOT JUDGED": EXIT_OK}',
        "a check that could not be judged exits 0",
    ),
    _g(
        "check-empty-conforms",
        _REPORT,
        "return bool(self.properties) and all(p.ok for p in self.properties)",
        "return all(p.ok for p in self.properties)",
        "a report with no property judged CONFORMS",
    ),
    _g(
        "check-verdict-not-judged",
        _REPORT,
        "if self.failures or not self.not_judged:",
        "if self.failures and not self.not_judged:",
        "a failure beside a not-judged property gives NOT JUDGED",
    ),
    _g(
        "check-budget-fails",
        _CORE,
        "PropertyResult(name, NOT_JUDGED, f\"not judged: the {o.budget:g} s budget ran out\")",
        "PropertyResult(name, FAIL, f\"not judged: the {o.budget:g} s budget ran out\")",
        "a spent budget counts as a failure (exit 1), not as not judged (exit 3)",
    ),
    _g(
        "check-budget-uncounted",
        _BOX,
        "self.spent += time.monotonic() - started  # the budget counts every call",
        "pass",
        "the calls' time is not counted against the budget",
    ),
    _g(
        "check-timeout-first-call",
        _BOX,
        "limit = self.first_call_timeout if first else self.call_timeout",
        "limit = self.first_call_timeout",
        "every call gets the first (JIT) call's timeout",
    ),
    _g(
        "check-diagnose-half",
        "rtverify/check/diagnose.py",
        '("off by a factor 2 (the ½ is missing)", lambda: 2.0 * ref)',
        '("off by a factor 2 (the ½ is missing)", lambda: 0.5 * ref)',
        "the diagnosis names a missing ½ for the wrong factor",
    ),
    _g(
        "check-diagnose-reduction",
        "rtverify/check/diagnose.py",
        'return "returns the sum over the batch instead of per-example values"',
        'return "returns the mean over the batch instead of per-example values"',
        "the diagnosis calls a sum over the batch a mean",
    ),
    _g(
        "check-diagnose-param",
        "rtverify/check/diagnose.py",
        "*_misreadings(param, lambda o: gaussian.kl_standard_normal(mu, p, o)),",
        "*_misreadings(param, lambda o: gaussian.kl_standard_normal(mu, p, param)),",
        "the --param diagnosis compares with the declared param (never matches)",
    ),
    _g(
        "check-grad-mistake-sign",
        "rtverify/check/grad_mistakes.py",
        '("wrong sign", lambda fz, dfz, e, mu, s, df: -_pair(dfz, dfz * e)),',
        '("wrong sign", lambda fz, dfz, e, mu, s, df: _pair(-dfz, dfz * e)),',
        "pathwise 'wrong sign' diagnosis flips only one component",
    ),
]
