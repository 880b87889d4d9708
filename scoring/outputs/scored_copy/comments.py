"""Comments on the marked cells: the sheet's comments part and its VML drawing, made or extended.

A sheet that has comments already keeps them: jixiao's text follows the text of a
comment already on a marked cell, and the boxes of new comments are added to the
sheet's VML drawing as text before its closing tag (VML written by Excel is not
always well-formed XML, so it is never parsed), each shape declaring its own
namespaces, as openpyxl writes them. Boxes are hidden: Excel shows a comment when the
pointer is over its cell, marked with a red corner.
"""

from __future__ import annotations

import posixpath
import re

from lxml import etree

from scoring.core.text import strip_illegal
from scoring.outputs.scored_copy.package import (
    XML_SPACE,
    M,
    Package,
    R,
    Unpatchable,
    add_rel,
    dump,
    parse,
    q,
    rels_name,
)
from scoring.outputs.scored_copy.plan import split_ref
from scoring.outputs.scored_copy.sheet import SheetPatch

REL_COMMENTS = f"{R}/comments"
REL_VML = f"{R}/vmlDrawing"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"


_VML_NS = ('xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
           'xmlns:x="urn:schemas-microsoft-com:office:excel"')
_SHAPETYPE = (f'<v:shapetype {_VML_NS} id="_x0000_t202" coordsize="21600,21600" o:spt="202" '
              'path="m,l,21600r21600,l21600,xe"><v:stroke joinstyle="miter"/>'
              '<v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>')


def _shape(n: int, row: int, col: int) -> str:
    """A hidden comment box for the cell at (row, col), 1-based (VML counts from 0)."""
    return (f'<v:shape {_VML_NS} id="_x0000_s{n}" type="#_x0000_t202" style="position:absolute;'
            'margin-left:59.25pt;margin-top:1.5pt;width:260pt;height:90pt;z-index:1;visibility:hidden" '
            'fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/><x:AutoFill>False</x:AutoFill>'
            f'<x:Row>{row - 1}</x:Row><x:Column>{col - 1}</x:Column></x:ClientData></v:shape>')


def add_comments(package: Package, part: str, sheet: SheetPatch, texts: dict[str, str], ordinal: int) -> None:
    """Comments on the sheet's marked cells, in its comments part and VML drawing."""
    if not texts:
        return
    rels = package.rels(part)
    comments_part = next((package.target(part, rel) for rel in rels if rel.get("Type") == REL_COMMENTS), None)
    if comments_part and comments_part in package.parts:
        root = parse(package.parts[comments_part], comments_part)
    else:
        comments_part = package.new_name("xl/jixiao_comments{}.xml")
        package.add_type(comments_part, CT_COMMENTS)
        add_rel(rels, REL_COMMENTS, posixpath.relpath(comments_part, posixpath.dirname(part)))
        root = etree.Element(q("comments"), nsmap={None: M})
        etree.SubElement(root, q("authors"))
        etree.SubElement(root, q("commentList"))
    authors, listing = root.find(q("authors")), root.find(q("commentList"))
    if authors is None or listing is None:
        raise Unpatchable(f"{comments_part}: no authors or commentList")
    author = str(len(authors))
    etree.SubElement(authors, q("author")).text = "jixiao"
    existing = {c.get("ref"): c for c in listing.iterfind(q("comment"))}
    new_cells = []
    for ref, text in texts.items():
        text = strip_illegal(text, escaped=True)
        comment = existing.get(ref)
        if comment is None:
            comment = etree.SubElement(listing, q("comment"), ref=ref, authorId=author)
            body = etree.SubElement(comment, q("text"))
            new_cells.append(split_ref(ref))
        else:
            body = comment.find(q("text"))
            if body is None:
                body = etree.SubElement(comment, q("text"))
            for t in body.findall(q("t")):  # plain text becomes a run, so that runs may follow
                wrapper = etree.Element(q("r"))
                t.addprevious(wrapper)
                wrapper.append(t)
            text = "\n\n" + text
        run = etree.SubElement(body, q("r"))
        props = etree.SubElement(run, q("rPr"))
        etree.SubElement(props, q("sz"), val="10")
        t = etree.SubElement(run, q("t"))
        t.text = text
        t.set(XML_SPACE, "preserve")
    package.parts[comments_part] = dump(root)
    _add_shapes(package, part, sheet, rels, [c for c in new_cells if c], ordinal)
    package.parts[rels_name(part)] = dump(rels)  # typed by the package's Default for "rels"


def _add_shapes(package: Package, part: str, sheet: SheetPatch, rels: etree._Element,
                cells: list[tuple[int, int]], ordinal: int) -> None:
    rel_id = sheet.legacy_drawing()
    vml_part = None
    if rel_id is not None:
        vml_part = next((package.target(part, rel) for rel in rels if rel.get("Id") == rel_id), None)
    if vml_part is not None and vml_part in package.parts:
        text = package.parts[vml_part].decode("utf-8", "replace")
        end = text.rfind("</xml>")
        if end < 0:
            raise Unpatchable(f"{vml_part}: a VML drawing without its closing tag")
        start = max((int(n) for n in re.findall(r"_x0000_s(\d+)", text)), default=1024) + 1
        shapes = ("" if 'id="_x0000_t202"' in text else _SHAPETYPE) + "".join(
            _shape(start + k, r, c) for k, (r, c) in enumerate(cells))
        package.parts[vml_part] = (text[:end] + shapes + text[end:]).encode("utf-8")
        return
    vml_part = package.new_name("xl/drawings/jixiao_vmlDrawing{}.vml")
    package.add_type(vml_part, CT_VML)
    idmap = ordinal + 1
    shapes = "".join(_shape(idmap * 1024 + 1 + k, r, c) for k, (r, c) in enumerate(cells))
    package.parts[vml_part] = (f'<xml {_VML_NS}><o:shapelayout v:ext="edit"><o:idmap v:ext="edit" '
                               f'data="{idmap}"/></o:shapelayout>{_SHAPETYPE}{shapes}</xml>').encode()
    if rel_id is not None:  # a legacyDrawing whose part is missing: point it at the new drawing
        for rel in rels:
            if rel.get("Id") == rel_id:
                rel.set("Target", posixpath.relpath(vml_part, posixpath.dirname(part)))
        return
    sheet.add_legacy_drawing(add_rel(rels, REL_VML, posixpath.relpath(vml_part, posixpath.dirname(part))))
