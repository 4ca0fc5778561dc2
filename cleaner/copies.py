"""Copies → units: find every block printed more than once and keep its best reading.

Candidates come from three cheap sources: identical keys, MinHash/LSH over whole-block
shingles (near-copies), and an index of sentence keys and of sentence-start and
sentence-end windows (cut-down copies, whose Jaccard with the original is low but whose
sentences are the original's). Each candidate pair is then verified exactly on shingle
sets — Jaccard and containment in both directions — and on edit similarity.

Blocks are visited best-first (not spliced, not borrowing, longest, most often printed,
complete, then earliest) and each is kept unless a kept block already carries its text.
A reading *borrows* when it differs from a near-copy by a short phrase that is printed
elsewhere on the page while the other reading's phrase is not: the damaged copy took it
from a neighbour ("配强综合阵地工作力量" for "理顺党建综合阵地工作体系"):

- ``contained``: at least ``containment`` of its shingles lie in the kept block;
- ``near-copy``: similar length and edit similarity at least ``near_copy``;
- ``spliced``: at least ``splice`` inside the kept block and the rest inside other
  blocks ("近年来,…" lede start + another block's body).

Two blocks that each name a place the other does not (a kicker region, or the place a
lede names: "曹县", "Adams County") are never copies of each other, so boilerplate such
as "下一步,曹县将继续…" / "下一步,巨野县将继续…" stays in both articles.
A kept block that ends in an unfinished sentence already printed in full elsewhere has
that tail trimmed ("比如,唐庙镇…流转土地1万亩,每").
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import Indel, Levenshtein

from . import fingerprint
from .config import Config
from .languages import Language, ends_sentence, reads_as_lede, sentences
from .normalise import key, key_length, shingles
from .places import place_named
from .types import Block, Decision, Paragraph, Unit

STAGE = "copies"
TEXT_KINDS = ("body", "heading", "kicker")
#: Candidates verified per block: a block with more keeps the ones printed nearest it. On
#: the sample and 600 simulated pages no block has more than 5; on a page of thousands of
#: near-identical lines each has hundreds, and verifying them all made the stage quadratic
#: in practice (issue 4).
MAX_PARTNERS = 32


@dataclass(frozen=True, slots=True)      # slots: a page can hold a million of these (issue 4)
class Evidence:
    """How block ``a`` relates to block ``b``."""

    jaccard: float
    a_in_b: float
    b_in_a: float
    similarity: float


def block_text(block: Block) -> str:
    """What a block says, kicker label included."""
    if block.kind == "kicker":
        return f"{block.region}:{block.text}" if block.text else f"{block.region}:"
    return block.text


def _min_piece(lang: Language) -> int:
    return 5 if lang.spaced else 10


def _windows(piece_key: str, lang: Language) -> tuple[str, str]:
    if lang.spaced:
        words = piece_key.split(" ")
        return " ".join(words[:5]), " ".join(words[-5:])
    return piece_key[:10], piece_key[-10:]


def find_regions(blocks: tuple[Block, ...], lang: Language) -> frozenset[str]:
    """Places this page names for its articles, as matching keys: kicker regions, and the
    place each lede-like paragraph names ("近年来,山东省菏泽市曹县…" → 曹县)."""
    names = {key(b.region, lang) for b in blocks if b.kind == "kicker" and b.region}
    for b in blocks:
        if b.kind == "body" and reads_as_lede(b.text, lang):
            place = place_named(b.text, "", lang)
            if place and key_length(key(place, lang), lang) >= 2:
                names.add(key(place, lang))
    return frozenset(n for n in names if n)


def _regions_in(k: str, regions: frozenset[str]) -> frozenset[str]:
    if len(regions) <= 32:
        return frozenset(r for r in regions if r and r in k)
    # a page naming thousands of regions (a kicker per line): look each window of the
    # key up instead of searching the key for every region, which was quadratic (issue 4)
    return frozenset(k[i:i + n] for n, names in _by_length(regions) for i in range(len(k) - n + 1)
                     if k[i:i + n] in names)


@lru_cache(maxsize=8)
def _by_length(regions: frozenset[str]) -> tuple[tuple[int, frozenset[str]], ...]:
    """Non-empty region names grouped by length."""
    lengths = sorted({len(r) for r in regions if r})
    return tuple((n, frozenset(r for r in regions if len(r) == n)) for n in lengths)


def _fragment(text: str, lang: Language) -> bool:
    """A piece of running text no sentence opens with: a lower-case start, or one of the
    language's continuations ("rates and decisions.", "的生命线。"). A short one that is the
    end of a longer block is a cut-down copy of that block's end."""
    opening = text.lstrip("\"'“‘( ")
    if lang.spaced:
        return opening[:1].islower()
    return lang.continues is not None and bool(lang.continues.match(opening))


