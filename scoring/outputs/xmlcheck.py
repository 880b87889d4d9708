"""Is this XML well-formed? The check behind every Word template read and every .docx/.xlsx written.

One wrong byte in a part of a .docx or .xlsx (a control character in a `<w:t>`, a tag
that a template's `{% if %}` cut in half) and Word, WPS or Excel refuse the whole file.
jixiao checks the XML parts a template brings when it is loaded and the parts it
generates before a file is put in place, so a broken document is an error at the
moment it is made, not a surprise for the person who opens it.

The parser is expat (C, ~150 MB/s): no DTD and no entity is ever read. A part with a
`<!DOCTYPE …>` is refused outright, since Office parts never carry one and a DTD is how
entity bombs and external references get in. Problems are worded in Chinese with the
line and column, for the messages that name the file and the part.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from xml.parsers import expat
from xml.parsers.expat import errors

XML_SUFFIXES = (".xml", ".rels")

_REASONS = {
    errors.XML_ERROR_INVALID_TOKEN: "有不允许的字符或记号",
    errors.XML_ERROR_BAD_CHAR_REF: "引用了 XML 不允许的字符",
    errors.XML_ERROR_TAG_MISMATCH: "开始标签和结束标签不匹配",
    errors.XML_ERROR_UNCLOSED_TOKEN: "标签没有结束",
    errors.XML_ERROR_NO_ELEMENTS: "没有内容（或内容不完整）",
    errors.XML_ERROR_JUNK_AFTER_DOC_ELEMENT: "根元素之后还有内容",
    errors.XML_ERROR_SYNTAX: "语法错误",
    errors.XML_ERROR_DUPLICATE_ATTRIBUTE: "同一属性出现两次",
    errors.XML_ERROR_UNDEFINED_ENTITY: "使用了未定义的实体",
    errors.XML_ERROR_UNBOUND_PREFIX: "使用了未声明的命名空间前缀",
    errors.XML_ERROR_PARTIAL_CHAR: "字符不完整（编码错误）",
    errors.XML_ERROR_UNKNOWN_ENCODING: "声明了不支持的编码",
    errors.XML_ERROR_INCORRECT_ENCODING: "实际编码与声明的编码不符",
    errors.XML_ERROR_MISPLACED_XML_PI: "XML 声明不在开头",
    errors.XML_ERROR_XML_DECL: "XML 声明格式错误",
    errors.XML_ERROR_UNCLOSED_CDATA_SECTION: "CDATA 段没有结束",
}

DTD_PROBLEM = ("含有 DTD 声明（<!DOCTYPE …>）：Office 文档的组成部分不使用 DTD，"
               "它可能被用来展开“实体炸弹”或读取其他文件，已拒绝")


class _Refused(Exception):
    pass


def _refuse(*_args) -> None:
    raise _Refused


def xml_problem(data: bytes, *, namespaces: bool = False, utf8: bool = False) -> str | None:
    """What is wrong with this XML, in Chinese (with line and column), or None.

    `namespaces` also checks that every prefix is declared (twice the cost: used for
    templates, read once); `utf8` requires UTF-8, the encoding jixiao renders in.
    """
    if utf8:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            return f"不是 UTF-8 编码（第 {exc.start + 1} 个字节起无法按 UTF-8 读取）"
    parser = expat.ParserCreate(namespace_separator=" " if namespaces else None)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    declared: list[str | None] = []
    if utf8:
        parser.XmlDeclHandler = lambda version, encoding, standalone: declared.append(encoding)
    try:
        parser.Parse(data, True)
    except _Refused:
        return DTD_PROBLEM
    except expat.ExpatError as exc:
        message = errors.messages[exc.code]
        reason = _REASONS.get(message, message)
        return f"不是格式正确的 XML：第 {exc.lineno} 行第 {exc.offset + 1} 列{reason}"
    if declared and declared[0] and declared[0].lower().replace("_", "-") not in ("utf-8", "utf8"):
        return f"声明的编码是 {declared[0]}，jixiao 只处理 UTF-8 编码的模板"
    return None


def is_xml_part(name: str) -> bool:
    return name.lower().endswith(XML_SUFFIXES)


def zip_problem(data: bytes, parts: Iterable[str] | None = None) -> tuple[str, str] | None:
    """The first broken part of a zip container held in memory: (part name, problem), or None.

    `parts`: the names to check (each must be present); None checks every XML part.
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = [n for n in zf.namelist() if is_xml_part(n)] if parts is None else list(parts)
            for name in names:
                try:
                    content = zf.read(name)
                except KeyError:
                    return name, "缺少这一组成部分"
                problem = xml_problem(content)
                if problem:
                    return name, problem
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        return "（整个文件）", f"不是有效的 zip 容器（{type(exc).__name__}）"
    return None
