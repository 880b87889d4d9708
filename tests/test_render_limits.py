"""Word templates from anyone: refused in bounded memory and time, with a Chinese message
naming the template and the part; a document that would not open is never written."""

from __future__ import annotations

import time
import zipfile

import docx
import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.core import limits
from scoring.outputs.files import check_output
from scoring.outputs.render import (
    REPORT_TEMPLATE,
    RenderError,
    WordTemplate,
    builtin_template,
    render_many,
    to_context,
)
from scoring.pipeline import run
from scoring.sources.resources import data_dir

EXAMPLE = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"


def _context() -> dict:
    scored = run(EXAMPLE)
    return to_context(scored.evaluation, scored.result)


def _template(tmp_path, text: str, name: str = "t.docx"):
    path = tmp_path / name
    d = docx.Document()
    d.add_paragraph(text)
    d.save(path)
    return path


def _rezip(src, dst, replace: dict | None = None, drop: tuple = (), add: dict | None = None):
    """A copy of the .docx `src` with parts replaced, dropped or added."""
    replace, add = replace or {}, add or {}
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            if info.filename in drop:
                continue
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
        for name, data in add.items():
            zout.writestr(name, data)
    return dst


def _refused(path, *words):
    with pytest.raises(RenderError) as caught:
        WordTemplate(path)
    message = str(caught.value)
    assert str(path) in message
    for word in words:
        assert word in message, message
    return message


def _cli_refuses(tmp_path, template, *words):
    """`jixiao render --template` exits 1 with the message, and writes nothing."""
    out = tmp_path / "out"
    code = main(["render", str(EXAMPLE), "-o", str(out), "--workers", "1", "--template", str(template)])
    assert code == 1
    assert not out.exists() or list(out.iterdir()) == []
    return code


# ------------------------------------------------------------ loading a template


def test_a_zip_bomb_template_is_refused_before_it_is_expanded(tmp_path, capsys):
    base = _template(tmp_path, "{{ unit }}")
    bomb = _rezip(base, tmp_path / "bomb.docx", add={"word/media/image1.png": b"\0" * (3 * limits.MiB)})
    assert bomb.stat().st_size < 100_000
    _refused(bomb, "word/media/image1.png", "压缩炸弹")
    _cli_refuses(tmp_path, bomb)
    err = capsys.readouterr().err
    assert "word/media/image1.png" in err and "内部错误" not in err


@pytest.mark.parametrize("part, data, words", [
    ("word/document.xml", b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="x"><w:body>',
     ("word/document.xml", "不是格式正确的 XML", "第 1 行")),
    ("word/styles.xml", b'<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaaaaaaaa">]><s>&a;</s>',
     ("word/styles.xml", "DTD")),
    ("word/document.xml", '<?xml version="1.0" encoding="UTF-8"?><d>单位</d>'.encode("gbk"),
     ("word/document.xml", "不是 UTF-8 编码")),
    ("word/document.xml", b'<?xml version="1.0" encoding="ISO-8859-1"?><d>cafe</d>',
     ("word/document.xml", "ISO-8859-1")),
    ("word/settings.xml", b"<s><a>\x0b</a></s>", ("word/settings.xml", "不允许的字符")),
], ids=["malformed", "dtd", "gbk", "latin1", "control-char"])
def test_a_broken_part_is_refused_naming_the_template_and_the_part(tmp_path, part, data, words):
    bad = _rezip(_template(tmp_path, "{{ unit }}"), tmp_path / "bad.docx", replace={part: data})
    _refused(bad, *words)


def test_a_template_without_its_required_parts_is_refused(tmp_path, capsys):
    base = _template(tmp_path, "{{ unit }}")
    for part in ("[Content_Types].xml", "word/document.xml"):
        bad = _rezip(base, tmp_path / "bad.docx", drop=(part,))
        _refused(bad, f"缺少组成部分 {part}")
    _cli_refuses(tmp_path, bad)
    assert "内部错误" not in capsys.readouterr().err


def test_not_a_docx_an_old_doc_and_a_too_large_file_are_refused(tmp_path, monkeypatch):
    text = tmp_path / "text.docx"
    text.write_text("not a zip", encoding="utf-8")
    _refused(text, "不是 Word 文档")
    old = tmp_path / "old.docx"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    _refused(old, "旧版 Word 文档")
    monkeypatch.setattr(limits, "MAX_TEMPLATE_BYTES", 1000)
    _refused(_template(tmp_path, "{{ unit }}"), "超过上限")


def test_every_shipped_template_loads_and_renders_a_document_whose_parts_are_all_well_formed():
    context = _context()
    for path in sorted(data_dir("reports").glob("*_tpl.docx")):
        data = WordTemplate(path).render_bytes(context)
        check_output(path.with_name("out.docx"), data, True)  # every XML part, not only the rendered ones
    assert (data_dir("reports") / REPORT_TEMPLATE).exists()


# -------------------------------------------------------------- rendering budget


