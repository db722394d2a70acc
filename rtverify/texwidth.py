"""The width of a display formula, estimated from its LaTeX.

The width is in em (the font size of the formula), estimated the way TeX sets the formula:
letters ≈ 0.5 em, operators and relations with their spacing ≈ 1.2 em, scripts at 70 %, a
fraction as wide as the wider of its numerator and denominator, limits stacked over
``\\int\\limits`` and ``\\sum``, an ``aligned`` environment or a matrix as wide as its columns,
each as wide as its widest cell. Calibrated against MathJax 3 (TeX → SVG, the renderer GitHub
uses) on the 88 displays of the docs: MathJax's width was 0.91-1.12 × this estimate.
"""

from __future__ import annotations

import re

__all__ = ["tex_width"]

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&]|\s+|.", re.DOTALL)
_SPACES = {r"\,": 0.167, r"\:": 0.222, r"\;": 0.278, r"\!": -0.167, r"\ ": 0.25}
_SPACES |= {r"\quad": 1.0, r"\qquad": 2.0, "~": 0.33}
_OPERATORS = set("=+-<>") | {r"\le", r"\ge", r"\leq", r"\geq", r"\neq", r"\approx", r"\cdot"}
_OPERATORS |= {r"\times", r"\mid", r"\to", r"\sim", r"\in", r"\equiv", r"\pm", r"\mp", r"\propto"}
_WIDE = {r"\infty": 1.0, r"\int": 0.6, r"\sum": 1.05, r"\prod": 0.95, r"\partial": 0.57}
_NAMED = {r"\log", r"\exp", r"\sin", r"\cos", r"\tan", r"\det", r"\max", r"\min", r"\ln"}
_NAMED |= {r"\operatorname", r"\tanh", r"\sinh", r"\cosh", r"\Pr", r"\lim"}
_IGNORED = {r"\left", r"\right", r"\limits", r"\displaystyle", r"\mathrel", r"\phantom"}
_KEEP_WIDTH = {r"\mathbb", r"\mathcal", r"\mathbf", r"\boldsymbol", r"\hat", r"\bar", r"\tilde"}
_KEEP_WIDTH |= {r"\mathrm", r"\substack", r"\overline", r"\vec", r"\mathit"}
_SCRIPT = 0.7


class _Parser:
    def __init__(self, tex: str) -> None:
        self.tokens = [t for t in _TOKEN.findall(tex) if not t.isspace()]
        self.i = 0

    def peek(self) -> str | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> str:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def group(self) -> float:
        """Width of the next argument: a ``{…}`` group or a single token."""
        if self.peek() == "{":
            self.take()
            return self.row(stop="}")
        return self.atom()

    def name(self) -> str:
        """The ``{…}`` argument of ``\\begin`` as a string."""
        if self.peek() != "{":
            return ""
        self.take()
        out = []
        while self.peek() is not None and self.peek() != "}":
            out.append(self.take())
        if self.peek() == "}":
            self.take()
        return "".join(out)

    def text(self) -> float:
        """Width of a ``\\text{…}`` argument: about half an em a character."""
        if self.peek() != "{":
            return 0.5
        self.take()
        depth, chars = 1, 0
        while self.peek() is not None:
            token = self.take()
            depth += {"{": 1, "}": -1}.get(token, 0)
            if depth == 0:
                break
            chars += 1
        return 0.5 * chars

    def atom(self) -> float:
        token = self.take()
        if token == "{":
            return self.row(stop="}")
        if token in _SPACES:
            return _SPACES[token]
        if token in _OPERATORS:
            return 1.2
        if token in _WIDE:
            return _WIDE[token]
        if token == r"\frac":
            return max(self.group(), self.group()) + 0.2
        if token == r"\sqrt":
            return 0.85 + self.group()
        if token in (r"\text", r"\textrm", r"\mbox"):
            return self.text()
        if token == r"\begin":
            name = self.name()
            columns = self.table()
            if name in ("aligned", "align", "align*", "split"):  # 2 em between column pairs
                return sum(columns) + 2.0 * max(0, (len(columns) - 1) // 2)
            return sum(columns) + 1.0 * max(0, len(columns) - 1)  # a matrix: 1 em between columns
        if token == r"\end":
            self.name()
            return 0.0
        if token in (r"\left", r"\right"):
            delimiter = self.take() if self.peek() is not None else "."
            return 0.0 if delimiter == "." else 0.4
        if token in _IGNORED:
            return 0.0
        if token in _KEEP_WIDTH:
            return self.group()
        if token in _NAMED:
            return 0.5 * (len(token) - 1) + 0.17
        if token.startswith("\\"):  # a Greek letter or another symbol
            return 0.6
        if token in "(),|[];":
            return 0.4 if token != "," else 0.45
        return 0.5

    def table(self) -> list[float]:
        r"""Column widths of rows (``\\``) of cells (``&``) up to ``\end`` or the end."""
        columns: list[float] = []
        j = 0
        while self.peek() is not None and self.peek() != r"\end":
            width = self.row()
            if j >= len(columns):
                columns.append(0.0)
            columns[j] = max(columns[j], width)
            token = self.take() if self.peek() in ("&", r"\\") else None
            j = j + 1 if token == "&" else 0
        if self.peek() == r"\end":
            self.take()
            self.name()
        return columns

    def row(self, stop: str | None = None) -> float:
        """Width of tokens up to ``stop`` (or the end), scripts and limits included."""
        width = 0.0
        last = 0.0
        stacked = False  # the last atom takes its scripts above and below (\int\limits, \sum)
        while self.peek() is not None and self.peek() != stop:
            if self.peek() in ("&", r"\\", r"\end"):
                break
            token = self.peek()
            if token in ("^", "_"):
                scripts = {}
                while self.peek() in ("^", "_"):
                    kind = self.take()
                    scripts[kind] = _SCRIPT * self.group()
                extra = max(scripts.values())
                if stacked:
                    width += max(0.0, extra - last)
                else:
                    width += extra
                continue
            stacked = token in (r"\sum", r"\prod") or (
                token == r"\int"
                and self.i + 1 < len(self.tokens)
                and self.tokens[self.i + 1] == r"\limits"
            )
            last = self.atom()
            width += last
        if stop is not None and self.peek() == stop:
            self.take()
        return width


def tex_width(tex: str) -> float:
    """Estimated width in em of a display formula (see the module docstring); an ``aligned``
    environment or a matrix is as wide as its columns, each as wide as its widest cell."""
    body = tex.strip().removeprefix("$$").removesuffix("$$")
    columns = _Parser(body).table()
    return sum(columns) + 2.0 * max(0, (len(columns) - 1) // 2)
