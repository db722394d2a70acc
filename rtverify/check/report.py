"""The verdict of ``rtverify check``: properties with ✔/✘, counterexamples, human and JSON text.

A :class:`Report` lists one :class:`PropertyResult` per property of the target. A failing
property carries, where one can be given, a minimal :class:`Counterexample` (inputs, expected,
got) and says in words what is wrong ("off by a factor 2", "wrong sign", …). Every report states
the family-wise false-alarm probability of the whole check (the probability that a correct
implementation fails it: 0 for the deterministic properties, Bonferroni-split ≤ 1e-6 over the
statistical tests) and the seed: the same seed gives the same verdict.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CheckFailed", "Counterexample", "PropertyResult", "Report", "fmt_array", "to_ascii"]

PASS, FAIL, NOT_RUN, NOT_JUDGED = "pass", "fail", "not run", "not judged"
_MARK = {PASS: "✔", FAIL: "✘", NOT_RUN: "·", NOT_JUDGED: "?"}
#: Exit codes of ``rtverify check``: conforms, does not conform, usage error, not judged.
EXIT_OK, EXIT_FAIL, EXIT_USAGE, EXIT_NOT_JUDGED = 0, 1, 2, 3


class CheckFailed(AssertionError):
    """Raised by :meth:`Report.raise_if_failed`; its message is the human report."""


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return [_jsonable(v) for v in x.tolist()] if x.ndim else _jsonable(x.item())
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, dict):
        return {k: _jsonable(v) for k, v in x.items()}
    if isinstance(x, (np.floating, float)):
        v = float(x)
        return v if np.isfinite(v) else str(v)  # JSON has no nan/inf
    if isinstance(x, np.integer):
        return int(x)
    return x


def fmt_array(x: Any, digits: int = 10) -> str:
    """Compact text of a number or array (``repr``-like, ``digits`` significant digits)."""
    if isinstance(x, str) or x is None:
        return str(x)
    a = np.asarray(x)
    if a.dtype.kind not in "biufc":
        return repr(x)

    def number(v: float) -> str:
        text = f"{v:.{digits}g}"
        return text + ".0" if text.lstrip("-").isdigit() else text

    if a.ndim == 0:
        return number(a.item()) if a.dtype.kind == "f" else str(a.item())
    fmt = {"float_kind": number}
    with np.printoptions(formatter=fmt, threshold=24, linewidth=1000):
        text = np.array2string(a, separator=", ")
    return text.replace("\n", "")


@dataclass
class Counterexample:
    """A (minimal) input on which a property fails, what was due and what IMPL gave."""

    inputs: dict[str, Any]
    expected: Any = None
    got: Any = None
    note: str = ""  # e.g. "shrunk by Hypothesis from 64 × 8 inputs"

    def to_dict(self) -> dict[str, Any]:
        return _jsonable(
            {"inputs": self.inputs, "expected": self.expected, "got": self.got, "note": self.note}
        )

    def lines(self) -> list[str]:
        out = ["inputs    " + ", ".join(f"{k} = {fmt_array(v)}" for k, v in self.inputs.items())]
        if self.expected is not None:
            out.append(f"expected  {fmt_array(self.expected)}")
        if self.got is not None:
            out.append(f"got       {fmt_array(self.got)}")
        if self.note:
            out.append(f"({self.note})")
        return out


@dataclass
class PropertyResult:
    """One property of a target and whether IMPL has it."""

    name: str
    status: str  # "pass" | "fail" | "not run"
    detail: str = ""  # on failure: what is wrong, in words
    counterexample: Counterexample | None = None

    @property
    def ok(self) -> bool:
        return self.status == PASS

    def __str__(self) -> str:
        return f"{self.name}: {self.detail}" if self.detail else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "property": self.name,
            "status": self.status,
            "detail": self.detail,
            "counterexample": None
            if self.counterexample is None
            else self.counterexample.to_dict(),
        }


@dataclass
class Report:
    """The verdict on one implementation for one target."""

    target: str
    impl: str
    seed: int
    framework: str = "numpy"
    dtype: str = "float64"
    options: dict[str, Any] = field(default_factory=dict)  # the target's options, as used
    properties: list[PropertyResult] = field(default_factory=list)
    n_statistical_tests: int = 0
    false_alarm: float = 0.0  # family-wise P(a correct IMPL fails this check)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def param(self) -> str:
        return self.options.get("param", "logvar")

    @property
    def reduction(self) -> str:
        return self.options.get("reduction", "none")

    @property
    def ok(self) -> bool:
        """True when every property holds (a property not run counts as not holding)."""
        return bool(self.properties) and all(p.ok for p in self.properties)

    @property
    def failures(self) -> list[PropertyResult]:
        """The properties that fail (not those skipped because an earlier one failed)."""
        return [p for p in self.properties if p.status == FAIL]

    @property
    def not_judged(self) -> list[PropertyResult]:
        return [p for p in self.properties if p.status == NOT_JUDGED]

    @property
    def verdict(self) -> str:
        """CONFORMS, DOES NOT CONFORM (a property fails) or NOT JUDGED (none fails, some
        could not be judged: the budget ran out, or the data cannot support a verdict)."""
        if self.ok:
            return "CONFORMS"
        if self.failures or not self.not_judged:
            return "DOES NOT CONFORM"
        return "NOT JUDGED"

    @property
    def exit_code(self) -> int:
        return {"CONFORMS": EXIT_OK, "NOT JUDGED": EXIT_NOT_JUDGED}.get(self.verdict, EXIT_FAIL)

    def summary(self) -> str:
        """One line: the verdict and the first failing property."""
        if self.ok:
            return f"{self.target} {self.impl}: CONFORMS"
        first = (self.failures or self.not_judged or self.properties)[0]
        return f"{self.target} {self.impl}: {self.verdict}: {first}"

    def raise_if_failed(self) -> Report:
        """Raise :class:`CheckFailed` (an ``AssertionError``) with the report unless IMPL
        conforms (a check that could not be judged raises too)."""
        __tracebackhide__ = True  # pytest shows the report, not this frame
        if not self.ok:
            raise CheckFailed(self.summary() + "\n" + self.render())
        return self

    def options_text(self) -> str:
        parts = [f"{self.framework}, {self.dtype}"]
        parts += [f"{k} {v}" for k, v in self.options.items()]
        parts.append(f"seed {self.seed}")
        return ", ".join(parts)

    def false_alarm_text(self) -> str:
        if self.n_statistical_tests == 0:
            return "false-alarm probability 0 (no statistical test: rounding bounds)"
        return (
            f"false-alarm probability ≤ {self.false_alarm:.0e} "
            f"({self.n_statistical_tests} statistical tests, Bonferroni)"
        )

    def render(self, *, timing: bool = True) -> str:
        """The human report: one line per property, counterexamples below failures."""
        lines = [f"rtverify check {self.target} {self.impl}  ({self.options_text()})"]
        for p in self.properties:
            lines.append(f"  {_MARK[p.status]} {p.name}")
            if p.status != PASS and p.detail:
                lines.append(f"      {p.detail}")
            if p.counterexample is not None:
                lines.extend(f"        {line}" for line in p.counterexample.lines())
        lines.extend(f"  note: {n}" for n in self.notes)
        verdict = self.verdict
        if verdict == "DOES NOT CONFORM":
            verdict += f" ({len(self.failures)} of {len(self.properties)} properties fail)"
        tail = f"; {self.seconds:.2f} s" if timing else ""
        lines.append(f"{verdict}; {self.false_alarm_text()}; seed {self.seed}{tail}")
        return "\n".join(lines)

    def to_dict(self, *, timing: bool = True) -> dict[str, Any]:
        out = {
            "target": self.target,
            "impl": self.impl,
            "framework": self.framework,
            "dtype": self.dtype,
            **self.options,
            "seed": self.seed,
            "ok": self.ok,
            "verdict": self.verdict,
            "exit_code": self.exit_code,
            "properties": [p.to_dict() for p in self.properties],
            "statistical_tests": self.n_statistical_tests,
            "false_alarm_probability": self.false_alarm,
            "notes": list(self.notes),
        }
        if timing:
            out["seconds"] = round(self.seconds, 3)
        return _jsonable(out)

    def to_json(self, *, timing: bool = True) -> str:
        return json.dumps(self.to_dict(timing=timing), indent=2, ensure_ascii=False)

    def __str__(self) -> str:
        return self.render()


_ASCII = {
    "✔": "[ok]",
    "✘": "[FAIL]",
    "∂": "d",
    "σ": "sigma",
    "μ": "mu",
    "ε": "eps",
    "≤": "<=",
    "≥": ">=",
    "×": "x",
    "‖": "||",
    "−": "-",
    "²": "^2",
    "√": "sqrt",
    "α": "alpha",
    "β": "beta",
    "Σ": "sum",
    "φ": "phi",
    "θ": "theta",
    "ν": "nu",
    "τ": "tau",
    "π": "pi",
    "½": "1/2",
    "→": "->",
    "…": "...",
    "—": "--",
    "–": "-",
    "’": "'",
    "“": '"',
    "”": '"',
    "∼": "~",
    "≈": "~=",
    "χ": "chi",
    "⁻": "^-",
    "¹": "1",
    "³": "^3",
    "⁵": "5",
    "·": "*",
}


def to_ascii(text: str) -> str:
    """``text`` with the report's symbols spelled in ASCII (for terminals that cannot show
    them); anything else that is not ASCII becomes a backslash escape."""
    for symbol, spelled in _ASCII.items():
        text = text.replace(symbol, spelled)
    return text.encode("ascii", errors="backslashreplace").decode("ascii")
