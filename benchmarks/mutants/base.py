"""The mutant list of ``benchmarks/mutation.py``: realistic one-line bugs, one at a time.

Each :class:`Mutant` replaces one exact text (``old``, which must occur exactly once in
``path``) by ``new``. They are the mistakes real code makes: a dropped ½, ddof, a sign, a
transposed factor, a swapped argument, a skipped property, an exit code, a wrong constant.
``formula`` marks mutants that change a value the reference computes (the issue's goal is 100 %
of those killed); the others change a check, a guard or plumbing.

Modules group mutants for the report and choose the tests run against them (``TESTS``): the
tests that import the module, directly or through ``rtverify.check``/``claims``, fastest and
most specific first (pytest stops at the first failure). A module outside this helper's scope
(stats, check, engine, cli) is listed so its owners can measure their tests with the same tool.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DESELECT", "DOCS_TESTS", "TESTS", "Mutant"]


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str
    path: str
    old: str
    new: str
    why: str
    formula: bool = True


_CORE_CHECK = ["tests/test_check_api.py", "tests/test_check_corpus.py"]

#: Tests run against a mutant of each module (paths relative to the repository root).
TESTS: dict[str, list[str]] = {
    "gaussian": [
        "tests/test_gaussian_closed_forms.py",
        "tests/test_models.py",
        "tests/test_elbo_bounds.py",
        "tests/test_aevb.py",
        "tests/test_notes_topics.py",
        *_CORE_CHECK,
    ],
    "estimators": [
        "tests/test_estimators.py",
        "tests/test_experiment.py",
        "tests/test_variance_claims.py",
        "tests/test_notebook_claims.py",
        "tests/test_check_api.py",
        "tests/test_check_stats.py",
    ],
    "models": [
        "tests/test_models.py",
        "tests/test_elbo_bounds.py",
        "tests/test_aevb.py",
        "tests/test_notes_topics.py",
    ],
    "elbo": ["tests/test_aevb.py", "tests/test_elbo_bounds.py", "tests/test_notes_topics.py"],
    "testfunctions": [
        "tests/test_testfunctions.py",
        "tests/test_estimators.py",
        "tests/test_variance_claims.py",
        "tests/test_experiment.py",
        "tests/test_notebook_claims.py",
        "tests/test_check_api.py",
    ],
    "moments": [
        "tests/test_testfunctions.py",
        "tests/test_variance_claims.py",
        "tests/test_notebook_claims.py",
        "tests/test_estimators.py",
    ],
    "stats": [
        "tests/test_check_stats.py",
        "tests/test_estimators.py",
        "tests/test_experiment.py",
        "tests/test_models.py",
        "tests/test_aevb.py",
        "tests/test_elbo_bounds.py",
        "tests/test_check_api.py",
    ],
    "check": [
        "tests/test_check_api.py",
        "tests/test_check_cli.py",
        "tests/test_check_corpus.py",
        "tests/test_check_stats.py",
    ],
    "engine": [
        "tests/test_engine.py",
        "tests/test_rules.py",
        "tests/test_errata.py",
        "tests/test_derivations.py",
    ],
    "cli": ["tests/test_check_cli.py", "tests/test_experiment.py", "tests/test_engine.py"],
}

#: Run only on survivors: a kill here is a stale generated page, not a real test.
DOCS_TESTS = ["tests/test_docs_current.py"]

#: Tests deselected for the numeric modules: they verify SymPy derivations (which never import
#: the numeric reference) and cost ~25 s of setup each run.
DESELECT: dict[str, list[str]] = {
    module: ["tests/test_notes_topics.py::test_the_elbo_identity_derivation_is_proved_step_by_step"]
    for module in ("gaussian", "models", "elbo")
}
