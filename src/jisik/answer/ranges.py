"""Bracket rows: "3년 이상 5년 미만", "만 40세 이상", "30만 원 이하".

HR and public documents put their rules in tables of brackets (years of
service, age, amount). "근속 6년이면 연차 며칠?" names none of the bracket's
numbers, so words alone cannot tell the row for 5–7 years from its neighbours;
the number the question gives, compared with each row's bracket, can.
"""

from __future__ import annotations

import re

_UNITS = r"년|개월|세|살|일|시간|명|만\s*원|원|%"
_VALUE = rf"(\d+(?:\.\d+)?)\s*({_UNITS})"
_BOUND = re.compile(rf"{_VALUE}\s*(이상|초과|이하|미만)")
_ASKED = re.compile(rf"(?<![\d.]){_VALUE}")


def _unit(text: str) -> str:
    unit = "".join(text.split())
    return "세" if unit == "살" else unit  # 40살 is 40세


def asked_numbers(question: str) -> list[tuple[float, str]]:
    """Numbers with a unit in the question ("6년", "40세")."""
    return [(float(m.group(1)), _unit(m.group(2))) for m in _ASKED.finditer(question)]


def bracket_fit(asked: list[tuple[float, str]], sentence: str) -> bool | None:
    """True when the sentence states a bracket (one or two bounds in one unit) that
    holds a number the question gives, False when it states brackets of that unit
    and none holds it, None when it states no bracket in the question's units."""
    if not asked:
        return None
    bounds = [(float(m.group(1)), _unit(m.group(2)), m.group(3)) for m in _BOUND.finditer(sentence)]
    verdict = None
    for value, unit in asked:
        mine = [(v, op) for v, u, op in bounds if u == unit]
        if not mine:
            continue
        if all(_holds(value, v, op) for v, op in mine):
            return True
        verdict = False
    return verdict


def _holds(value: float, bound: float, op: str) -> bool:
    return {
        "이상": value >= bound,
        "초과": value > bound,
        "이하": value <= bound,
        "미만": value < bound,
    }[op]
