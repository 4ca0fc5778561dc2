"""cleaner: damaged newspaper page dumps → one clean article per region.

>>> from cleaner import clean_text
>>> page = clean_text("ADAMS COUNTY: Budget adopted\\n\\nGETTYSBURG — The commissioners adopted the\\nbudget on Tuesday.")
>>> [(a.region, a.paragraphs[0].text) for a in page.articles]
[('ADAMS COUNTY', 'GETTYSBURG — The commissioners adopted the budget on Tuesday.')]
"""

__version__ = "0.1.0"

import logging as _logging  # noqa: E402

_logging.getLogger(__name__).addHandler(_logging.NullHandler())   # the library is silent; the CLI decides

from .config import DEFAULT, Config  # noqa: E402
from .errors import CleanerError, ConfigError, EncodingError, InputError, TooLargeError  # noqa: E402
from .pipeline import STAGES, clean_bytes, clean_text  # noqa: E402
from .types import Article, Block, Decision, PageResult, Paragraph, Unit  # noqa: E402

__all__ = [
    "Article", "Block", "CleanerError", "Config", "ConfigError", "DEFAULT", "Decision", "EncodingError",
    "InputError", "PageResult", "Paragraph", "STAGES", "TooLargeError", "Unit", "__version__",
    "clean_bytes", "clean_text",
]
