"""Every word a user sees is Chinese (issue 13, point 6): each command's help, a set of
wrong invocations and a set of bad inputs, with no English word outside an allow-list of
names (commands, options, keys of the evaluation file, rule and template names, file
formats and programs)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import EXAMPLES

from scoring.cli import main
from scoring.core import model
from scoring.core.rules import RULE_NAMES

COMMANDS = ("score", "workbook", "demo", "templates", "new", "import-targets", "render", "review-sheet",
            "rescore", "serve", "server", "docs", "audit")
NAMES = {
    # programs, formats and standards a user knows by these names
    "jixiao", "YAML", "yaml", "yml", "JSON", "json", "Excel", "WPS", "Word", "PDF", "pdf", "LibreOffice",
    "soffice", "xlsx", "xlsm", "xls", "xlsb", "ods", "docx", "doc", "md", "UTF", "GBK", "Tab", "KB", "MB", "GB",
    "OpenDocument", "docs", "sha", "apt", "get", "install", "libreoffice", "writer", "calc",
    # the commands' own words: commands, choices, option names (shown with their dashes)
    *COMMANDS, "import", "sheet", "list", "show", "check", "help", "version", "json", "output", "template", "department",
    "targets", "unit", "year", "project", "workers", "report", "combined", "summary", "filled", "reviewed", "by",
    "date", "review", "force", "port", "host", "allow", "open", "no",
    "strict", "precision", "rounding", "files", "jobs", "half_up", "floor",  # jixiao audit's options and choices
    # jixiao server: its subcommands and choices, the databases and what their addresses say
    "start", "init", "account", "add", "disable", "enable", "reset", "backup", "backups", "restore", "setup",
    "SQLite", "PostgreSQL", "postgresql", "psycopg", "HTTPS", "JIXIAO",
    # template names shipped with jixiao
    "henan_project", "henan_department", "central_project", "hunan_department_bands", "henan", "central",
    "hunan", "bands",
    # table layouts (jixiao render --layout anyang_2022 / jiaozuo_2021: the word matched stops at the digits)
    "anyang_", "jiaozuo_",
    # keys of the evaluation and review files, rule names, formula names
    *RULE_NAMES, "actual", "target", "weight", "ratio", "rule", "deduct", "per", "when", "otherwise",
    "min", "max", "round", "abs",
    # the tags of a Word template (Jinja), named in its messages
    "for", "endfor", "if", "endif", "else", "elif", "set", "macro", "endmacro",
}


def _keys(cls) -> set[str]:
    names = set()
    for name, info in cls.model_fields.items():
        names.add(name)
        for part in re.findall(r"[A-Za-z]+", str(info.annotation)):
            sub = getattr(model, part, None)
            if isinstance(sub, type) and issubclass(sub, model.Model) and sub is not cls:
                names |= _keys(sub)
    return names


NAMES |= _keys(model.Evaluation)
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def english_words(text: str, *paths: Path) -> set[str]:
    for path in paths:  # file and folder names are the user's own
        text = text.replace(str(path), "")
    text = re.sub(r"--?[a-z][a-z-]*", "", text)  # option names
    text = re.sub(r"[\w-]+\.md\b", "", text)  # the documents, by their file names
    text = re.sub(r"[\w/\[\]]+\.(?:xml|rels)\b", "", text)  # the parts of a file, by their names
    text = re.sub(r"\[[^\]]*\]", "", text)  # key paths: [indicators[0].wieght]
    text = re.sub(r"“[^”]*”|\"[^\"]*\"|'[^']*'", "", text)  # what the user typed, quoted back
    words = set()
    for word in WORD.findall(text):
        if word not in NAMES and not any(part in NAMES for part in word.split("_")):
            words.add(word)
    return words


def run(args: list[str], capsys) -> str:
    try:
        main(args)
    except SystemExit:
        pass
    out = capsys.readouterr()
    return out.out + out.err


def test_every_help_is_chinese(capsys):
    for args in [["-h"], *([c, "-h"] for c in COMMANDS)]:
        text = run(args, capsys)
        assert text.strip(), args
        assert english_words(text) == set(), (args, text)


WRONG = [[], ["scor"], ["score"], ["score", "--bogus", "x.yaml"], ["new", "x", "--unit", "a", "--year", "abc"],
         ["templates", "lst"], ["render"], ["serve", "--port", "abc"], ["rescore"], ["workbook", "--targets"],
         ["new", "henan_project"]]


@pytest.mark.parametrize("args", WRONG, ids=[" ".join(a) or "nothing" for a in WRONG])
def test_a_wrong_invocation_is_answered_in_chinese(args, capsys):
    text = run(args, capsys)
    assert text.strip()
    assert english_words(text) == set(), text


def _bad_inputs(folder: Path) -> list[tuple[list[str], tuple[Path, ...]]]:
    import docx

    project = EXAMPLES / "安阳北关区医保局_2022_慢性病专家鉴定费.yaml"
    yaml_syntax = folder / "格式错误.yaml"
    yaml_syntax.write_text("kind: project\nunit: 某单位: 多余的冒号\n", encoding="utf-8")
    typo = folder / "拼错的键.yaml"
    typo.write_text(project.read_text(encoding="utf-8").replace("weight:", "wieght:", 1), encoding="utf-8")
    gbk = folder / "编码.yaml"
    gbk.write_bytes(project.read_text(encoding="utf-8").encode("gbk", errors="replace"))
    word = folder / "表格.docx"
    document = docx.Document()
    document.add_paragraph("自评表")
    document.save(str(word))
    template = folder / "模板.docx"
    document = docx.Document()
    document.add_paragraph("{{ unti }}")
    document.save(str(template))
    unclosed = folder / "未闭合.docx"
    document = docx.Document()
    document.add_paragraph("{% for r in indicators %}{{ r.level3 }}")
    document.save(str(unclosed))
    broken = folder / "坏的.xlsx"
    broken.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    empty = folder / "空文件夹"
    empty.mkdir()
    targets = EXAMPLES / "target_tables" / "焦作市医疗保障局_2023_项目绩效目标表.xlsx"
    out = folder / "输出"
    return [
        (["score", str(yaml_syntax)], (yaml_syntax,)), (["score", str(typo)], (typo,)),
        (["score", str(gbk)], (gbk,)), (["score", str(word)], (word,)), (["score", str(broken)], (broken,)),
        (["score", str(folder / "没有.yaml")], (folder,)), (["score", str(empty)], (empty,)),
        (["score", str(targets)], (targets,)),
        (["render", str(project), "-o", str(out), "--template", str(template)], (project, out, template)),
        (["render", str(project), "-o", str(out), "--template", str(unclosed)], (project, out, unclosed)),
        (["new", "不存在的模板", "--unit", "某单位", "--year", "2022"], ()),
        (["workbook", "--targets", str(targets), "--template", "henan_project", "-o", str(out / "x.xlsx")],
         (targets, out)),
        (["rescore", str(project), "--review", str(word), "-o", str(out)], (project, word, out)),
    ]


def test_a_bad_input_is_answered_in_chinese(tmp_path, capsys):
    for args, paths in _bad_inputs(tmp_path):
        text = run(args, capsys)
        assert text.strip(), args
        assert english_words(text, *paths, tmp_path) == set(), (args, text)


def test_output_on_a_gbk_console_never_crashes():
    """A Windows console with the GBK code page: characters it lacks (the minus sign of a
    negative deviation) are replaced, not a UnicodeEncodeError."""
    import os
    import subprocess
    import sys

    ROOT = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-m", "scoring.cli", "score",
                           str(EXAMPLES / "安阳北关区医保局_2022_部门整体.yaml")],
                          capture_output=True, env={**os.environ, "PYTHONIOENCODING": "gbk", "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr.decode("gbk", errors="replace")
    text = done.stdout.decode("gbk")
    assert "总分 98.89（分值合计 100），等级：优" in text and "-5.56" in text


def test_the_documents_ship_with_the_program(capsys):
    assert main(["docs"]) == 0
    out = capsys.readouterr().out
    folder = Path(out.splitlines()[0].split("：", 1)[1])
    for name in ("evaluation-file.md", "scoring.md", "templates.md", "render.md", "review.md"):
        assert (folder / name).is_file() and name in out
