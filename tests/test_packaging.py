"""rtverify works where users are: every import is declared, and it runs from any directory."""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
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


#: Imports allowed only inside functions (or in the adapter module of that framework), each
#: from an optional extra, with a clear error where it is missing.
OPTIONAL = {"matplotlib": "plot", "torch": "torch", "jax": "jax"}
ADAPTERS = ROOT / "rtverify" / "check" / "adapters"


def _adapted(path: Path) -> set[str]:
    """The framework an adapter module ``rtverify/check/adapters/<name>_adapter.py`` may import
    at module level (it is imported only when that framework is in use); none elsewhere."""
    name = path.stem.removesuffix("_adapter")
    return {name} if path.parent == ADAPTERS and name in OPTIONAL else set()


def test_every_module_level_import_is_a_declared_runtime_dependency():
    runtime, _ = _declared()
    for path in SOURCES:
        top, _ = _imports(path)
        if path.name == "pytest_plugin.py":  # loaded by pytest only, which is then present
            top -= {"pytest"}
        missing = top - runtime - _adapted(path)
        assert not missing, f"{path.relative_to(ROOT)} imports {missing} not in dependencies"


def test_only_an_adapter_may_import_its_framework_at_module_level(tmp_path):
    assert _adapted(ADAPTERS / "jax_adapter.py") == {"jax"}
    assert _adapted(ADAPTERS / "torch_adapter.py") == {"torch"}
    assert _adapted(ROOT / "rtverify" / "gaussian.py") == set()
    assert _adapted(ADAPTERS / "tensorflow_adapter.py") == set()  # not a named extra


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


def _run(argv: list[str], cwd: Path, pythonpath: Path | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=120
    )


def test_the_tests_run_the_working_tree_and_its_derivations():
    import rtverify.derivations

    assert Path(rtverify.__file__).resolve().parent == ROOT / "rtverify"
    assert [Path(p).resolve() for p in rtverify.derivations.__path__] == [ROOT / "derivations"]


_WHERE = "import rtverify.derivations as d; print(d.__path__[0])"


def _copy_package(dest: Path, *, wheel_layout: bool) -> None:
    """``rtverify/`` and ``derivations/`` as a checkout has them (beside each other, with
    pyproject.toml) or as the wheel installs them (derivations inside the package)."""
    ignore = shutil.ignore_patterns("__pycache__")
    shutil.copytree(ROOT / "rtverify", dest / "rtverify", ignore=ignore)
    inside = dest / "rtverify" / "derivations" if wheel_layout else dest / "derivations"
    shutil.copytree(ROOT / "derivations", inside, ignore=ignore)
    if not wheel_layout:
        shutil.copy(ROOT / "pyproject.toml", dest / "pyproject.toml")


def test_a_checkout_runs_from_its_root_without_being_installed(tmp_path):
    # a second checkout: `python -m` from its root must use ITS derivations/, not an installed
    # copy's nor this working tree's (which an editable install would map)
    _copy_package(tmp_path, wheel_layout=False)
    where = _run(["-c", _WHERE], cwd=tmp_path)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve() == (tmp_path / "derivations").resolve()
    out = _run(["-m", "rtverify", "verify", "--json", "--only", "log-det-jacobian"], tmp_path)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["ok"]


def test_the_wheel_layout_uses_the_derivations_inside_the_package(tmp_path):
    site = tmp_path / "site"
    _copy_package(site, wheel_layout=True)
    (site / "derivations").mkdir()  # an unrelated folder beside the package is not picked up
    (site / "derivations" / "__init__.py").write_text("raise ImportError('wrong folder')\n")
    where = _run(["-c", _WHERE], cwd=tmp_path, pythonpath=site)
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).resolve() == (site / "rtverify" / "derivations").resolve()


def test_rtverify_runs_from_a_directory_outside_the_checkout(tmp_path):
    # the copy under test, from elsewhere: nothing depends on the current directory
    out = _run(
        ["-m", "rtverify", "verify", "--json", "--only", "log-det-jacobian"],
        cwd=tmp_path,
        pythonpath=Path(rtverify.__file__).resolve().parents[1],
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["ok"] and result["derivations"][0]["slug"] == "log-det-jacobian"


def test_the_public_api_is_explicit_and_importable():
    for name in rtverify.__all__:
        assert getattr(rtverify, name) is not None
    with pytest.raises(AttributeError):
        rtverify.no_such_name  # noqa: B018


def test_no_module_outside_the_adapters_names_a_framework_adapter():
    for path in SOURCES:
        text = path.read_text()
        for name in ("torch_adapter", "jax_adapter"):
            assert name not in text or path.parent == ADAPTERS, f"{path} names {name}"


def test_every_package_of_the_tree_ships_in_the_wheel():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(ROOT).parts)
        for p in (ROOT / "rtverify").rglob("__init__.py")
        if "__pycache__" not in p.parts
    }
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
