"""A .docx template, checked and compiled once, rendered into many documents.

docxtpl, per document, reopens the .docx, re-parses it with python-docx,
preprocesses the XML and re-serialises every part. Here that happens once: the
template's document.xml (and any header or footer with a tag) goes through
docxtpl's own `patch_xml` (so the tag syntax is exactly docxtpl's) and is compiled
once; each document is then one Jinja render of the XML plus a zip write.

A template is a file from anyone (`jixiao render --template`), so loading it is
bounded (`core.limits`): its size on disk, the zip container's declared and real
expanded sizes (`sources.archive`), the parts Word needs ([Content_Types].xml,
word/document.xml), and every XML part well-formed, without a DTD, and the parts
that are rendered in UTF-8. Rendering is bounded by `outputs.sandbox`'s budget
(loops, values, output, time). Every refusal is a RenderError in Chinese naming the
template and the part.

Vertical merges: docxtpl's `{% vm %}` merges over the innermost loop only, so a
一级 cell cannot span several 二级 groups (docxtpl issues #192, #571). Instead the
`vm` filter marks a cell (``{{ r.level1_merge|vm }}``) and `_vertical_merges`
writes `w:vMerge` into that cell's properties after rendering.
"""

from __future__ import annotations

import difflib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateError, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SecurityError

from scoring.core import limits
from scoring.core.issues import ScoringError
from scoring.outputs.sandbox import MERGE_MARKS, BudgetExceeded, budget, jinja_environment
from scoring.outputs.xmlcheck import is_xml_part, xml_problem
from scoring.sources.archive import (
    OLE_SIGNATURE,
    check_size,
    is_encrypted_office_file,
    open_zip,
    password_message,
    read_member,
)

DOCUMENT = "word/document.xml"
CONTENT_TYPES = "[Content_Types].xml"
_RENDERED = re.compile(r"word/(header|footer)\d*\.xml$")
_WHAT = "Word 模板"
_RESAVE = "请用 Word/WPS 打开模板后另存为 .docx 再试"


class RenderError(ScoringError):
    """A template that cannot be rendered; the message names the tag and the file."""


@dataclass
class _Part:
    info: zipfile.ZipInfo
    data: bytes


def _read_parts(path: Path) -> list[_Part]:
    """The template's parts, each within the limits, the XML ones well-formed."""
    try:
        check_size(path, limits.MAX_TEMPLATE_BYTES, _WHAT)
        with path.open("rb") as handle:
            head = handle.read(8)
        if head.startswith(OLE_SIGNATURE):
            if is_encrypted_office_file(head, path):
                raise RenderError(password_message(path))
            raise RenderError(f"{path}：是旧版 Word 文档（.doc），不是 .docx；请在 Word/WPS 中另存为 .docx 后作为模板")
        if not zipfile.is_zipfile(path):
            raise RenderError(f"{path}：不是 Word 文档（.docx）")
        with open_zip(path, _WHAT) as zf:
            infos = zf.infolist()
            names = [i.filename for i in infos]
            for name in (CONTENT_TYPES, DOCUMENT):
                if name not in names:
                    raise RenderError(f"{path}：不是 Word 文档（缺少组成部分 {name}）；{_RESAVE}")
            twice = next((n for n in names if names.count(n) > 1), None)
            if twice:
                raise RenderError(f"{path}（{twice}）：组成部分出现两次，文件可能被篡改；{_RESAVE}")
            parts = [_Part(i, read_member(zf, i.filename, path, _WHAT)) for i in infos]
    except RenderError:
        raise
    except ScoringError as exc:  # the limits of sources.archive, worded there
        raise RenderError(str(exc)) from None
    except OSError as exc:
        raise RenderError(f"无法读取 {path}：{exc.strerror}") from None
    for part in parts:
        name = part.info.filename
        if is_xml_part(name):
            problem = xml_problem(part.data, namespaces=True, utf8=name == DOCUMENT or bool(_RENDERED.match(name)))
            if problem:
                raise RenderError(f"{path}（{name}）：{problem}；{_RESAVE}")
    return parts


_CONTROL_IN_TEXT = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\n\t\a\f]")
_AFTER = re.compile(r"<w:gridSpan [^>]*/>|<w:tcW [^>]*/>")
_MARK, _OPEN, _CLOSE_TC = "⟦vm-", "<w:tc>", "</w:tc>"
_CELL_TAG = re.compile("</?w:tc>")