def _ends(short: str, long: str, lang: Language) -> bool:
    """Is ``short`` the end of ``long``, on a word boundary for spaced text? (Not its
    opening: an opening fragment may be the middle link of a paragraph cut twice.)"""
    if len(short) >= len(long):
        return False
    return long.endswith(" " + short) if lang.spaced else long.endswith(short)


def _one_word_headings(groups: list[list[Block]], keys: list[str], lang: Language) -> set[tuple[int, int]]:
    """Candidate pairs of a one-word heading and the headings opening or ending with that
    word: "Township", a cut-down copy of "Township concerns" (too short for the other
    indexes)."""
    if not lang.spaced:
        return set()
    by_word: dict[str, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        if group[0].kind == "heading" and " " in keys[i]:
            words = keys[i].split(" ")
            by_word[words[0]].append(i)
            by_word[words[-1]].append(i)
    pairs = set()
    for i, group in enumerate(groups):
        if group[0].kind == "heading" and keys[i] and " " not in keys[i]:
            for j in by_word.get(keys[i], ())[:MAX_PARTNERS]:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def _candidates(keys: list[str], texts: list[str], lang: Language,
                config: Config) -> tuple[set[tuple[int, int]], dict[str, set[int]]]:
    """Candidate pairs of distinct texts, and the sentence index they came from."""
    size = config.shingle_words if lang.spaced else config.shingle_cjk
    pairs = fingerprint.candidate_pairs(
        fingerprint.signature_matrix(keys, config.num_perm, size=size, words=lang.spaced),
        config.lsh_threshold, config.num_perm)
    index: dict[str, set[int]] = defaultdict(set)
    for i, text in enumerate(texts):
        for piece in sentences(text, lang):
            pk = key(piece, lang)
            if key_length(pk, lang) < _min_piece(lang):
                continue
            head, tail = _windows(pk, lang)
            for token in (pk, "^" + head, "$" + tail):
                index[token].add(i)
        # short blocks: their opening and closing words (cut-down headings, near-copies of cut heads)
        if key_length(keys[i], lang) >= (2 if lang.spaced else 4):
            words = keys[i].split(" ") if lang.spaced else keys[i]
            glue = " " if lang.spaced else ""
            index["«" + glue.join(words[:2] if lang.spaced else words[:4])].add(i)
            index["»" + glue.join(words[-2:] if lang.spaced else words[-4:])].add(i)
        if key_length(keys[i], lang) >= _min_piece(lang):
            head, tail = _windows(keys[i], lang)
            index["<" + head[: max(4, len(head) * 2 // 3)]].add(i)
            index[">" + tail[-max(4, len(tail) * 2 // 3):]].add(i)
    for members in index.values():
        if 1 < len(members) <= 64:
            ordered = sorted(members)
            for x, i in enumerate(ordered):
                for j in ordered[x + 1:]:
                    pairs.add((i, j))
    return pairs, index


def _evidence(a: int, b: int, keys: list[str], sets: Callable[[int], frozenset]) -> Evidence:
    sa, sb = sets(a), sets(b)
    inter = len(sa & sb)
    union = len(sa) + len(sb) - inter
    la, lb = len(keys[a]), len(keys[b])
    similarity = Indel.normalized_similarity(keys[a], keys[b]) if min(la, lb) >= 0.6 * max(la, lb) else 0.0
    return Evidence(
        jaccard=inter / union if union else 0.0,
        a_in_b=inter / len(sa) if sa else 0.0,
        b_in_a=inter / len(sb) if sb else 0.0,
        similarity=similarity,
    )


#: near-copy pairs examined per page for a borrowed phrase, and the largest page (in
#: distinct texts, in characters) examined at all: each examination searches the page's
#: text once, so the work stays below 200 × 1 MB on any page (a real page is 10-50 KB)
BORROW_CHECKS = 200
BORROW_TEXTS = 5000
BORROW_CHARS = 1_000_000


def _borrowed(keys: list[str], partners: dict[int, list[int]], ev, config: Config, lang: Language) -> set[int]:
    """Texts that are the damaged side of a near-copy pair: where two readings differ by
    a short phrase, the one whose phrase is printed elsewhere on the page borrowed it
    (a copy with "配强综合阵地工作力量" for "理顺党建综合阵地工作体系" took "配强…工作力量"
    from the sentence before), while the original's phrase is its own."""
    if len(keys) > BORROW_TEXTS or sum(map(len, keys)) > BORROW_CHARS:
        return set()
    out: set[int] = set()
    checks = 0
    page = "\x00".join(keys)
    least = 4 if lang.spaced else 2

    def elsewhere(segment: str, a: int, b: int) -> bool:
        # printed in a text other than the pair itself
        found = page.count(segment)
        return found > keys[a].count(segment) + keys[b].count(segment)

    for i in sorted(partners):
        for j in partners[i]:
            if j <= i or checks >= BORROW_CHECKS:
                continue
            e = ev(i, j)
            if e.similarity < config.near_copy or min(len(keys[i]), len(keys[j])) < 0.9 * max(len(keys[i]), len(keys[j])):
                continue
            checks += 1
            ops = [op for op in Levenshtein.opcodes(keys[i], keys[j]) if op.tag != "equal"]
            if not ops:
                continue
            mine = keys[i][ops[0].src_start:ops[-1].src_end]
            theirs = keys[j][ops[0].dest_start:ops[-1].dest_end]
            if len(mine) < least or len(theirs) < least or len(mine) > 40 or len(theirs) > 40:
                continue
            i_borrowed, j_borrowed = elsewhere(mine, i, j), elsewhere(theirs, i, j)
            if i_borrowed and not j_borrowed:
                out.add(i)
            elif j_borrowed and not i_borrowed:
                out.add(j)
    return out


def find_copies(blocks: tuple[Block, ...], lang: Language, config: Config) -> tuple[tuple[Unit, ...], tuple[Decision, ...]]:
    """Group copies into units; every text block gets a ``kept`` or ``copy`` decision."""
    regions = find_regions(blocks, lang)
    text_blocks = [b for b in blocks if b.kind in TEXT_KINDS]
    # identical keys first: one distinct text per group, however often it was printed
    by_key: dict[str, list[Block]] = {}
    for b in text_blocks:
        by_key.setdefault(f"{b.kind == 'kicker'}|{key(block_text(b), lang)}", []).append(b)
    groups = list(by_key.values())
    keys = [key(block_text(g[0]), lang) for g in groups]
    texts = [block_text(g[0]) for g in groups]
    pairs, index = _candidates(keys, texts, lang, config)
    pairs |= _one_word_headings(groups, keys, lang)
    partners: dict[int, list[int]] = defaultdict(list)
    for i, j in sorted(pairs):
        partners[i].append(j)
        partners[j].append(i)
    for i, js in partners.items():
        if len(js) > MAX_PARTNERS:
            partners[i] = sorted(sorted(js, key=lambda j: (abs(j - i), j))[:MAX_PARTNERS])
    evidence: dict[tuple[int, int], Evidence] = {}
    # shingle sets only of the texts a pair is verified on (about one in six on a page of
    # the damage simulator): shingling every text was a sixth of the stage (issue 7)
    shingled: dict[int, frozenset] = {}

    def sets(i: int) -> frozenset:
        if i not in shingled:
            shingled[i] = shingles(keys[i], lang, config.shingle_cjk, config.shingle_words)
        return shingled[i]

    def ev(a: int, b: int) -> Evidence:
        if (a, b) not in evidence:
            evidence[(a, b)] = _evidence(a, b, keys, sets)
        return evidence[(a, b)]

    places_of = [_regions_in(keys[i], regions) for i in range(len(groups))]

    def spliced(i: int) -> int | None:
        """The partner ``i`` is partly inside when ``i`` starts like another block does.

        A spliced copy ("近年来,山东省菏泽市郓城县通过健全…" + the body of "规范运行管理。…")
        opens with a sentence start printed elsewhere and carries on with a partner's text.
        """
        # partners that name another place are another article's boilerplate, not sources
        mine = places_of[i]
        sources = [j for j in partners[i] if not (mine - places_of[j] and places_of[j] - mine)]
        if groups[i][0].kind != "body" or not sources:
            return None
        best = max(sources, key=lambda j: (ev(i, j).a_in_b, -j))
        if ev(i, best).a_in_b < config.splice:
            return None
        head, _ = _windows(keys[i], lang)
        if head in keys[best]:
            return None
        return best if index.get("^" + head, set()) - {i, best} else None

    suspects = {i: spliced(i) for i in range(len(groups))}
    borrowed = _borrowed(keys, partners, ev, config, lang)
    order = sorted(range(len(groups)), key=lambda i: (
        suspects[i] is not None, i in borrowed, -len(keys[i]), -len(groups[i]),
        not ends_sentence(texts[i], lang), groups[i][0].index))

    kept: dict[int, int] = {}          # group → kept block index
    carrier: dict[int, tuple[int, str, float]] = {}   # group → (kept group, why, score)
    # a headline reprinted without its kicker ("单县:标题" … "标题") is a copy of the title
    kicker_rest = {}
    for j, g in enumerate(groups):
        if g[0].kind == "kicker" and g[0].text:
            kicker_rest.setdefault(key(g[0].text, lang), j)
    for i in order:
        match = None
        kind = groups[i][0].kind
        if kind == "heading" and keys[i] in kicker_rest:
            j = kicker_rest[keys[i]]
            if j not in kept:
                kept[j] = _representative(groups[j]).index
            carrier[i] = (j, "headline reprinted without its kicker", 1.0)
            continue
        if kind == "kicker" and i in kept:
            continue
        size = key_length(keys[i], lang)
        my_regions = places_of[i]
        for j in partners[i]:
            if j not in kept:
                continue
            other_kind = groups[j][0].kind
            if (kind == "kicker") != (other_kind == "kicker"):
                continue
            their_regions = places_of[j]
            if my_regions - their_regions and their_regions - my_regions:
                continue
            e = ev(i, j)
            # a heading-like block long enough to be a cut-off copy of a paragraph is one
            long_enough = (kind == "body" and size >= (6 if lang.spaced else 12)) or (
                kind == "heading" and other_kind == "body" and size >= (8 if lang.spaced else 16))
            if long_enough and e.a_in_b >= config.containment:
                found = (j, "contained", e.a_in_b)
            elif e.similarity >= config.near_copy and (long_enough or e.similarity >= 0.9):
                found = (j, "near-copy", e.similarity)
            elif suspects[i] == j and e.a_in_b >= config.splice:
                found = (j, "spliced", e.a_in_b)
            elif (kind == other_kind == "body" and size < (6 if lang.spaced else 12) and _fragment(texts[i], lang)
                  and _ends(keys[i], keys[j], lang)):
                found = (j, "cut-down fragment", e.a_in_b)
            elif (kind == other_kind == "heading" and size >= (1 if lang.spaced else 4)
                  and len(keys[i]) < len(keys[j]) and (keys[j].startswith(keys[i]) or keys[j].endswith(keys[i]))):
                found = (j, "cut-down heading", e.a_in_b)
            else:
                continue
            if match is None or found[2] > match[2]:
                match = found
        if match:
            carrier[i] = match
        else:
            rep = _representative(groups[i])
            kept[i] = rep.index

    units: list[Unit] = []
    decisions: list[Decision] = []
    copies_of: dict[int, list[int]] = defaultdict(list)
    for i, group in enumerate(groups):
        if i in kept:
            rep = kept[i]
            for b in group:
                if b.index != rep:
                    copies_of[i].append(b.index)
                    decisions.append(Decision(STAGE, b.index, "copy", "identical text", other=rep, score=1.0))
        else:
            j, why, score = _resolve(i, carrier)
            for b in group:
                copies_of[j].append(b.index)
                decisions.append(Decision(STAGE, b.index, "copy", why, other=kept[j], score=round(score, 3)))
    by_block = {b.index: b for b in blocks}
    for i in sorted(kept, key=lambda g: kept[g]):
        rep = by_block[kept[i]]
        text, trim = _trim_repeated_tail(rep.text, i, texts, kept, index, lang) if rep.kind == "body" else (rep.text, None)
        if trim:
            decisions.append(Decision(STAGE, rep.index, "trimmed", f"unfinished repeat of block {kept[trim[0]]}: {trim[1]!r}",
                                      other=kept[trim[0]]))
        decisions.append(Decision(STAGE, rep.index, "kept", f"{len(copies_of[i])} copies" if copies_of[i] else "unique"))
        units.append(Unit(rep.index, text, rep.kind, tuple(sorted(copies_of[i]))))
    units.sort(key=lambda u: u.block)
    return tuple(units), tuple(sorted(decisions, key=lambda d: d.block))


def _resolve(i: int, carrier: dict[int, tuple[int, str, float]]) -> tuple[int, str, float]:
    """Follow copy-of links to the kept group (a copy may point at a copy)."""
    j, why, score = carrier[i]
    seen = {i}
    while j in carrier and j not in seen:
        seen.add(j)
        j = carrier[j][0]
    return j, why, score


def _representative(group: list[Block]) -> Block:
    """Of identical printings, the first: they carry the same text."""
    return min(group, key=lambda b: b.index)


def _trim_repeated_tail(text: str, i: int, texts: list[str], kept: dict[int, int], starts: dict[str, set[int]],
                        lang: Language) -> tuple[str, tuple[int, str] | None]:
    """Drop an unfinished last sentence that another kept block prints in full.

    The repeat must be the start of a longer sentence there, so a real cut head, whose
    sentence is printed nowhere else, is never touched.
    """
    pieces = sentences(text, lang)
    if len(pieces) < 2 or ends_sentence(text, lang):
        return text, None
    last = pieces[-1]
    lk = key(last, lang)
    if key_length(lk, lang) < _min_piece(lang):
        return text, None
    head, _ = _windows(lk, lang)
    for j in sorted(starts.get("^" + head, ())):
        if j == i or j not in kept:
            continue
        for piece in sentences(texts[j], lang):
            pk = key(piece, lang)
            if pk.startswith(lk) and len(pk) > len(lk):
                return text[: len(text) - len(last)].rstrip(), (j, last)
    return text, None


def _mostly_elsewhere(k: str, shared, size: int, containment: float) -> bool:
    """Whether a CJK key surely has too few of its character shingles in the joined
    paragraphs (``shared``) to lie inside one of them, from every fourth shingle only:
    most blocks share nothing with them, and shingling each whole block was most of
    the step (issue 7).

    The key has at most ``u = len(k) - size + 1`` distinct shingles; ``missing`` distinct
    ones among those looked at lie in no joined paragraph, so any paragraph holds at most
    ``u - missing`` of them, and its share (a count over the key's distinct shingles,
    which are at most ``u``) is at most ``(u - missing) / u``: when even that is below
    ``containment``, the full count would find the same (float division is monotonic)."""
    u = len(k) - size + 1
    # (looked up one by one: a set difference with the view would walk every joined shingle)
    missing = sum(shingle not in shared for shingle in {k[i:i + size] for i in range(0, u, 4)})
    return (u - missing) / u < containment


def copies_across_joins(units: tuple[Unit, ...], paragraphs: tuple[Paragraph, ...], lang: Language,
                        config: Config) -> tuple[tuple[Unit, ...], tuple[Decision, ...]]:
    """Cut-down copies of a paragraph that was cut in two: once the halves are joined, a
    block lying inside the joined text (but inside neither half alone) is a copy too.

    Returns the units with those copies folded into the unit that opens the paragraph.
    """
    joined = [p for p in paragraphs if len(p.blocks) > 1]
    if not joined:
        return units, ()
    from itertools import chain
    in_joined = {b for p in joined for b in p.blocks}
    sets = [shingles(key(p.text, lang), lang, config.shingle_cjk, config.shingle_words) for p in joined]
    owners: dict[str, list[int]] = defaultdict(list)
    for j, s in enumerate(sets):
        for sh in s:
            owners[sh].append(j)
    shared = owners.keys()
    by_block = {u.block: u for u in units}
    moved: dict[int, int] = {}
    decisions = []
    for unit in units:
        if unit.kind == "kicker" or any(b in in_joined for b in unit.occurrences):
            continue
        k = key(unit.text, lang)
        if key_length(k, lang) < (6 if lang.spaced else 12):
            continue
        if not lang.spaced and _mostly_elsewhere(k, shared, config.shingle_cjk, config.containment):
            continue
        mine = shingles(k, lang, config.shingle_cjk, config.shingle_words)
        common = shared & mine
        if not common:
            continue
        # How many of the unit's shingles each joined paragraph holds (each set lists a
        # paragraph once per shingle), counted in C rather than one update per shingle.
        hits = Counter(chain.from_iterable(map(owners.__getitem__, common)))
        j, count = max(hits.items(), key=lambda kv: (kv[1], -kv[0]))
        share = count / len(mine)
        if share >= config.containment:
            target = joined[j].blocks[0]
            moved[unit.block] = target
            decisions.append(Decision(STAGE, unit.block, "copy",
                                      f"inside paragraph {list(joined[j].blocks)} once its cut halves are joined",
                                      other=target, score=round(share, 3)))
            for c in unit.copies:
                decisions.append(Decision(STAGE, c, "copy", "copy of a copy folded into its paragraph",
                                          other=target, score=round(share, 3)))
    if not moved:
        return units, ()
    extra: dict[int, list[int]] = defaultdict(list)
    for b, target in moved.items():
        extra[target].extend([b, *by_block[b].copies])
    out = []
    for unit in units:
        if unit.block in moved:
            continue
        if unit.block in extra:
            unit = Unit(unit.block, unit.text, unit.kind, tuple(sorted((*unit.copies, *extra[unit.block]))))
        out.append(unit)
    return tuple(out), tuple(decisions)
