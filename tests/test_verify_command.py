"""`rtverify verify` exits 1 when a derivation fails, and counts statuses separately."""

from __future__ import annotations

import json
import types

import pytest
import sympy as sp

from rtverify import cli, registry
from rtverify.derivation import Chain, Derivation, Step

x = sp.Symbol("x", real=True)
f = sp.Function("f")


def _module(name: str, rhs: sp.Expr, order: int) -> types.ModuleType:
    module = types.ModuleType(name)
    module.ORDER = order
    module.derivation = lambda: Derivation(
        slug=name,
        title=f"planted {name}",
        summary="(x + 1)² = rhs",
        chains=(Chain("expand", (x + 1) ** 2, (Step(rhs, "expand the square"),)),),
        scope="instance",
    )
    return module


@pytest.fixture
def planted(monkeypatch):
    """Replace the shipped derivations by a true and a false one (planted)."""
    modules = [
        _module("square-true", x**2 + 2 * x + 1, 1),
        _module("square-false", x**2 + x + 1, 2),  # the 2 of 2x dropped
    ]
    monkeypatch.setattr(registry, "derivation_modules", lambda: modules)
    return modules


def test_verify_exits_one_and_names_the_step_when_a_derivation_fails(planted, capsys):
    assert cli.main(["verify", "--jobs", "1"]) == 1
    out, err = capsys.readouterr()
    assert "SOME IDENTITIES FAIL" in out
    assert "square-false: chain 'expand', step 1 (expand the square) is failed" in err


def test_verify_exits_zero_when_every_derivation_holds(planted, capsys):
    assert cli.main(["verify", "--jobs", "1", "--only", "square-true"]) == 0
    assert "all identities hold" in capsys.readouterr().out


def test_verify_json_reports_the_failure_and_exits_one(planted, capsys):
    assert cli.main(["verify", "--json", "--jobs", "1"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert data["steps"] == {
        "proved": 1,
        "hypotheses": 0,
        "numeric": 0,
        "failed": 1,
        "undecided": 0,
    }
    by_slug = {d["slug"]: d for d in data["derivations"]}
    assert by_slug["square-false"]["ok"] is False and by_slug["square-true"]["ok"] is True
    assert by_slug["square-true"]["scope"] == "instance"


def test_the_table_counts_hypotheses_apart_from_proved(monkeypatch, capsys):
    from rtverify.rules import leibniz

    theta = sp.Symbol("theta", real=True)
    lhs = sp.Derivative(sp.Integral(f(x + theta) * sp.exp(-(x**2)), (x, -sp.oo, sp.oo)), theta)
    rhs = sp.Integral(sp.diff(f(x + theta), theta) * sp.exp(-(x**2)), (x, -sp.oo, sp.oo))
    module = types.ModuleType("abstract")
    module.derivation = lambda: Derivation(
        "abstract",
        "abstract f",
        "Leibniz",
        (Chain("c", lhs, (Step(rhs, "Leibniz", rule=leibniz(theta)),)),),
    )
    monkeypatch.setattr(registry, "derivation_modules", lambda: [module])
    assert cli.main(["verify", "--json", "--jobs", "1"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["steps"]["hypotheses"] == 1 and data["steps"]["proved"] == 0


def test_the_derivations_are_dealt_to_the_processes_by_cost(monkeypatch):
    import sys

    built = []
    for name, cost in [("c-a", 4.0), ("c-b", 2.0), ("c-c", 3.0), ("c-d", 3.0)]:
        module = types.ModuleType(name)
        module.COST = cost
        monkeypatch.setitem(sys.modules, name, module)
        built.append((name, types.SimpleNamespace(chains=())))
    monkeypatch.setattr(cli, "_cost", lambda name, n: sys.modules[name].COST)
    groups = cli._balanced(built, 2)
    loads = sorted(sum(sys.modules[name].COST for name, _ in g) for g in groups)
    assert loads == [6.0, 6.0]  # round-robin (a, c | b, d) would give 7 and 5
    assert sorted(name for g in groups for name, _ in g) == ["c-a", "c-b", "c-c", "c-d"]
