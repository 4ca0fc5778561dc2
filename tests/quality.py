"""The figures the quality gate pins: cleaner's scores on the sample and on simulated pages.

Three numbers, each a mean f1 from ``tests/scoring.py`` (the project's own copy of the
evaluation kit's metric, so nothing here reads outside the repository):

- ``sample_mean_f1``: ``samples/heze_page.txt`` against ``tests/gold/heze_page.gold.json``
  (a copy of the hand-assembled reference of the evaluation kit);
- ``sim_zh_mean_f1`` / ``sim_en_mean_f1``: the mean, over ``SIM_PAGES`` pages from
  ``damage.generate_pages(lang, SIM_PAGES, seed=SIM_SEED)``, of each page's mean f1.

``tests/quality_floors.json`` holds a floor for each; ``test_quality_gate.py`` fails when
a score drops below its floor and ``update_floors.py`` raises the floors.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import damage
import scoring

from cleaner import PageResult, clean_text
from cleaner.render import article_record

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
SAMPLE = ROOT / "samples" / "heze_page.txt"
SAMPLE_GOLD = TESTS / "gold" / "heze_page.gold.json"
FLOORS = TESTS / "quality_floors.json"

SIM_PAGES = 30
SIM_SEED = 0
NAMES = ("sample_mean_f1", "sim_zh_mean_f1", "sim_en_mean_f1")


def records(result: PageResult) -> list[dict]:
    """The page's articles as the JSON records ``cleaner clean --format jsonl`` prints."""
    return [article_record(a, result, n) for n, a in enumerate(result.articles)]


def score_page(text: str, gold: dict) -> dict:
    """Clean one page and score its articles against ``gold``."""
    return scoring.score(gold, records(clean_text(text)))


def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


def sample_gold() -> dict:
    return json.loads(SAMPLE_GOLD.read_text(encoding="utf-8"))


@lru_cache(maxsize=None)
def sample_report() -> dict:
    """The scorer's full report for the sample (cached: several tests read it)."""
    return score_page(sample_text(), sample_gold())


@lru_cache(maxsize=None)
def sim_reports(lang: str) -> tuple[dict, ...]:
    """The scorer's report for each simulated page of ``lang``."""
    pages = damage.generate_pages(lang, SIM_PAGES, seed=SIM_SEED)
    return tuple(score_page(page.text, page.gold) for page in pages)


def sim_mean_f1(lang: str) -> float:
    reports = sim_reports(lang)
    return round(sum(r["mean_f1"] for r in reports) / len(reports), 4)


def measure() -> dict[str, float]:
    """The current value of every gated figure."""
    return {
        "sample_mean_f1": sample_report()["mean_f1"],
        "sim_zh_mean_f1": sim_mean_f1("zh"),
        "sim_en_mean_f1": sim_mean_f1("en"),
    }


def read_floors(path: Path = FLOORS) -> dict[str, float]:
    return json.loads(path.read_text(encoding="utf-8"))


def write_floors(floors: dict[str, float], path: Path = FLOORS) -> None:
    path.write_text(json.dumps({name: floors[name] for name in NAMES}, indent=2) + "\n", encoding="utf-8")
