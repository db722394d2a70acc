"""rtverify works where users are: every import is declared, and it runs from any directory."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import rtverify

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "rtverify").rglob("*.py"), *(ROOT / "derivations").rglob("*.py")])
# distribution name → import name, where they differ
IMPORT_NAMES = {"pyyaml": "yaml"}


def _declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    def names(reqs):
        out = set()
        for req in reqs:
            dist = re.split(r"[\s<>=!~\[;]", req, maxsplit=1)[0].lower()
            out.add(IMPORT_NAMES.get(dist, dist))
        return out

    extras = set().union(*(names(v) for v in project["optional-dependencies"].values()))
    return names(project["dependencies"]), extras


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """Top-level third-party modules imported at module level, and inside functions."""
    tree = ast.parse(path.read_text(), filename=str(path))
    top, nested = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            mods = [node.module.split(".")[0]]
        else:
            continue
        third = {m for m in mods if m not in sys.stdlib_module_names and m != "rtverify"}
        (top if node.col_offset == 0 else nested).update(third)
    return top, nested


#: The framework adapters of `rtverify check`: each imports its framework (an optional extra)
#: at module level, and is imported only by the worker of a check with --framework torch/jax.
ADAPTERS = {"torch_adapter.py": "torch", "jax_adapter.py": "jax"}


def test_only_the_worker_imports_a_framework_adapter():
    for path in SOURCES:
        text = path.read_text()
        for name in ADAPTERS:
            if name.removesuffix(".py") in text and path.parent.name != "adapters":
                raise AssertionError(f"{path.relative_to(ROOT)} names {name}")


def test_every_module_level_import_is_a_declared_runtime_dependency():
    runtime, _ = _declared()
    for path in SOURCES:
        top, _ = _imports(path)
        if path.name == "pytest_plugin.py":  # loaded by pytest only, which is then present
            top -= {"pytest"}
        if path.name in ADAPTERS:  # imported only in a worker checking that framework
            top -= {ADAPTERS[path.name]}
        missing = top - runtime
        assert not missing, f"{path.relative_to(ROOT)} imports {missing} not in dependencies"


#: Imports allowed only inside functions, each from an optional extra, with a clear error
#: where it is missing (plotting, the torch corpus).
OPTIONAL = {"matplotlib": "plot", "torch": "torch", "jax": "jax"}


def test_every_lazy_import_is_a_runtime_dependency_or_a_named_optional_extra():
    runtime, extras = _declared()
    for path in SOURCES:
        _, nested = _imports(path)
        if path.name == "pytest_plugin.py":
            nested -= {"pytest"}
        missing = nested - runtime - set(OPTIONAL)
        assert not missing, f"{path.relative_to(ROOT)} imports {missing} lazily, not a dependency"
    assert set(OPTIONAL) <= extras


def test_the_packaging_check_catches_an_undeclared_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import requests\n")
    runtime, _ = _declared()
    top, _ = _imports(bad)
    assert top - runtime == {"requests"}


def test_the_derivations_ship_inside_the_package():
    from rtverify.registry import derivation_modules

    modules = derivation_modules()
    assert {m.__name__.rsplit(".", 1)[1] for m in modules} >= {
        "score_identity",
        "pathwise_leibniz",
        "gaussian_kl",
        "log_det_jacobian",
    }
    assert all(m.__name__.startswith("rtverify.derivations.") for m in modules)


def test_rtverify_runs_from_a_directory_outside_the_checkout(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "rtverify", "verify", "--json", "--only", "log-det-jacobian"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] and result["derivations"][0]["slug"] == "log-det-jacobian"


def test_the_public_api_is_explicit_and_importable():
    for name in rtverify.__all__:
        assert getattr(rtverify, name) is not None
    with pytest.raises(AttributeError):
        rtverify.no_such_name  # noqa: B018
