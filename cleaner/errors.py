"""Typed errors. The library raises these; only ``cli.py`` turns them into exit codes.

Every message says what was wrong and what to try next, in one line.
"""


class CleanerError(Exception):
    """Base class for everything ``cleaner`` raises on purpose."""

    exit_code = 1


class InputError(CleanerError):
    """An input could not be read or decoded."""


class EncodingError(InputError):
    """Bytes that no candidate encoding decodes into plausible text."""


class TooLargeError(InputError):
    """An input is larger than the configured ``max_bytes`` guard."""


class ConfigError(CleanerError):
    """An option or a config file has a value the pipeline cannot use."""

    exit_code = 2


class StoreError(CleanerError):
    """A persistent corpus index (``cleaner dedup --index``) cannot be opened or written."""


class IndexMismatchError(StoreError):
    """A corpus index was built with other settings; mixing them would give wrong clusters."""

    exit_code = 2


class SparkUnavailableError(CleanerError):
    """``--engine spark`` was asked for, but pyspark or a Java runtime is missing or cannot start."""
