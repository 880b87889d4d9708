"""What the reviewer page serves: the evaluations and review records in one folder.

Nothing the browser sends is ever used as a path. The folder is scanned, each
evaluation and each review record gets an opaque id (a hash of its place in
the folder), and requests name those ids; an id that the scan did not produce
is simply not found. Files are loaded once and kept until they change on disk
(modification time and size), so a recompute never reads the file again.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path

from scoring.core.issues import Issue, ScoringError, format_issue
from scoring.core.model import Evaluation
from scoring.core.results import EvaluationResult
from scoring.pipeline import run_all
from scoring.review.records import Review, content_hash, is_judged
from scoring.review.storage import load_review
from scoring.sources.detect import is_review_record, is_spreadsheet
from scoring.sources.loader import SourceMap

EVALUATION_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILES = 5000  # files looked at in one scan
MAX_FILE_BYTES = 20 * 1024 * 1024  # larger files are listed as skipped, never read


def short_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Entry:
    """One evaluation in the folder, loaded and scored as submitted."""

    id: str
    path: Path  # absolute, inside the folder
    relative: str  # as shown to the reviewer
    sheet: int  # which evaluation of a workbook (0 for YAML)
    source: SourceMap
    evaluation: Evaluation | None
    result: EvaluationResult | None
    issues: tuple[Issue, ...]
    input_hash: str = ""
    judged: frozenset[int] = frozenset()  # indicator rows whose score the reviewer may set

    @property
    def title(self) -> str:
        if self.evaluation is None:
            return self.relative
        return self.evaluation.title

    @property
    def in_workbook(self) -> bool:
        """One of a workbook's evaluations (a sheet), not a YAML file of its own."""
        return is_spreadsheet(self.path)

    @property
    def stem(self) -> str:
        """The name review records of this evaluation start with."""
        return f"{self.path.stem}_{self.sheet + 1}" if self.in_workbook else self.path.stem

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


@dataclass(frozen=True)
class ReviewRecord:
    id: str
    path: Path
    relative: str
    review: Review
    modified: int  # st_mtime_ns when read: orders records of one day without touching the disk


@dataclass(frozen=True)
class Skipped:
    relative: str
    reason: str


@dataclass
class _Cached:
    stamp: tuple[int, int]
    entries: list[Entry] = field(default_factory=list)
    review: ReviewRecord | None = None
    skipped: Skipped | None = None


class Catalog:
    """The served folder's evaluations and reviews, rescanned on demand."""

    def __init__(self, root: str | Path):
        root = Path(root)
        if not root.is_dir():
            raise ScoringError(f"找不到文件夹：{root}；请给出存放评价文件的文件夹，如 jixiao serve examples")
        self.root = root.resolve()
        self._cache: dict[Path, _Cached] = {}
        self._lock = threading.Lock()
        self.entries: dict[str, Entry] = {}
        self.reviews: dict[str, ReviewRecord] = {}
        self.skipped: list[Skipped] = []

    # ------------------------------------------------------------ scanning

    def _files(self) -> list[Path]:
        files = []
        for path in sorted(self.root.rglob("*")):
            relative = path.relative_to(self.root)
            if any(part.startswith(".") or part.startswith("~$") for part in relative.parts):
                continue  # hidden files, .venv, Office lock files
            if path.suffix.lower() not in EVALUATION_SUFFIXES or not path.is_file():
                continue
            real = path.resolve()
            if real != self.root and self.root not in real.parents:
                continue  # a link that leads out of the folder is never followed
            files.append(path)
            if len(files) >= MAX_FILES:
                break
        return files

    def scan(self) -> Catalog:
        """Look at the folder again; unchanged files are not reread."""
        with self._lock:
            entries: dict[str, Entry] = {}
            reviews: dict[str, ReviewRecord] = {}
            skipped: list[Skipped] = []
            seen = set()
            for path in self._files():
                seen.add(path)
                stat = path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
                cached = self._cache.get(path)
                if cached is None or cached.stamp != stamp:
                    cached = self._load(path, stamp)
                    self._cache[path] = cached
                for entry in cached.entries:
                    entries[entry.id] = entry
                if cached.review is not None:
                    reviews[cached.review.id] = cached.review
                if cached.skipped is not None:
                    skipped.append(cached.skipped)
            for gone in set(self._cache) - seen:
                del self._cache[gone]
            self.entries, self.reviews, self.skipped = entries, reviews, skipped
        return self

    def _load(self, path: Path, stamp: tuple[int, int]) -> _Cached:
        relative = path.relative_to(self.root).as_posix()
        cached = _Cached(stamp)
        if stamp[1] > MAX_FILE_BYTES:
            cached.skipped = Skipped(relative, f"文件超过 {MAX_FILE_BYTES // 1024 // 1024} MB，未读取")
            return cached
        if path.suffix.lower() in (".yaml", ".yml") and is_review_record(path):
            try:
                review, _, issues = load_review(path)
            except ScoringError as exc:
                cached.skipped = Skipped(relative, "复核记录无法读取：" + str(exc))
                return cached
            if review is None:
                cached.skipped = Skipped(relative, "复核记录有错误：" + "；".join(format_issue(i) for i in issues))
            else:
                cached.review = ReviewRecord(short_id("review:" + relative), path, relative, review, stamp[0])
            return cached
        try:
            scored_all = run_all(path)
        except ScoringError as exc:
            cached.skipped = Skipped(relative, str(exc))
            return cached
        except Exception as exc:  # noqa: BLE001 - one unreadable file must not take the page down
            cached.skipped = Skipped(relative, f"无法读取：{type(exc).__name__}: {exc}")
            return cached
        if is_spreadsheet(path) and all(s.evaluation is None for s in scored_all):
            # a target table, a review sheet or a summary: not an evaluation workbook
            first = next((i for s in scored_all for i in s.issues if i.severity == "error"), None)
            cached.skipped = Skipped(relative, "不是评价工作簿" + (f"（{first.message}）" if first else ""))
            return cached
        for k, scored in enumerate(scored_all):
            ev = scored.evaluation
            judged = frozenset(r.index for r in scored.result.indicators if is_judged(r)) if scored.result else frozenset()
            cached.entries.append(Entry(
                id=short_id(f"evaluation:{relative}#{k}"), path=path, relative=relative, sheet=k,
                source=scored.source, evaluation=ev, result=scored.result, issues=scored.issues,
                input_hash=content_hash(ev) if ev is not None else "", judged=judged))
        return cached

    # ------------------------------------------------------------- lookups

    def entry(self, entry_id: str) -> Entry | None:
        """The evaluation with this id as it is on disk now (reloaded if it changed).

        Only its own file is looked at when it is unchanged: every edit on the page
        asks for it, and a large folder is not walked for that."""
        entry = self.entries.get(entry_id)
        if entry is not None:
            try:
                stat = entry.path.stat()
            except OSError:
                stat = None
            cached = self._cache.get(entry.path)
            if stat is not None and cached is not None and cached.stamp == (stat.st_mtime_ns, stat.st_size):
                return entry
        self.scan()
        return self.entries.get(entry_id)

    def reviews_of(self, entry: Entry) -> list[ReviewRecord]:
        """Review records made for this evaluation's current content, newest first."""
        mine = [r for r in self.reviews.values() if r.review.input_hash == entry.input_hash]
        return sorted(mine, key=lambda r: (r.review.date, r.modified), reverse=True)

    def review(self, entry: Entry, review_id: str) -> ReviewRecord | None:
        return next((r for r in self.reviews_of(entry) if r.id == review_id), None)
