"""Labelled test cases kept as data in tests/cases/<name>.json (the ftfy way).

Each file is a JSON list of cases::

    {"label": "short id", "comment": "why this case matters",
     "input": ..., "expect": ..., "xfail": "reason (only for a known bug)"}

``cases(name)`` turns them into ``pytest.param`` objects named by label; a case with an
``xfail`` reason is a known failure, marked ``xfail(strict=True)`` so that it is noticed
the day it starts to pass.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = Path(__file__).resolve().parent / "cases"
FIELDS = {"label", "comment", "input", "expect"}


def cases(name: str) -> list:
    """The cases of tests/cases/<name>.json as pytest parameters ``(input, expect)``."""
    with open(CASES / f"{name}.json", encoding="utf-8") as handle:
        data = json.load(handle)
    params = []
    for case in data:
        missing = FIELDS - set(case)
        if missing:
            raise ValueError(f"{name}.json: case {case.get('label', '?')!r} lacks {sorted(missing)}")
        marks = [pytest.mark.xfail(strict=True, reason=case["xfail"])] if case.get("xfail") else []
        params.append(pytest.param(case["input"], case["expect"], id=case["label"], marks=marks))
    labels = [p.id for p in params]
    duplicates = sorted({x for x in labels if labels.count(x) > 1})
    if duplicates:
        raise ValueError(f"{name}.json: labels used twice: {duplicates}")
    return params
