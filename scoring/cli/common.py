"""What several commands share: reading every evaluation of the paths given, and the
progress bar of long jobs."""

from __future__ import annotations

import sys
from pathlib import Path

from scoring.core.issues import ScoringError
from scoring.sources.detect import NotAnEvaluation, inputs


def scored_or_refused(path: Path, named: bool = True) -> list[tuple]:
    """Every evaluation of one file; a file that cannot be read is one refusal, so one bad
    file among many does not stop the others. A known non-evaluation found in a folder
    (a target table, a review sheet) is passed over with a note."""
    from scoring.pipeline import run_all  # the pipeline only for the commands that score

    try:
        return [(s, None) for s in run_all(path)]
    except NotAnEvaluation as exc:
        if named:
            return [(None, str(exc))]
        print(f"跳过 {exc}", file=sys.stderr)
        return []
    except ScoringError as exc:
        return [(None, str(exc))]


def each_evaluation(paths: list[str]):
    """(file, scored evaluation) for every evaluation the paths hold; files found in a
    folder that are known non-evaluations are passed over with a note."""
    from scoring.pipeline import run_all

    named = {Path(p) for p in paths if not Path(p).is_dir()}
    for path in inputs(paths):
        try:
            found = run_all(path)
        except NotAnEvaluation as exc:
            if path in named:
                raise
            print(f"跳过 {exc}", file=sys.stderr)
            continue
        for scored in found:
            yield path, scored


class Progress:
    """A progress bar on a terminal (tqdm, imported only when a long job starts, so the
    start-up of every other command does not pay for it); nothing when output is a file."""

    def __init__(self, what: str):
        self.what, self.bar = what, None

    def __call__(self, done: int, total: int) -> None:
        if not sys.stderr.isatty() or total < 2:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.what, unit="份", file=sys.stderr, leave=False,
                            bar_format="{desc} {bar} {n_fmt}/{total_fmt}（已用 {elapsed}，还需 {remaining}）")
        self.bar.update(done - self.bar.n)
        if done >= total:
            self.bar.close()


def shown(path: Path) -> str:
    """A path as a message shows it: relative to the current folder when it lies inside it."""
    try:
        relative = Path(path).resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return str(Path(path).resolve())
    return str(relative) if str(relative) != "." else "当前文件夹"


def as_argument(path) -> str:
    """A path as it must be typed in a suggested command: quoted when it holds a space."""
    text = str(path)
    return f'"{text}"' if any(ch.isspace() for ch in text) else text
