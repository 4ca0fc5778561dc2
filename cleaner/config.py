"""One frozen configuration; each default is written next to the reason for it."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from .errors import ConfigError


@dataclass(frozen=True)
class Config:
    """Options of the cleaning pipeline.

    - ``lang`` = ``"auto"``: decide per page from the script of its letters; "zh" (any
      CJK text: character shingles, no spaces between lines) or "en" (any space-separated
      text: word shingles, hyphenation repair).
    - ``num_perm`` = 128: MinHash permutations. The error of a Jaccard estimate is about
      1/sqrt(num_perm) ≈ 0.09; candidates are verified exactly afterwards, so MinHash only
      has to find them.
    - ``lsh_threshold`` = 0.3: the Jaccard level LSH is tuned for. It is low on purpose:
      near-copies with a few changed characters keep only ~40 % of their 5-grams, and
      exact verification removes the false candidates LSH lets through.
    - ``shingle_cjk`` = 5 / ``shingle_words`` = 3: character 5-grams for CJK, word 3-grams
      for space-separated text; short fragments fall back to their whole key.
    - ``containment`` = 0.8: a block is a cut-down copy of another when at least this
      share of its shingles lies inside the other (checked in both directions).
    - ``near_copy`` = 0.75: two blocks of similar length whose normalised edit similarity
      (rapidfuzz Indel) reaches this are readings of the same block; the sample's
      "配强工作力量。理顺党建…" / "配强工作力量。配强综合…" pair scores 0.76, while distinct
      paragraphs of the same genre stay below 0.6.
    - ``splice`` = 0.5: a block at least half inside one kept block and the rest inside
      others is a spliced copy ("近年来,…" + another block's body).
    - ``max_bytes`` = 50 MB: refuse larger inputs with a clear message instead of
      exhausting memory; a newspaper page is rarely above 200 KB.
    - ``max_page_bytes`` = 10 MB: refuse a single page above this (a file or dump may hold
      many pages, up to ``max_bytes``). Time and memory grow linearly with a page, but
      steeply: up to about 2.5 s of CPU and 120 MB per MB of dense running text
      (README, "Guarantees and limits"), so a 10 MB page may take some 25 s and
      1.2 GB; a newspaper page is rarely above 200 KB.
    - ``max_blocks`` = 100,000: refuse a page of more blocks (runs of lines between blank
      lines). Every stage is about linear in blocks, but a block costs about 0.1-0.4 ms
      and 8 KB: a page of 50,000 tiny blocks takes 3–10 s of CPU and up to 0.4 GB (README,
      "Guarantees and limits"), while a newspaper page has a few hundred.
    - ``max_placements`` = 2,000,000: refuse a page whose paragraphs × articles exceed
      this. Placing the paragraphs weighs each one against every article, so time and
      memory grow with that product: 1,800 paragraphs × 600 articles (1,080,000) take
      about 3 s. A newspaper page is about 200 × 10; a page of 1,000 articles is a whole
      issue that lost its page breaks.
    """

    lang: str = "auto"
    num_perm: int = 128
    lsh_threshold: float = 0.3
    shingle_cjk: int = 5
    shingle_words: int = 3
    containment: float = 0.8
    near_copy: float = 0.75
    splice: float = 0.5
    max_bytes: int = 50_000_000
    max_page_bytes: int = 10_000_000
    max_blocks: int = 100_000
    max_placements: int = 2_000_000

    def __post_init__(self) -> None:
        if self.lang not in ("auto", "zh", "en"):
            raise ConfigError(f"unknown language {self.lang!r}: use auto, zh or en")
        if not 16 <= self.num_perm <= 1024:
            raise ConfigError(f"num_perm={self.num_perm} is out of range: use 16 to 1024 (128 is the default)")
        for name in ("lsh_threshold", "containment", "near_copy", "splice"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name}={value} must lie in (0, 1]")
        if self.shingle_cjk < 1 or self.shingle_words < 1:
            raise ConfigError("shingle sizes must be at least 1")
        for name in ("max_bytes", "max_page_bytes", "max_blocks", "max_placements"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be positive")

    def updated(self, **changes) -> "Config":
        """A copy with ``changes`` applied; unknown names raise :class:`ConfigError`."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise ConfigError(f"unknown option(s) {', '.join(unknown)}: known are {', '.join(sorted(known))}")
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    def as_dict(self) -> dict:
        return {f.name: getattr(self, f.name) for f in fields(self)}


DEFAULT = Config()
