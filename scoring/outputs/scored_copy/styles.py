"""styles.xml: the cell formats of the added cells, and of each marked cell (its own format, filled).

New fonts, fills and a border are appended to the workbook's own lists, and new cell
formats (`cellXfs`) after its own, so no existing cell changes its look unless it is
marked; each format is made once and shared.
"""

from __future__ import annotations

import copy

from lxml import etree

from scoring.outputs.scored_copy.package import Unpatchable, q

FILLS = {"error": "FFFFC7CE", "warning": "FFF8CBAD", "ours": "FFE2EFDA", "head": "FFC6E0B4"}
ERROR_TEXT = "FF9C0006"


class Styles:
    """styles.xml: the cell formats of added cells, and each marked cell's format with a fill."""

    def __init__(self, root: etree._Element):
        self.root = root
        self.fonts, self.fills, self.borders, self.xfs = (root.find(q(t)) for t in
                                                          ("fonts", "fills", "borders", "cellXfs"))
        if any(x is None or len(x) == 0 for x in (self.fonts, self.fills, self.borders, self.xfs)):
            raise Unpatchable("styles.xml lacks fonts, fills, borders or cell formats")
        self.cache: dict[tuple, int] = {}

    def _add(self, parent: etree._Element, element: etree._Element) -> int:
        parent.append(element)
        parent.set("count", str(len(parent)))
        return len(parent) - 1

    def fill(self, rgb: str) -> int:
        key = ("fill", rgb)
        if key not in self.cache:
            fill = etree.Element(q("fill"))
            pattern = etree.SubElement(fill, q("patternFill"), patternType="solid")
            etree.SubElement(pattern, q("fgColor"), rgb=rgb)
            etree.SubElement(pattern, q("bgColor"), indexed="64")
            self.cache[key] = self._add(self.fills, fill)
        return self.cache[key]

    def font(self, bold: bool = False, color: str | None = None) -> int:
        key = ("font", bold, color)
        if key not in self.cache:
            font = copy.deepcopy(self.fonts[0])
            for child in list(font):
                if child.tag in (q("b"), q("color")):
                    font.remove(child)
            if bold:
                font.insert(0, etree.Element(q("b")))
            if color:
                font.append(etree.Element(q("color"), rgb=color))
            self.cache[key] = self._add(self.fonts, font)
        return self.cache[key]

    def border(self) -> int:
        if ("border",) not in self.cache:
            border = etree.Element(q("border"))
            for side in ("left", "right", "top", "bottom"):
                etree.SubElement(etree.SubElement(border, q(side), style="thin"), q("color"), rgb="FF808080")
            etree.SubElement(border, q("diagonal"))
            self.cache[("border",)] = self._add(self.borders, border)
        return self.cache[("border",)]

    def added(self, kind: str, quote: bool = False) -> int:
        """The format of an added cell: head, score, deviation, rate, text, note, note_error."""
        key = ("added", kind, quote)
        if key in self.cache:
            return self.cache[key]
        numfmt = {"deviation": "2", "rate": "10"}.get(kind, "0")
        note = kind.startswith("note")
        xf = etree.Element(q("xf"), numFmtId=numfmt, xfId="0", applyNumberFormat="1", applyFont="1",
                           applyFill="1", applyBorder="1", applyAlignment="1",
                           fontId=str(self.font(bold=kind == "head", color="FF9C0006" if kind == "note_error" else None)),
                           fillId=str(0 if note else self.fill(FILLS["head" if kind == "head" else "ours"])),
                           borderId=str(0 if note else self.border()))
        if quote:
            xf.set("quotePrefix", "1")
        etree.SubElement(xf, q("alignment"), vertical="center",
                         horizontal="left" if note else "center", wrapText="1" if note or kind == "head" else "0")
        self.cache[key] = self._add(self.xfs, xf)
        return self.cache[key]

    def marked(self, style: int, severity: str) -> int:
        """A marked cell's own format, filled in the colour of its worst problem."""
        key = ("marked", style, severity)
        if key not in self.cache:
            base = self.xfs[style] if style < len(self.xfs) else self.xfs[0]
            xf = copy.deepcopy(base)
            xf.set("fillId", str(self.fill(FILLS[severity])))
            xf.set("applyFill", "1")
            self.cache[key] = self._add(self.xfs, xf)
        return self.cache[key]
