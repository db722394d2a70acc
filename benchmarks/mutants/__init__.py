"""The mutant list of ``benchmarks/mutation.py`` (see ``base`` for what a mutant is), one file
per group of modules."""

from __future__ import annotations

from mutants import bounds, check, engine, models, reference, stats, symbolic
from mutants.base import DESELECT, DOCS_TESTS, NEW_TESTS, TESTS, Mutant

__all__ = ["DESELECT", "DOCS_TESTS", "MUTANTS", "NEW_TESTS", "TESTS", "Mutant"]

MUTANTS: list[Mutant] = [
    *reference.MUTANTS,
    *models.MUTANTS,
    *symbolic.MUTANTS,
    *stats.MUTANTS,
    *check.MUTANTS,
    *bounds.MUTANTS,
    *engine.MUTANTS,
]
