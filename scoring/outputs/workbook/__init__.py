"""The finance staff's spreadsheet: one .xlsx for a whole unit, ready to fill in.

`write_workbook` lays out each evaluation (from a template, from evaluation
files, or from an imported target table) like the official self-evaluation
table: header facts, funds block, 资金管理情况, goals (and tasks), the indicator
tree, 总分. Structure, targets and weights are locked; the cells a unit fills
in are open, yellow, with drop-down lists where a list fits and an input
prompt saying what to type. A 填表说明 sheet comes first.

The sheet is meant to be read back by `scoring.sources.workbook.reader`, which
finds every block by its labels, so the layout may change between versions and
users may insert rows or rename sheets. A hidden cell (column after the last,
row 1) holds what the sheet does not show: kind, template, rounding, settings,
the weights of the groups whose rows the unit writes and the hints left in
cells, as JSON under the key ``jixiao`` (the layout version). Scoring rules,
where rows have them, sit in a hidden 评分规则 column, so they move with their
rows. Each 二级 whose rows the unit writes has empty open rows for them, and
the protection lets a unit insert more rows (not delete any).

Modules: `writer` (the workbook, its sheets' order and titles), `instructions`
(the 填表说明 sheet), `sheet` (one evaluation's sheet), `blocks` and
`indicators` (its parts), `groups` (the room for the unit's own rows, group
weights, hints), `cells` (its columns and styled cells).
"""

from scoring.outputs.workbook.writer import build_workbook, sheet_title, write_workbook

__all__ = ["build_workbook", "sheet_title", "write_workbook"]
