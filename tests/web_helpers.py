"""Helpers for the reviewer page's tests: a served copy of the examples, and reading pages."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

from conftest import EXAMPLES

TOKEN = "test-token"
DEPARTMENT_2022 = "安阳北关区医保局_2022_部门整体.yaml"


def served_copy(tmp_path: Path) -> Path:
    """The seeds' examples (evaluations and target tables) in a folder of the test's own;
    the tables of examples/provinces/ are tested in test_province_tables.py."""
    folder = tmp_path / "评价"
    shutil.copytree(EXAMPLES, folder, ignore=shutil.ignore_patterns("provinces"))
    return folder


class _Texts(HTMLParser):
    """Text of every element that has an id, and every input's attributes by name."""

    VOID = {"input", "meta", "link", "br", "img", "hr"}

    def __init__(self):
        super().__init__()
        self.stack: list[str | None] = []
        self.texts: dict[str, str] = {}
        self.inputs: dict[str, dict[str, str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        if tag in ("input", "textarea") and "name" in attrs:
            self.inputs[attrs["name"]] = attrs
        if tag in self.VOID:
            return
        self.stack.append(attrs.get("id"))
        if attrs.get("id"):
            self.texts[attrs["id"]] = ""

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        for element_id in self.stack:
            if element_id:
                self.texts[element_id] += data


def texts(html: str) -> dict[str, str]:
    """id → its text, stripped."""
    parser = _Texts()
    parser.feed(html)
    return {k: v.strip() for k, v in parser.texts.items()}


def inputs(html: str) -> dict[str, dict[str, str]]:
    parser = _Texts()
    parser.feed(html)
    return parser.inputs


def links(html: str) -> dict[str, str]:
    """Link text → href, for the list page."""
    return {re.sub(r"\s+", " ", text).strip(): href
            for href, text in re.findall(r'<a href="([^"]+)">(.*?)</a>', html, re.S)}


def row_key(html: str, level3: str) -> str:
    """The form key (i0, i1 …) of the indicator row with this 三级指标."""
    match = re.search(r'name="(i\d+)\.w"[^>]*aria-label="' + re.escape(level3) + ' 复核分值"', html)
    assert match, f"no row {level3}"
    return match.group(1)
