"""The `jixiao` command.

    jixiao score FILE [--json]     score one evaluation file
    jixiao demo [-o DIR]           score the built-in samples and write the results
    jixiao templates list | show NAME | check FILE...
    jixiao new TEMPLATE --unit U --year Y [--project P] [-o FILE]
    jixiao import-targets TABLE.xlsx --template T [-o DIR]
    jixiao render INPUT... [-o DIR] [--template my.docx] [--workers N]
    jixiao review-sheet INPUT [-o FILE]
    jixiao rescore INPUT... [--review REVIEW...] -o DIR [--force]

Bad input exits 1 with messages that name the file, line and key; no traceback.
"""

from scoring.cli.entry import main
from scoring.cli.parser import build_parser

__all__ = ["build_parser", "main"]
