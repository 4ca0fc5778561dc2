"""Test settings shared by every test file.

Hypothesis runs derandomized by default, so that the suite gives the same answer on
every machine and a strict xfail stays strict. ``HYPOTHESIS_PROFILE=explore`` draws fresh
random examples, ten times as many (see ``budget`` in test_properties.py), to look for
new failures; pin what it finds with ``@example`` in the test.
"""
from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