def _control_in_text(xml: str) -> bool:
    """`_CONTROL_IN_TEXT.search(xml)`, run only when a control character follows the
    first `<w:t` (usually the one there is ends the XML declaration's line)."""
    first = xml.find("<w:t")
    return first != -1 and any(xml.find(c, first) != -1 for c in "\n\t\a\f") \
        and _CONTROL_IN_TEXT.search(xml) is not None


def _merged_cell(body: str) -> str:
    """One cell's body with its merge mark turned into `w:vMerge` in its properties."""
    mark = '<w:vMerge w:val="restart"/>' if MERGE_MARKS["restart"] in body else "<w:vMerge/>"
    body = body.replace(MERGE_MARKS["restart"], "").replace(MERGE_MARKS["continue"], "")
    spots = list(_AFTER.finditer(body.split("</w:tcPr>", 1)[0]))
    if spots:  # schema order: tcW, gridSpan, (hMerge), vMerge, tcBorders, …
        at = spots[-1].end()
        body = body[:at] + mark + body[at:]
    elif "<w:tcPr>" in body:
        body = body.replace("<w:tcPr>", "<w:tcPr>" + mark, 1)
    else:
        body = f"<w:tcPr>{mark}</w:tcPr>" + body
    return f"<w:tc>{body}</w:tc>"


def _vertical_merges(xml: str) -> str:
    """Each cell holding a merge mark gets its `w:vMerge`; only those cells are touched,
    found from the marks by `str.find` (linear, even in a broken document).

    A cell is a `<w:tc>`, then the first `</w:tc>` after it with no `<w:tc>` between
    (what `<w:tc>([^<]*(?:<(?!/?w:tc>)[^<]*)*)</w:tc>` matches). A mark outside such a
    cell is left as it is."""
    if _MARK not in xml:
        return xml
    pieces, done, low = [], 0, 0  # a cell with a later mark starts at `low` or after
    at = xml.find(_MARK)
    while at != -1:
        tag = _CELL_TAG.search(xml, at)  # the cell's end, if no cell opens first
        if tag is None:
            break
        start = xml.rfind(_OPEN, low, at)
        if tag.group() == _CLOSE_TC and start != -1 and xml.find(_CLOSE_TC, start, at) == -1:
            pieces += (xml[done:start], _merged_cell(xml[start + len(_OPEN):tag.start()]))
            done = low = tag.end()
        else:  # the marks before `tag` are in no cell either
            low = tag.start()
        at = xml.find(_MARK, tag.start())
    pieces.append(xml[done:])
    return "".join(pieces)


_TAGS = re.compile(r"<[^>]*>")
_DELIMITERS = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _tag_problem(xml: str) -> str | None:
    """At most MAX_TEMPLATE_SOURCE characters and MAX_TEMPLATE_TAGS tags, each {{
    closed by }} (and {% by %}, {# by #}) before the next one opens.

    Checked before docxtpl's `patch_xml`, whose regular expressions take time that
    grows with the square of the text when a tag is left open (a 300 KB template of
    unclosed “{{” takes seconds, a few MB hours), and before Jinja compiles it."""
    if len(xml) > limits.MAX_TEMPLATE_SOURCE:
        return f"模板过大：内容有 {limits.size_text(len(xml))}，超过上限 {limits.size_text(limits.MAX_TEMPLATE_SOURCE)}"
    text = _TAGS.sub("", xml)
    opened, tags = None, 0
    for match in _DELIMITERS.finditer(text):
        token = match.group()
        if token in _CLOSE:
            if opened is not None:
                break
            opened = match
            tags += 1
            if tags > limits.MAX_TEMPLATE_TAGS:
                return f"模板过大：标签（{{{{ }}}}、{{% %}}）超过 {limits.MAX_TEMPLATE_TAGS} 个"
        elif opened is not None and token == _CLOSE[opened.group()]:
            opened = None
        elif opened is not None:
            break
    else:
        if opened is None:
            return None
    near = text[opened.start(): opened.start() + 40]
    return f"模板语法错误：“{opened.group()}”之后没有对应的“{_CLOSE[opened.group()]}”（附近的文字：“{near}”）"


def _template_line(exc: BaseException) -> int | None:
    """The template line an exception came from (Jinja rewrites tracebacks to name it)."""
    line, tb = None, exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


