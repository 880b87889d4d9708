"""Problems found in the input: values, not exceptions, collected across a run.

Every problem names where it is (file and key path, line and column; later
sheet and cell), what was found, and what to do about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


class ScoringError(ValueError):
    """Unusable input as a whole (missing file, not YAML, wrong top-level shape)."""


@dataclass(frozen=True, slots=True)
class Location:
    """Where a value was read from."""

    file: str = ""
    path: str = ""  # key path inside the file, e.g. indicators[3].actual
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    sheet: str | None = None
    cell: str | None = None

    def __str__(self) -> str:
        text = self.file or "<输入>"
        if self.sheet is not None:
            text += f":'{self.sheet}'!{self.cell or ''}"
        elif self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        if self.path:
            text += f" [{self.path}]"
        return text


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: where, what, and what to do."""

    location: Location
    message: str
    hint: str = ""
    severity: Severity = "error"

    def to_dict(self) -> dict:
        loc = self.location
        data = {
            "severity": self.severity,
            "location": str(loc),
            "file": loc.file,
            "path": loc.path,
            "line": loc.line,
            "column": loc.column,
            "message": self.message,
            "hint": self.hint,
        }
        if loc.sheet is not None:
            data["sheet"], data["cell"] = loc.sheet, loc.cell
        return data


_LABELS = {"error": "错误", "warning": "警告", "info": "提示"}


def format_issue(issue: Issue) -> str:
    """``file:line:col [path]: 错误：message；hint``"""
    text = f"{issue.location}: {_LABELS[issue.severity]}：{issue.message}"
    if issue.hint:
        text += f"；{issue.hint}"
    return text


def by_position(issues) -> list[Issue]:
    """Issues in the order of the file: by file, then line and column, or sheet and cell
    (row before column); issues without a position keep their order, after the rest."""
    def key(issue: Issue):
        loc = issue.location
        if loc.cell:
            letters = "".join(ch for ch in loc.cell if ch.isalpha())
            digits = "".join(ch for ch in loc.cell if ch.isdigit())
            return (loc.file, 0, loc.sheet or "", int(digits or 0), len(letters), letters)
        if loc.line is not None:
            return (loc.file, 0, "", loc.line, 0, str(loc.column or 0).zfill(6))
        return (loc.file, 1, "", 0, 0, "")

    return sorted(issues, key=key)


def has_errors(issues) -> bool:
    return any(i.severity == "error" for i in issues)
