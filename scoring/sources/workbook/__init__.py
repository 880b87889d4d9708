"""Workbooks (.xlsx, .xls, .ods) → evaluations."""
