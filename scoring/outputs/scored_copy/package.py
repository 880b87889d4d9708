"""An .xlsx as parts: read once, changed parts replaced, new parts added, the rest copied as they are.

XML parts are parsed with lxml, which keeps every namespace prefix as it was (so an
`mc:Ignorable` list still names declared prefixes), without DTDs, entities or network
access. `Unpatchable` says that a part is not what the scored copy can edit safely.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from lxml import etree

M = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
CT_BOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


class Unpatchable(Exception):
    """The workbook's parts are not what this module can edit safely."""


def q(tag: str) -> str:
    return f"{{{M}}}{tag}"


def parse(data: bytes, name: str) -> etree._Element:
    try:
        tree = etree.parse(io.BytesIO(data), _PARSER)
    except etree.XMLSyntaxError as exc:
        raise Unpatchable(f"{name}: {exc}") from None
    if tree.docinfo.doctype:
        raise Unpatchable(f"{name}: DTD")
    return tree.getroot()


def dump(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


# ------------------------------------------------------------------ the package


class Package:
    """The parts of one .xlsx, read once; changed parts replaced, new parts added."""

    def __init__(self, data: bytes):
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            self.order = [i.filename for i in zf.infolist()]
            self.parts = {name: zf.read(name) for name in self.order}
        except (zipfile.BadZipFile, KeyError, ValueError, EOFError) as exc:
            raise Unpatchable(str(exc)) from None
        self.types = parse(self.parts["[Content_Types].xml"], "[Content_Types].xml")
        self.book_name = self._main_part()
        self.book = parse(self.parts[self.book_name], self.book_name)
        if self.book.tag != q("workbook"):
            raise Unpatchable("not a transitional SpreadsheetML workbook")
        self.book_rels = self.rels(self.book_name)

    def _main_part(self) -> str:
        rels = parse(self.parts.get("_rels/.rels", b""), "_rels/.rels")
        for rel in rels:
            if rel.get("Type", "").endswith("/officeDocument"):
                return rel.get("Target", "").lstrip("/")
        raise Unpatchable("no workbook part")

    def rels(self, part: str) -> etree._Element:
        name = rels_name(part)
        if name in self.parts:
            return parse(self.parts[name], name)
        return etree.Element(f"{{{PR}}}Relationships", nsmap={None: PR})

    def target(self, part: str, rel: etree._Element) -> str:
        target = rel.get("Target", "")
        if target.startswith("/"):
            return target.lstrip("/")
        return posixpath.normpath(posixpath.join(posixpath.dirname(part), target))

    def sheets(self) -> dict[str, tuple[int, str]]:
        """Sheet name → (its position, its part)."""
        by_id = {rel.get("Id"): self.target(self.book_name, rel) for rel in self.book_rels}
        found = {}
        for i, sheet in enumerate(self.book.iterfind(f"{q('sheets')}/{q('sheet')}")):
            found[sheet.get("name")] = (i, by_id.get(sheet.get(f"{{{R}}}id"), ""))
        return found

    def new_name(self, pattern: str) -> str:
        n = 1
        while pattern.format(n) in self.parts:
            n += 1
        return pattern.format(n)

    def add_type(self, part: str, content_type: str) -> None:
        etree.SubElement(self.types, f"{{{CT}}}Override", PartName="/" + part, ContentType=content_type)

    def plain_workbook(self) -> None:
        """A macro-enabled workbook or a template as a plain workbook; its macros left out."""
        for item in self.types:
            if item.get("PartName") == "/" + self.book_name:
                item.set("ContentType", CT_BOOK)
        for rel in list(self.book_rels):
            if rel.get("Type", "").endswith("/vbaProject"):
                gone = self.target(self.book_name, rel)
                self.book_rels.remove(rel)
                self.parts.pop(gone, None)
                self.parts.pop(rels_name(gone), None)
                for item in list(self.types):
                    if item.get("PartName") in ("/" + gone, "/" + rels_name(gone)):
                        self.types.remove(item)

    def save(self) -> bytes:
        self.parts["[Content_Types].xml"] = dump(self.types)
        self.parts[self.book_name] = dump(self.book)
        self.parts[rels_name(self.book_name)] = dump(self.book_rels)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            names = [n for n in self.order if n in self.parts] + [n for n in self.parts if n not in self.order]
            for name in names:
                zf.writestr(name, self.parts[name])
        return buffer.getvalue()


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def add_rel(rels: etree._Element, rel_type: str, target: str) -> str:
    ids = {rel.get("Id") for rel in rels}
    n = len(ids) + 1
    while f"rId{n}" in ids:
        n += 1
    etree.SubElement(rels, f"{{{PR}}}Relationship", Id=f"rId{n}", Type=rel_type, Target=target)
    return f"rId{n}"
