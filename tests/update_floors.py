"""Raise the quality floors in tests/quality_floors.json to the current scores.

    python tests/update_floors.py                 # raise floors that the scores now beat
    python tests/update_floors.py --dry-run       # only show what would change
    python tests/update_floors.py --allow-lower   # also lower floors (say why in the commit)

A new floor is the current score rounded *down* to two decimals, so that noise in the
third decimal never fails the gate. A floor only moves up unless ``--allow-lower`` is
given: a change that lowers quality has to say so explicitly.

    >>> new_floors({"a": 0.5, "b": 0.9}, {"a": 0.6789, "b": 0.85}, allow_lower=False)
    {'a': 0.67, 'b': 0.9}
    >>> new_floors({"a": 0.5, "b": 0.9}, {"a": 0.6789, "b": 0.85}, allow_lower=True)
    {'a': 0.67, 'b': 0.85}
"""
from __future__ import annotations

import argparse
import math
import sys


def round_down(value: float, places: int = 2) -> float:
    """``value`` rounded down to ``places`` decimals.

    >>> round_down(0.9974), round_down(0.87), round_down(1.0)
    (0.99, 0.87, 1.0)
    """
    scale = 10 ** places
    # the small epsilon keeps 0.87 (stored as 0.8699999…) at 0.87
    return math.floor(value * scale + 1e-9) / scale


def new_floors(old: dict[str, float], scores: dict[str, float], *, allow_lower: bool) -> dict[str, float]:
    """The floors after an update: each score rounded down, never below the old floor
    unless ``allow_lower``."""
    out = {}
    for name, score in scores.items():
        candidate = round_down(score)
        previous = old.get(name)
        out[name] = candidate if previous is None or allow_lower else max(previous, candidate)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--allow-lower", action="store_true", help="also lower floors to the current scores")
    parser.add_argument("--dry-run", action="store_true", help="show the changes, write nothing")
    args = parser.parse_args(argv)

    import quality  # imported here so that the doctests above need no pipeline run

    old = quality.read_floors() if quality.FLOORS.exists() else {}
    scores = quality.measure()
    floors = new_floors(old, scores, allow_lower=args.allow_lower)
    for name in quality.NAMES:
        before = old.get(name)
        mark = "" if before == floors[name] else "  (was {})".format(before)
        print(f"{name}: score {scores[name]:.4f}, floor {floors[name]:.2f}{mark}")
        if before is not None and floors[name] > scores[name]:
            print(f"  note: {name} is below its floor; the quality gate fails until it recovers "
                  "(or rerun with --allow-lower)", file=sys.stderr)
    if not args.dry_run:
        quality.write_floors(floors)
        print(f"wrote {quality.FLOORS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
