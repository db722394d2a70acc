"""rtverify: a verified reference implementation of the reparameterization trick.

The public API is small and explicit; names load lazily so that ``import rtverify`` (and the
pytest plugin) stay cheap.

Where the derivations come from: the wheel ships ``derivations/`` inside the package as
``rtverify/derivations/``. In a source checkout they stay at the top of the repository, beside
``rtverify/``; when this package is imported from such a checkout (``python -m rtverify`` or
``python -m pytest`` from its root, or an editable install), ``rtverify.derivations`` resolves to
that ``derivations/`` folder, so the working tree runs as it is, installed or not.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from typing import Any

__version__ = "0.1.0"


class _CheckoutDerivations:
    """Meta path finder: ``rtverify.derivations`` → ``<checkout>/derivations/`` (package only;
    its modules are then found through the package's ``__path__`` as usual)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def find_spec(self, fullname: str, path: Any = None, target: Any = None):
        if fullname != "rtverify.derivations":
            return None
        return importlib.util.spec_from_file_location(
            fullname,
            self.folder / "__init__.py",
            submodule_search_locations=[str(self.folder)],
        )


def _checkout_derivations_folder() -> Path | None:
    """``derivations/`` beside this package when it runs from a source checkout (the folder has
    no ``derivations/`` subpackage and its parent holds rtverify's ``pyproject.toml``)."""
    here = Path(__file__).resolve().parent
    folder = here.parent / "derivations"
    if (here / "derivations").is_dir() or not (folder / "__init__.py").is_file():
        return None
    pyproject = here.parent / "pyproject.toml"
    if not pyproject.is_file() or 'name = "rtverify"' not in pyproject.read_text("utf-8"):
        return None
    return folder


_folder = _checkout_derivations_folder()
if _folder is not None and not any(isinstance(f, _CheckoutDerivations) for f in sys.meta_path):
    sys.meta_path.insert(0, _CheckoutDerivations(_folder))
del _folder

_EXPORTS: dict[str, str] = {
    # derivation engine
    "Chain": "rtverify.derivation",
    "Derivation": "rtverify.derivation",
    "Status": "rtverify.derivation",
    "Step": "rtverify.derivation",
    "all_derivations": "rtverify.registry",
    # Gaussian closed forms
    "kl_standard_normal": "rtverify.gaussian",
    "kl_diag": "rtverify.gaussian",
    "kl_full": "rtverify.gaussian",
    "log_density_diag": "rtverify.gaussian",
    "log_density_full": "rtverify.gaussian",
    "entropy_diag": "rtverify.gaussian",
    "sample_diag": "rtverify.gaussian",
}

__all__ = ["__version__", *sorted(_EXPORTS)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'rtverify' has no attribute {name!r}")


def __dir__() -> list[str]:
    return list(__all__)
