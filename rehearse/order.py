"""Word order: is the answer the prepared words said as sentences, or the same words scrambled?

An answer that reuses most of the prepared answer's content words but almost none of its local
orderings is the prepared words in another order ("find to I used hard delegate to it"): it says
nothing, however many words match. Real answers keep local order inside a clause, whether recited,
partly said, heard with ASR noise, reordered clause by clause or put in one's own words (and those
share few words, so they are not judged at all).

The evidence is pairs of consecutive content units of an answer sentence that both occur in the
prepared answer (:mod:`rehearse.textnorm` units: morphemes for Korean, stems for English). A pair is
*in order* when the prepared text has the first unit followed by the second within ``near`` units,
and *adjacent* when right after it. Korean is judged within eojeol and phrase, not on the order of
phrases: a pair inside one eojeol (a compound, a stem and its ending) is not evidence either way, and
a pair across a particle-marked phrase (the first eojeol ends in a particle: 제가 어제 / 어제 제가) is
in order in either direction; after an adnominal or a clause ending the order is kept.

An answer (or one long sentence of it) is scrambled when
- at least ``min_reuse`` of its content units are prepared ones, it has ``min_pairs`` pairs and
  fewer than ``min_kept`` of them are in order (words shuffled across the sentence), or
- at least ``strict_reuse`` are prepared ones, it has ``strict_pairs`` pairs, the mean of its
  in-order and adjacent shares is under ``min_kept_strict`` and ``min_reversed`` of its pairs run
  backwards (words shuffled a few places each: near their places, but out of order). An answer that
  leaves words out also keeps few pairs adjacent; it does not run backwards.

Measured on the dev sets (bench/README.md): shuffled answers keep 13-58 % of pairs in order, locally
shuffled ones 73-80 % but run 10-23 % of them backwards; recitals, partial answers, negations,
paraphrases and ASR noise keep 73-100 % in order and run at most 8 % backwards.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rehearse import textnorm as tn
from rehearse.lexicon import Unit
from rehearse.text_ko import ko_morphs


@dataclass(frozen=True)
class OrderRules:
    """The thresholds of :func:`scrambled_spans` (measured in bench/README.md)."""

    near: int = 3  # a pair is in order when the second unit follows within this many units
    min_reuse: float = 0.7
    min_pairs: int = 4
    min_kept: float = 0.5
    strict_reuse: float = 0.9
    strict_pairs: int = 8
    min_kept_strict: float = 0.7
    # ... and at least this share of pairs run backwards (the second unit shortly before the first):
    # an answer that leaves words out keeps few pairs adjacent too, but it does not run backwards
    min_reversed: float = 0.1
    sentence_pairs: int = 8  # a sentence of a real answer is judged alone from this many pairs
    # a sentence of a scrambled answer stays when this share of its pairs is in order and adjacent
    min_kept_sentence: float = 0.8


@dataclass
class _Tally:
    units: int = 0
    reused: int = 0
    pairs: int = 0
    in_order: int = 0
    adjacent: int = 0
    reversed: int = 0  # the second unit shortly before the first in the prepared text, never after

    def add(self, other: _Tally) -> None:
        self.units += other.units
        self.reused += other.reused
        self.pairs += other.pairs
        self.in_order += other.in_order
        self.adjacent += other.adjacent
        self.reversed += other.reversed

    def mean(self) -> float:
        return (self.in_order + self.adjacent) / (2 * self.pairs) if self.pairs else 0.0

    def scrambled(self, rules: OrderRules, min_pairs: int | None = None) -> bool:
        if not self.units or not self.pairs:
            return False
        reuse = self.reused / self.units
        kept = self.in_order / self.pairs
        if reuse >= rules.min_reuse and self.pairs >= (min_pairs or rules.min_pairs) \
                and kept < rules.min_kept:
            return True
        return reuse >= rules.strict_reuse and self.pairs >= max(min_pairs or 0, rules.strict_pairs) \
            and self.mean() < rules.min_kept_strict and self.reversed >= rules.min_reversed * self.pairs


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    ends = [m.end() for m in re.finditer(r"[.?!。]+(?:\s|$)", text)]
    starts = [0, *ends]
    return [(a, b) for a, b in zip(starts, [*ends, len(text)], strict=True) if text[a:b].strip()]


def _eojeol_start(text: str, offset: int) -> int:
    while offset > 0 and not text[offset - 1].isspace():
        offset -= 1
    return offset


def _phrase_ends(text: str) -> set[int]:
    """Korean: the starts of the eojeols that end a particle-marked phrase (the eojeol's last
    morpheme is a particle), after which the next phrase may come in any order."""
    last: dict[int, str] = {}
    for m in ko_morphs(text)[0]:
        last[_eojeol_start(text, m.start)] = m.tag
    return {start for start, tag in last.items() if tag.startswith("J")}


def _positions(prepared: list[str], language: str) -> dict[str, list[tuple[int, int]]]:
    out: dict[str, list[tuple[int, int]]] = {}
    for t, text in enumerate(prepared):
        for i, u in enumerate(tn.analyse(text, language)):
            for key in {u.key, u.alt} - {""}:
                out.setdefault(key, []).append((t, i))
    return out


def _keys(u: Unit) -> set[str]:
    return {u.key, u.alt} - {""}


def _gaps(a: Unit, b: Unit, where: dict[str, list[tuple[int, int]]]) -> set[int]:
    """Distances (in prepared units) from an occurrence of ``a`` to one of ``b`` in one prepared text."""
    first = [p for k in _keys(a) for p in where.get(k, ())]
    second = [p for k in _keys(b) for p in where.get(k, ())]
    return {j - i for t, i in first for s, j in second if s == t}


def _tally(text: str, units: tuple[Unit, ...], where: dict[str, list[tuple[int, int]]],
           language: str, rules: OrderRules, phrase_ends: set[int]) -> _Tally:
    out = _Tally(units=len(units))
    reused = [u for u in units if _keys(u) & where.keys()]
    out.reused = len(reused)
    for a, b in zip(reused, reused[1:], strict=False):
        free = False
        if language == "ko":
            start_a = _eojeol_start(text, a.start)
            if start_a == _eojeol_start(text, b.start):
                continue  # one eojeol: a compound or a stem with its ending
            free = start_a in phrase_ends
        gaps = _gaps(a, b, where)
        out.pairs += 1
        out.in_order += any(0 < g <= rules.near or (free and -rules.near <= g < 0) for g in gaps)
        out.adjacent += 1 in gaps or (free and -1 in gaps)
        out.reversed += not free and any(-rules.near <= g < 0 for g in gaps) \
            and not any(0 < g <= rules.near for g in gaps)
    return out


def scrambled_spans(text: str, prepared: list[str], language: str,
                    rules: OrderRules | None = None) -> list[tuple[int, int]]:
    """The sentences of ``text`` that are the prepared words in no prepared order.

    Args:
        text: the answer.
        prepared: the prepared answer and its key points.
        language: ``ko`` or ``en``.
        rules: thresholds (:class:`OrderRules`).

    Returns:
        (start, end) character spans of ``text``; empty for an answer said in order.
    """
    rules = rules or OrderRules()
    units = tn.analyse(text, language)
    if not units:
        return []
    where = _positions(prepared, language)
    phrase_ends = _phrase_ends(text) if language == "ko" else set()
    spans = _sentence_spans(text)
    starts = [u.start for u in units]
    tallies = []
    for a, b in spans:
        inside = tuple(units[bisect_right(starts, a - 1): bisect_right(starts, b - 1)])
        tallies.append(_tally(text, inside, where, language, rules, phrase_ends))
    whole = _Tally()
    for t in tallies:
        whole.add(t)
    if whole.scrambled(rules):
        # the answer as a whole: every sentence with prepared words goes, unless it is clearly in order
        return [s for s, t in zip(spans, tallies, strict=True) if t.reused and not (
            t.pairs >= rules.min_pairs and t.mean() >= rules.min_kept_sentence)]
    return [s for s, t in zip(spans, tallies, strict=True)
            if t.scrambled(rules, rules.sentence_pairs)]
