"""The mutant list of ``benchmarks/mutation.py``: realistic one-line bugs, one at a time.

Each :class:`Mutant` replaces one exact text (``old``, which must occur exactly once in
``path``) by ``new``. They are the mistakes real code makes: a dropped ½, ddof, a sign, a
transposed factor, a swapped argument, a skipped property, an exit code, a wrong constant.
``formula`` marks mutants that change a value the reference computes (the issue's goal is 100 %
of those killed); the others change a check, a guard or plumbing.

Modules group mutants for the report and choose the tests run against them (``TESTS``): the
tests that import the module, directly or through ``rtverify.check``/``claims``, fastest and
most specific first (pytest stops at the first failure). A group may span files: ``gaussian``
includes its kernels ``special`` and ``mvn``; ``engine`` is ``_engine``, ``_symbolic``,
``_numeric``, ``_bounded`` and ``rules``; ``cli`` is `rtverify verify`/`derive`/`audit`.
An ``equivalent`` reason on a mutant records why it cannot change any observable behaviour
(such mutants are listed, not run, and not counted).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DESELECT", "DOCS_TESTS", "NEW_TESTS", "TESTS", "Mutant"]


@dataclass(frozen=True)
class Mutant:
    id: str
    module: str
    path: str
    old: str
    new: str
    why: str
    formula: bool = True
    #: non-empty: judged equivalent (no observable behaviour can change), with the reason
    equivalent: str = ""


_CORE_CHECK = ["tests/test_check_api.py", "tests/test_check_corpus.py"]

#: Test files written for issue 14's mutation goal, run first (they are fast and specific):
#: pytest runs the files in order (``-n 0``) and stops at the first failure, so a mutant killed
#: by an older test file was killed before them too (the report's "older tests ≥" column, a
#: lower bound on the older tests' kill rate).
_NEW: dict[str, list[str]] = {
    "check": [
        "tests/test_check_verdict.py",
        "tests/test_check_grad_diagnoses.py",
        "tests/test_check_rounding.py",
        "tests/test_check_family_alpha.py",
    ],
    "stats": ["tests/test_stats_edges.py"],
    "engine": [
        "tests/test_engine_bounded.py",
        "tests/test_engine_numeric.py",
        "tests/test_engine_guards.py",
    ],
    "cli": ["tests/test_cli_exit_codes.py"],
    "implicit": ["tests/test_implicit_fast_path.py"],
}
NEW_TESTS = {path for paths in _NEW.values() for path in paths}

#: Tests run against a mutant of each module (paths relative to the repository root).
TESTS: dict[str, list[str]] = {
    "gaussian": [  # gaussian.py, its kernels special.py and mvn.py
        "tests/test_gaussian_closed_forms.py",
        "tests/test_mvn.py",
        "tests/test_gaussian_pair_kl.py",
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
    "elbo": [
        "tests/test_aevb.py",
        "tests/test_elbo_bounds.py",
        "tests/test_bounds.py",
        "tests/test_notes_topics.py",
    ],
    "bounds": ["tests/test_bounds.py", "tests/test_gradients.py", "tests/test_check_bounds.py"],
    "gradients": ["tests/test_gradients.py", "tests/test_check_bounds.py"],
    "implicit": [
        *_NEW["implicit"],
        "tests/test_implicit_reference.py",
        "tests/test_check_adapters.py",
    ],
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
        *_NEW["stats"],
        "tests/test_stats_core.py",
        "tests/test_stats_gof.py",
        "tests/test_stats_robust.py",
        "tests/test_check_stats.py",
        "tests/test_estimators.py",
        "tests/test_experiment.py",
        "tests/test_models.py",
        "tests/test_aevb.py",
        "tests/test_elbo_bounds.py",
        "tests/test_check_api.py",
    ],
    "check": [
        *_NEW["check"],
        "tests/test_check_api.py",
        "tests/test_check_cli.py",
        "tests/test_check_sandbox.py",
        "tests/test_check_corpus.py",
        "tests/test_check_stats.py",
    ],
    "engine": [
        *_NEW["engine"],
        "tests/test_engine.py",
        "tests/test_rules.py",
        "tests/test_soundness.py",
        "tests/test_errata.py",
        "tests/test_derivations.py",
    ],
    "cli": [  # `rtverify verify`/`derive` (test_verify_command), usage, `check`, `audit`
        *_NEW["cli"],
        "tests/test_cli.py",
        "tests/test_verify_command.py",
        "tests/test_check_cli.py",
        "tests/test_audit.py",
    ],
}

#: Run only on survivors: a kill here is a stale generated page, not a real test.
DOCS_TESTS = ["tests/test_docs_current.py"]

#: Tests deselected for the numeric modules: they verify SymPy derivations (which never import
#: the numeric reference) and cost ~25 s of setup each run.
DESELECT: dict[str, list[str]] = {
    module: ["tests/test_notes_topics.py::test_the_elbo_identity_derivation_is_proved_step_by_step"]
    for module in ("gaussian", "models", "elbo")
}
