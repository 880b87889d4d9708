"""Filling in and editing a generated workbook with openpyxl, as a person or a spreadsheet
program would: used by the tests and by make_fixtures.py (which writes the corpus).

Cells are found by their labels, as a person finds them, never by fixed coordinates.
"""

from __future__ import annotations

from decimal import Decimal

from openpyxl.worksheet.worksheet import Worksheet

FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


def find(ws: Worksheet, text: str, start: int = 1) -> tuple[int, int]:
    """(row, column) of the first cell from row `start` whose value is `text`."""
    for row in ws.iter_rows(min_row=start):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.strip() == text:
                return cell.row, cell.column
    raise LookupError(f"{ws.title}: no cell {text!r}")


def columns(ws: Worksheet, row: int) -> dict[str, int]:
    """Labels of a header row → their columns."""
    return {c.value: c.column for c in ws[row] if isinstance(c.value, str)}


def block_rows(ws: Worksheet, header: int) -> list[int]:
    """The rows under a block header, up to the first blank row or the 总分 row."""
    rows = []
    r = header + 1
    while r <= ws.max_row and any(c.value not in (None, "") for c in ws[r]) and ws.cell(r, 1).value != "总分":
        rows.append(r)
        r += 1
    return rows


def indicator_rows(ws: Worksheet) -> tuple[dict[str, int], list[int]]:
    header, _ = find(ws, "三级指标")
    rows = []
    r = header + 1
    while ws.cell(r, 1).value != "总分":
        rows.append(r)
        r += 1
    return columns(ws, header), rows


def funds_total(ws: Worksheet) -> tuple[dict[str, int], int, list[int]]:
    """Funds header columns, the total row, the source rows."""
    header, _ = find(ws, "全年执行数")
    rows = block_rows(ws, header)
    return columns(ws, header), rows[0], rows[1:]


def insert_rows(ws: Worksheet, idx: int, amount: int = 1) -> None:
    """Insert rows as Excel does: merged ranges below move down, ranges across grow."""
    ranges = list(ws.merged_cells.ranges)
    for rng in ranges:
        ws.unmerge_cells(rng.coord)
    ws.insert_rows(idx, amount)
    for rng in ranges:
        if rng.min_row >= idx:
            rng.shift(row_shift=amount)
        elif rng.max_row >= idx:
            rng.expand(down=amount)
        ws.merge_cells(rng.coord)


def delete_rows(ws: Worksheet, idx: int, amount: int = 1) -> None:
    """Delete rows as Excel does (only rows outside merged ranges, here)."""
    ranges = list(ws.merged_cells.ranges)
    for rng in ranges:
        ws.unmerge_cells(rng.coord)
    ws.delete_rows(idx, amount)
    for rng in ranges:
        if rng.min_row > idx:
            rng.shift(row_shift=-amount)
        ws.merge_cells(rng.coord)


def messy_number(value, k: int):
    """A number as people type it: as a number, as text, full-width, with 万元 or spaces."""
    text = format(Decimal(str(value)), "f")
    forms = (
        lambda: float(Decimal(text)),
        lambda: text,
        lambda: f"\u3000{text.translate(FULL_WIDTH)}\u3000",
        lambda: f"{Decimal(text):,}万元" if Decimal(text) >= 1000 else f" {text} 万元",
    )
    return forms[k % len(forms)]()


def put_actual(cell, actual: str, k: int) -> None:
    """An actual as people and programs leave it: a percent cell holding 0.85, full-width
    text, ideographic spaces, a bare number."""
    text = str(actual)
    if text.endswith("%") and text[:-1].replace(".", "", 1).isdigit():
        form = k % 4
        if form == 0:
            cell.value = float(Decimal(text[:-1]) / 100)
            cell.number_format = "0%" if "." not in text else "0.00%"
            return
        if form == 1:
            cell.value = text.translate(FULL_WIDTH)
            return
        if form == 2:
            cell.value = f"\u3000{text[:-1]} %"
            return
    elif text.isdigit() and k % 2:
        cell.value = int(text)
        return
    cell.value = f"{text}\u3000" if k % 3 == 0 else text.translate(FULL_WIDTH)


def fill(ws: Worksheet, data: dict, messy: bool = True) -> None:
    """Fill every cell a unit fills in from an evaluation's data."""
    k = 0
    funding = data.get("funding")
    if funding:
        cols, total, sources = funds_total(ws)
        for key, label in (("annual_budget", "全年预算数"), ("executed", "全年执行数")):
            value = funding.get(key)
            if value is not None:
                ws.cell(total, cols[label]).value = messy_number(value, k) if messy else float(value)
                k += 1
        for r, source in zip(sources, funding.get("sources") or []):
            for key, label in (("initial_budget", "年初预算数"), ("annual_budget", "全年预算数"),
                               ("executed", "全年执行数")):
                if source.get(key) is not None:
                    ws.cell(r, cols[label]).value = messy_number(source[key], k) if messy else float(source[key])
                    k += 1
    if data.get("funds_management"):
        header, _ = find(ws, "资金管理情况")
        cols = columns(ws, header)
        for r, row in zip(block_rows(ws, header), data["funds_management"]):
            ws.cell(r, cols["情况说明"]).value = row.get("description")
            score = row.get("score")
            ws.cell(r, cols["得分"]).value = (str(score).translate(FULL_WIDTH) if k % 2 else float(score)) if messy else score
            ws.cell(r, cols["存在问题和改进措施"]).value = f"\u3000{row.get('problems', '')}" if messy else row.get("problems")
            k += 1
    for label, key, items, value_key in (("预期目标", "goals", data.get("goals"), "actual"),
                                         ("主要内容", "tasks", data.get("tasks"), "result")):
        if not items:
            continue
        header, _ = find(ws, label)
        cols = columns(ws, header)
        result_col = cols["实际完成情况" if key == "goals" else "完成情况"]
        for r, item in zip(block_rows(ws, header), items):
            ws.cell(r, result_col).value = item.get(value_key) or None
    cols, rows = indicator_rows(ws)
    for r, ind in zip(rows, data["indicators"]):
        if ind.get("actual") is not None:
            if messy:
                put_actual(ws.cell(r, cols["实际完成值"]), ind["actual"], k)
            else:
                ws.cell(r, cols["实际完成值"]).value = str(ind["actual"])
        if ind.get("reason"):
            ws.cell(r, cols["偏差原因分析及改进措施"]).value = f"{ind['reason']}\u3000" if messy else ind["reason"]
        if ind.get("score") is not None:
            ws.cell(r, cols["判定得分"]).value = str(ind["score"]).translate(FULL_WIDTH) if messy else float(ind["score"])
        k += 1


def blank_fill_ins(data: dict) -> dict:
    """The evaluation as a template or a target table leaves it: fill-in values empty."""
    import copy

    data = copy.deepcopy(data)
    funding = data.get("funding")
    if funding:
        funding["annual_budget"] = funding["executed"] = None
        for key in ("printed_rate", "printed_score"):
            funding.pop(key, None)
        funding["sources"] = [{"name": s["name"]} for s in funding.get("sources") or []]
    for row in data.get("funds_management") or []:
        row.update(score=None, description="", problems="")
    for goal in data.get("goals") or []:
        goal["actual"] = ""
    for task in data.get("tasks") or []:
        task["result"] = ""
    for ind in data["indicators"]:
        ind.update(actual=None, reason="")
        for key in ("score", "printed_score", "printed_deviation"):
            ind.pop(key, None)
    data.pop("printed_total", None)
    return data
