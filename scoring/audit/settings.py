"""The settings a printed table is judged in: its own rounding, read from its digits.

A table printed in whole points was computed in whole points, rounded half up or
down; one printed with one decimal, at one decimal. So the table's precision is
the most decimals any of its printed scores shows (row scores, the funds score,
the total), and the audit scores it at that precision and every coarser one (a
single mistyped 11.5 in a whole-point table must not make it a one-decimal table),
in each rounding mode, and keeps the reading with the fewest findings (the finest
precision, then half up, when readings tie). A
funds block printed with no 全年预算数 is judged against 年初预算数 as well. A
template (`--template`) or explicit rounding options replace the guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from scoring.core.model import Evaluation, Rounding
from scoring.sources.templates import require_template

MODES = {"half_up": "四舍五入", "floor": "向下舍去"}


@dataclass(frozen=True, slots=True)
class Options:
    """What the user fixed; None: read from the print."""

    template: str | None = None
    precision: int | None = None
    mode: str | None = None


@dataclass(frozen=True, slots=True)
class Reading:
    evaluation: Evaluation
    assumed: str  # in Chinese, for the audit's documents


def _decimals(value: Decimal | None) -> int | None:
    if value is None:
        return None
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else None


def printed_precision(ev: Evaluation) -> int | None:
    """The most decimals a printed score of the table shows (at most 2); None when none is printed."""
    found = [_decimals(ind.printed_score) for ind in ev.indicators]
    found.append(_decimals(ev.printed_total))
    if ev.funding is not None:
        found.append(_decimals(ev.funding.printed_score))
    found = [d for d in found if d is not None]
    return min(max(found), 2) if found else None


def readings(ev: Evaluation, options: Options) -> list[Reading]:
    """The evaluations to score the table as, most likely first."""
    settings, base = ev.settings, ev.rounding
    named = ""
    if options.template:
        template = require_template(options.template)
        settings, base = template.settings, template.rounding
        named = f"模板 {template.name}（{template.title}）；"
    if options.precision is not None or options.mode is not None:
        rounding = base.model_copy(update={k: v for k, v in (("precision", options.precision),
                                                              ("mode", options.mode)) if v is not None})
        roundings = [(rounding, "按指定的舍入方式")]
    elif options.template:
        roundings = [(base, "按模板的舍入方式")]
    else:
        places = printed_precision(ev)
        if places is None:
            roundings = [(base, "表中未印得分，按默认舍入")]
        else:  # the print's own precision first; coarser ones too, as one mistyped decimal must not decide
            roundings = [(Rounding(precision=p, mode=mode), "按表中印刷的小数位数推定")
                         for p in range(places, -1, -1) for mode in MODES]
    bases = [settings]
    f = ev.funding
    if not options.template and f is not None and f.annual_budget is None and f.initial_budget and \
            settings.funding_rate_base != "initial":
        bases.append(settings.model_copy(update={"funding_rate_base": "initial"}))
    found = []
    for rounding, why in roundings:
        for s in bases:
            text = f"{named}得分保留{rounding.precision}位小数、{MODES[rounding.mode]}（{why}）"
            if s.funding_rate_base == "initial":
                text += "；执行率按年初预算数计算（表中无全年预算数）"
            found.append(Reading(ev.model_copy(update={"rounding": rounding, "settings": s}), text))
    return found

