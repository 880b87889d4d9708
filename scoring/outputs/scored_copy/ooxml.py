"""Adding cells, marks and comments to an .xlsx by editing its XML parts, everything else kept.

The user's workbook is not loaded into a spreadsheet library and saved again: openpyxl
needs some 8 s to open a 200-project workbook, and drops its pictures, charts and
shapes when it saves. Instead the parts that change are edited in place (lxml, which
keeps every namespace prefix, so `mc:Ignorable` lists stay right) and every other
part is copied as it is:

- each evaluation sheet: the added cells (inline strings and numbers), the style of
  each marked cell (its own style with a fill in the colour of its worst problem),
  the widths of the added columns, the sheet's dimension, a `legacyDrawing`;
- its comments part and VML drawing (created, or extended when the sheet has
  comments already: a comment already on a marked cell keeps its text, jixiao's
  follows it);
- styles.xml: fills, fonts, a border and the cell formats of the added and marked cells;
- workbook.xml: each print area widened to the added columns; [Content_Types].xml and
  the relationships for the new parts. A macro-enabled workbook or a template becomes
  a plain workbook (its macros are not copied): the copy is always an .xlsx.

Text goes into cells as inline strings (``t="inlineStr"``), which a spreadsheet never
reads as a formula, after the same cleaning as `scoring.outputs.xlsx.put_text` (the
characters XML forbids removed; Excel's quote prefix on text that starts like a
formula). A workbook whose parts this cannot follow raises `Unpatchable`; the caller
then rebuilds the copy from the cells' values.
"""


from __future__ import annotations

import re

from scoring.outputs.scored_copy.comments import add_comments
from scoring.outputs.scored_copy.package import Package, Unpatchable, dump, parse, q
from scoring.outputs.scored_copy.plan import WIDTHS, SheetPlan, comment_text, split_ref
from scoring.outputs.scored_copy.sheet import SheetPatch, patch_sheet
from scoring.outputs.scored_copy.styles import Styles
from scoring.sources.workbook.grid import coord

__all__ = ["Unpatchable", "patch"]


_AREA = re.compile(r"^([^,]+!)\$?([A-Z]{1,3})\$?(\d+):\$?([A-Z]{1,3})\$?(\d+)$")


def widen_print_area(package: Package, position: int, last_col: int) -> None:
    """The sheet's print area (one range) taken to the last added column."""
    names = package.book.find(q("definedNames"))
    if names is None:
        return
    for name in names:
        if name.get("name") != "_xlnm.Print_Area" or name.get("localSheetId") != str(position):
            continue
        m = _AREA.match((name.text or "").strip())
        if m is None:
            continue
        end = split_ref(f"{m[4]}1")
        if end and end[1] < last_col:
            letters = coord(0, last_col - 1).rstrip("0123456789")
            name.text = f"{m[1]}${m[2]}${m[3]}:${letters}${m[5]}"


def patch(data: bytes, plans: list[SheetPlan]) -> bytes:
    """The workbook `data` with every plan applied to its sheet.

    Raises:
        Unpatchable: a part this cannot follow (no workbook part, strict OOXML, a sheet
            without cell data, an unusual VML drawing …).
    """
    try:
        return _patch(data, plans)
    except (KeyError, ValueError, IndexError) as exc:  # a missing part, a malformed number or reference
        raise Unpatchable(f"{type(exc).__name__}: {exc}") from None


def _patch(data: bytes, plans: list[SheetPlan]) -> bytes:
    package = Package(data)
    package.plain_workbook()
    styles_rel = next((r for r in package.book_rels if r.get("Type", "").endswith("/styles")), None)
    if styles_rel is None:
        raise Unpatchable("no styles part")
    styles_part = package.target(package.book_name, styles_rel)
    styles = Styles(parse(package.parts[styles_part], styles_part))
    sheets = package.sheets()
    for ordinal, plan in enumerate(plans):
        if plan.title not in sheets or sheets[plan.title][1] not in package.parts:
            continue
        position, part = sheets[plan.title]
        root = parse(package.parts[part], part)
        if root.tag != q("worksheet"):
            continue  # a chart sheet or a dialog sheet: nothing to add
        sheet = SheetPatch(root)
        first = patch_sheet(sheet, plan, styles)
        add_comments(package, part, sheet, {ref: comment_text(issues) for ref, issues in plan.marks.items()},
                     ordinal)
        package.parts[part] = dump(root)
        widen_print_area(package, position, first + len(WIDTHS) - 1)
    package.parts[styles_part] = dump(styles.root)
    return package.save()