class WordTemplate:
    """A .docx template, preprocessed and compiled once, rendered many times."""

    def __init__(self, path: str | Path):
        from docxtpl import DocxTemplate

        self.path = Path(path)
        if not self.path.exists():
            raise RenderError(f"找不到 Word 模板：{self.path}")
        self._parts = _read_parts(self.path)
        self._docxtpl = DocxTemplate(str(self.path))  # for its XML preprocessing only: never opens the file
        self._templates = {}
        env = jinja_environment()
        for part in self._parts:
            name = part.info.filename
            if name == DOCUMENT or _RENDERED.match(name):
                xml = part.data.decode("utf-8")  # checked by _read_parts
                if name != DOCUMENT and "{" not in xml:
                    continue
                problem = _tag_problem(xml)
                if problem:
                    raise RenderError(f"{self.path}（{name}）：{problem}")
                src = self._docxtpl.patch_xml(xml)
                src = re.sub(r"<w:p([ >])", r"\n<w:p\1", src)  # line numbers for error messages
                try:
                    self._templates[name] = (env.from_string(src), src)
                except TemplateSyntaxError as exc:
                    raise RenderError(self._describe(exc, src, name)) from None
        self._build_skeleton()

    @property
    def rendered_parts(self) -> tuple[str, ...]:
        """The parts each document renders anew (the others were checked when loaded)."""
        return tuple(self._templates)

    def _near(self, src: str, lineno: int | None) -> str:
        if not lineno:
            return ""
        lines = src.splitlines()[max(lineno - 2, 0): lineno + 1]
        near = "".join(re.sub(r"<[^>]+>", "", x) for x in lines).strip()
        return f"；出错位置附近的文字：“{near[:120]}”" if near else ""

    def _describe(self, exc: TemplateError, src: str, part: str, names=()) -> str:
        kind = "模板语法错误" if isinstance(exc, TemplateSyntaxError) else "模板渲染错误"
        message = jinja_problem(exc, names)
        return f"{self.path}（{part}）：{kind}：{message}{self._near(src, getattr(exc, 'lineno', None))}"

    def _render_part(self, name: str, template, src: str, context: dict) -> str:
        chunks, size = [], 0
        try:
            for chunk in template.generate(context):
                size += len(chunk)
                if size > limits.MAX_RENDER_BYTES:
                    raise BudgetExceeded(f"输出内容超过 {limits.size_text(limits.MAX_RENDER_BYTES)}")
                chunks.append(chunk)
        except SecurityError as exc:
            raise RenderError(f"{self.path}：模板试图访问不允许的内容：{exc}") from None
        except TemplateError as exc:
            raise RenderError(self._describe(exc, src, name, context)) from None
        except BudgetExceeded as exc:
            raise RenderError(f"{self.path}（{name}）：模板计算量超过上限（{exc}）；请检查模板中的循环和运算"
                              f"{self._near(src, _template_line(exc))}") from None
        except RecursionError:
            raise RenderError(f"{self.path}（{name}）：模板计算量超过上限（宏或循环递归过深）") from None
        except (ArithmeticError, ValueError, TypeError, LookupError, MemoryError) as exc:
            raise RenderError(f"{self.path}（{name}）：模板渲染错误：{type(exc).__name__}: {exc}"
                              f"{self._near(src, _template_line(exc))}") from None
        return "".join(chunks)

    def render_bytes(self, context: dict) -> bytes:
        """One document, as the bytes of a .docx file (within one budget, see outputs.sandbox)."""
        return self.zipped(self.render_parts(context))

    def render_parts(self, context: dict) -> dict[str, bytes]:
        """The rendered parts of one document, by name (within one budget, see outputs.sandbox)."""
        rendered = {}
        with budget():
            for name, (template, src) in self._templates.items():
                xml = self._render_part(name, template, src, context)
                # the line breaks added for error messages' line numbers; as re.sub(r"\n<w:p([ >])", r"<w:p\1")
                xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
                if "{_" in xml or "_}" in xml:
                    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
                if _control_in_text(xml):  # a value with a line break or tab: Word needs <w:br/>
                    problem = xml_problem(xml.encode("utf-8"))  # docxtpl's pass is quadratic on broken XML
                    if problem:
                        raise RenderError(f"{self.path}（{name}）：用此模板生成的文档不是有效的 Word 文档"
                                          f"（{problem}）；请检查模板的标签是否切断了段落、表格行等结构")
                    xml = self._docxtpl.resolve_listing(xml)
                data = _vertical_merges(xml).encode("utf-8")
                if len(data) > limits.MAX_RENDER_BYTES:
                    raise RenderError(f"{self.path}（{name}）：模板计算量超过上限（输出内容超过 "
                                      f"{limits.size_text(limits.MAX_RENDER_BYTES)}）")
                rendered[name] = data
        return rendered

    def zipped(self, rendered: dict[str, bytes]) -> bytes:
        """The .docx file: the template's unchanged parts with the rendered ones."""
        buffer = io.BytesIO()
        buffer.write(self._head)
        with zipfile.ZipFile(buffer, "w") as out:  # as mode "a" on the skeleton, without reading it again
            out.filelist.extend(self._listed)
            for name, data in rendered.items():
                out.writestr(zipfile.ZipInfo(name, date_time=self._dates[name]), data,
                             compress_type=zipfile.ZIP_DEFLATED, compresslevel=6)
        return buffer.getvalue()

    def _build_skeleton(self) -> None:
        """Every part that does not change, compressed once: each document is this
        zip with its rendered parts appended (styles.xml alone is ~350 KB)."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
            for part in self._parts:
                if part.info.filename not in self._templates:
                    out.writestr(zipfile.ZipInfo(part.info.filename, date_time=part.info.date_time),
                                 part.data, compress_type=zipfile.ZIP_DEFLATED)
        self._skeleton = buffer.getvalue()
        self._dates = {p.info.filename: p.info.date_time for p in self._parts}
        with zipfile.ZipFile(io.BytesIO(self._skeleton)) as skeleton:  # its parts, and where their list starts
            self._listed = skeleton.infolist()
            self._head = self._skeleton[:skeleton.start_dir]


_SYNTAX = (  # Jinja's syntax problems, in the words of someone editing a Word template
    (re.compile(r"end of template.*block that needs to be closed is '(\w+)'", re.I | re.S),
     "模板意外结束：{{% {0} %}} 没有对应的 {{% end{0} %}}"),
    (re.compile(r"unexpected end of template, expected '([^']+)'", re.I), "模板意外结束：缺少“{0}”"),
    (re.compile(r"expected an expression, got '([^']+)'", re.I), "“{0}”之前缺少变量或表达式"),
    (re.compile(r"unexpected end of template", re.I), "模板意外结束：{% for %} 或 {% if %} 缺少对应的 {% endfor %} 或 {% endif %}"),
    (re.compile(r"Encountered unknown tag '([^']+)'", re.I), "未知的标签“{0}”：请检查拼写，或它前面的 {{% for %}}、{{% if %}} 是否写对"),
    (re.compile(r"expected token '([^']+)', got '([^']+)'"), "此处应为“{0}”，实际为“{1}”"),
    (re.compile(r"unexpected '([^']+)'", re.I), "此处不应出现“{0}”"),
    (re.compile(r"unexpected char '(.+?)'"), "此处不应出现字符“{0}”"),
)
_TOKENS = {"end of print statement": "}}", "end of statement block": "%}", "end of template": "模板结尾",
           "name": "名称", "integer": "整数", "string": "文字"}
_UNDEFINED = re.compile(r"'([^']+)' is undefined")
_NO_ATTRIBUTE = re.compile(r"'[^']+' has no attribute '([^']+)'")
_DOCS = "（可用变量见文档 render.md，jixiao docs 显示文档位置）"


def jinja_problem(exc: TemplateError, names=()) -> str:
    """A Jinja error in Chinese, with the nearest variable name when one was misspelt."""
    message = exc.message or str(exc)
    if isinstance(exc, UndefinedError):
        m = _UNDEFINED.search(message) or _NO_ATTRIBUTE.search(message)
        if m:
            close = difflib.get_close_matches(m[1], [str(n) for n in names], n=1)
            nearest = f"；是否想写“{close[0]}”？" if close else ""
            what = "变量" if _UNDEFINED.search(message) else "属性"
            return f"{what}“{m[1]}”未定义{nearest}{_DOCS}"
        return f"变量未定义{_DOCS}"
    for pattern, words in _SYNTAX:
        m = pattern.search(message)
        if m:
            return words.format(*(_TOKENS.get(g, g) for g in m.groups())) if m.groups() else words
    return f"模板有误（{message}）"
