"""The plain, frozen data every stage passes on.

A page flows through the stages as values, never mutated:

``str`` → :class:`Block` (segment) → :class:`Unit` (copies) → :class:`Paragraph`
(rejoin) → :class:`Article` (articles, tidy) → :class:`PageResult`.

Each stage also returns :class:`Decision` records, so the result can say what happened to
every input block.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Block kinds, as ``segment`` classifies them.
KINDS = ("kicker", "heading", "body", "marker", "empty")


@dataclass(frozen=True)
class Block:
    """One fragment of the page as printed: a run of lines between blank lines.

    ``start``/``end`` are offsets into the page text after repair (``PageResult.text``:
    decoded, ftfy-fixed, line separators unified), so ``text[start:end]`` is the raw block. ``text`` is its reading with hard line wraps joined. ``kind`` is one of
    :data:`KINDS`. A kicker carries its ``region`` ("单县" of "单县:…") and the rest of its
    line as ``text``; a marker carries ``marker`` = ``"from"`` (上接…, Continued from …)
    or ``"to"`` (下转…, Continued on …).
    """

    index: int
    start: int
    end: int
    text: str
    kind: str
    region: str | None = None
    marker: str | None = None


@dataclass(frozen=True)
class Unit:
    """A kept block and the copies of it that were dropped in its favour."""

    block: int
    text: str
    kind: str
    copies: tuple[int, ...] = ()

    @property
    def occurrences(self) -> tuple[int, ...]:
        """Every block index where this text was printed, in page order."""
        return tuple(sorted((self.block, *self.copies)))


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of the output: one unit, or several joined across cuts.

    ``starts`` gives, for each of ``blocks``, the offset in ``text`` where its part
    begins (empty when not known, e.g. for a paragraph built by hand).
    """

    text: str
    blocks: tuple[int, ...]
    kind: str = "body"
    starts: tuple[int, ...] = ()

    def block_at(self, offset: int) -> int:
        """The block whose part of the text holds character ``offset``."""
        if len(self.starts) == len(self.blocks):
            found = self.blocks[0]
            for block, start in zip(self.blocks, self.starts):
                if start <= offset:
                    found = block
            return found
        share = offset / max(1, len(self.text))
        return self.blocks[min(len(self.blocks) - 1, int(share * len(self.blocks)))]


@dataclass(frozen=True)
class Article:
    """One clean article: a title, its region, its paragraphs in reading order."""

    region: str
    title: str
    paragraphs: tuple[Paragraph, ...]
    title_blocks: tuple[int, ...] = ()
    lang: str = "zh"

    @property
    def blocks(self) -> tuple[int, ...]:
        """The kept blocks this article was built from, in reading order."""
        out = list(self.title_blocks)
        for p in self.paragraphs:
            out.extend(p.blocks)
        return tuple(out)


@dataclass(frozen=True)
class Decision:
    """What one stage decided about one block.

    ``action`` is a short slug (``kept``, ``copy``, ``joined``, ``marker``, ``empty``,
    ``trimmed``, ``moved``, ``title`` …); ``other`` names the block it relates to (the
    kept block a copy repeats, the block a cut head was joined with); ``score`` is the
    evidence (similarity, containment, join score); ``detail`` says why in words.
    """

    stage: str
    block: int
    action: str
    detail: str = ""
    other: int | None = None
    score: float | None = None
    article: str | None = None


@dataclass(frozen=True)
class PageResult:
    """Everything ``clean_text`` knows about one page."""

    text: str
    lang: str
    blocks: tuple[Block, ...]
    articles: tuple[Article, ...]
    decisions: tuple[Decision, ...]
    source: str = ""
    encoding: str | None = None
    repairs: tuple[str, ...] = field(default=())

    def fate(self, index: int) -> tuple[Decision, ...]:
        """Every decision taken about block ``index``, in stage order."""
        return tuple(d for d in self.decisions if d.block == index)