@pytest.mark.parametrize("source, words", [
    ("{% for i in range(100000) %}{% for j in range(100000) %}{{ i }}{% endfor %}{% endfor %}",
     "模板计算量超过上限（循环次数超过 100000）"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "循环次数超过 100000"),
    ("{{ range(10**9)|length }}", "循环次数超过 100000"),
    ("{{ 'A' * 10**9 }}", "超过上限 1000000"),
    ("{{ 10 ** (10 ** 8) }}", "数字超过 4300 位"),
    ("{% set ns = namespace(s='A') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "超过上限 1000000"),
    ("{{ 'a'|center(10**9) }}", "宽度或长度参数"),
    ("{{ '{:>999999999}'.format(unit) }}", "格式宽度"),
    ("{{ ('A' * 1000000)|replace('A', 'AAAA') }}", "超过上限 1000000"),
    ("{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(30) }}",
     "循环次数超过 100000"),
    ("{% for i in range(99999) %}{{ 'A' * 1000 }}{% endfor %}", "输出内容超过 64 MB"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "递归过深"),
    ("{{ 10.0 ** 400 }}", "OverflowError"),
], ids=["nested-range", "nested-silent", "range", "repeat", "power", "doubling", "center", "format",
        "replace", "macro-tree", "output", "recursion", "float-overflow"])
def test_a_template_that_computes_too_much_is_stopped_quickly_with_a_message(tmp_path, source, words):
    template = WordTemplate(_template(tmp_path, source))
    start = time.monotonic()
    with pytest.raises(RenderError) as caught:
        template.render_bytes(_context())
    assert time.monotonic() - start < 10
    message = str(caught.value)
    assert str(template.path) in message and "word/document.xml" in message and words in message, message
    assert "内部错误" not in message


def test_rendering_stops_at_the_wall_clock_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_RENDER_SECONDS", 0.5)
    slow = "{% for i in range(99999) %}{{ range(100000)|list|sort|length }}{% endfor %}"
    template = WordTemplate(_template(tmp_path, slow))
    start = time.monotonic()
    with pytest.raises(RenderError, match=r"模板计算量超过上限（渲染一份文档超过 0.5 秒）"):
        template.render_bytes(_context())
    assert time.monotonic() - start < 3


def test_the_budget_is_per_document_and_ordinary_loops_fit(tmp_path):
    source = "{% for i in range(60000) %}{% endfor %}{% for r in indicators %}{{ r.level3 }}{% endfor %}"
    template = WordTemplate(_template(tmp_path, source))
    context = _context()
    for _ in range(3):  # 60,000 iterations each time: the budget starts afresh per document
        text = docx.Document(_saved(tmp_path, template.render_bytes(context))).paragraphs[0].text
        assert context["indicators"][0]["level3"] in text


def _saved(tmp_path, data):
    path = tmp_path / "saved.docx"
    path.write_bytes(data)
    return path


def test_the_render_command_reports_a_budget_breach_as_an_error_not_an_internal_one(tmp_path, capsys):
    _cli_refuses(tmp_path, _template(tmp_path, "{{ range(10**9)|length }}"))
    err = capsys.readouterr().err
    assert "循环次数超过 100000" in err and "t.docx" in err and "内部错误" not in err


# --------------------------------------------------------- checking the output


def test_a_template_that_renders_broken_xml_leaves_no_file(tmp_path):
    template = _template(tmp_path, "{{ '<w:t>'|safe }}")
    jobs = [(str(template), _context(), str(tmp_path / "out" / "a.docx"))]
    with pytest.raises(RenderError) as caught:
        render_many(jobs)
    message = str(caught.value)
    assert str(template) in message and "word/document.xml" in message and "不是有效的 Word 文档" in message
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []  # neither the document nor a temporary file


def test_a_control_character_in_a_value_does_not_break_the_document(tmp_path):
    context = _context()
    context["project"] = "测\x0b试项\x00目甲"
    context["indicators"][0]["reason"] = "原因\x0c一"
    out = tmp_path / "a.docx"
    render_many([(str(builtin_template(run(EXAMPLE).evaluation)), context, str(out))])
    text = "\n".join(c.text for t in docx.Document(out).tables for row in t.rows for c in row.cells)
    assert "测试项目甲" in text and "原因一" in text


@pytest.mark.parametrize("text, words", [
    ("{{ unit " + "<{{" * 20000, "“{{”之后没有对应的“}}”"),
    ("{% if unit " + "{%" * 20000, "“{%”之后没有对应的“%}”"),
    ("{{ unit }}" * (limits.MAX_TEMPLATE_TAGS + 1), "标签（{{ }}、{% %}）超过 10000 个"),
], ids=["unclosed-expression", "unclosed-statement", "too-many-tags"])
def test_unclosed_or_countless_tags_are_refused_before_docxtpl_preprocesses_them(tmp_path, text, words):
    start = time.monotonic()
    _refused(_template(tmp_path, text), "word/document.xml", words)
    assert time.monotonic() - start < 5  # docxtpl's patch_xml alone takes minutes on these


@pytest.mark.parametrize("source, context", [
    ("{{ unit|vm }}{{ ('<w:tc>' * 50000)|safe }}", {"unit": "restart"}),
    ("{{ unit }}{{ ('<w:p>' * 50000)|safe }}", {"unit": "一\n二"}),
], ids=["vertical-merge", "line-break"])
def test_broken_rendered_xml_is_refused_quickly_whatever_post_pass_follows(tmp_path, source, context):
    template = _template(tmp_path, source)
    start = time.monotonic()
    with pytest.raises(RenderError, match="不是有效的 Word 文档"):
        render_many([(str(template), {**_context(), **context}, str(tmp_path / "out" / "a.docx"))])
    assert time.monotonic() - start < 5
    assert not (tmp_path / "out").exists() or list((tmp_path / "out").iterdir()) == []
