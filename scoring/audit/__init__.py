"""Auditing submitted tables: read them from Word, spreadsheets and PDF, recompute, list what is wrong.

`jixiao audit` reads every self-evaluation table it finds in a file
(`sources/document/` for Word and PDF, the free-form spreadsheet reader for
workbooks), scores each with the engine in the settings that fit the print
(`settings`: rounding read from the printed digits, a province's layout), and
turns every printed number that disagrees into a `Finding` (`findings`); the
scores the narrative states are matched to their tables (`narrative`).
`audit` strings this together per file and folder; `opinion` writes the
审核意见.docx and `summary` the 审核汇总.xlsx.
"""
