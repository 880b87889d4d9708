"""Where the data shipped with jixiao lives.

In a source checkout the data folders sit at the top of the repository
(examples/, later indicator_templates/ and reports/); in an installed wheel they
are copied into scoring/_data/ (see pyproject.toml, force-include).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # scoring/


def data_dir(name: str) -> Path:
    installed = _PACKAGE / "_data" / name
    return installed if installed.is_dir() else _PACKAGE.parent / name


def sample_files() -> list[Path]:
    """The built-in samples: published tables transcribed as evaluation files."""
    return sorted(data_dir("examples").glob("*.yaml"))
