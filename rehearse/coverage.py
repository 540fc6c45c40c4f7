"""Key points: is each one in the answer, said as prepared?

Each key point and the transcript become content units (:mod:`rehearse.textnorm`). A key-point
unit matches a transcript unit exactly (same key, e.g. ``6100만`` = ``육천백만``) or fuzzily
(rapidfuzz ratio >= ``fuzzy_min`` on forms of 6+ characters). The key point's *similarity* is the
weighted share of its units found inside one window of the transcript; ``covered`` >=
``covered_threshold``, ``partial`` >= ``partial_threshold``. Then what a coach would catch:

- **said in the negative** (``reason="negated"``): most of the matched words sit in clauses of the
  other polarity (:mod:`rehearse.polarity`); a negation in the key point must be matched by one in
  the answer. Polarity is read in the sentence holding most of the point's matched weight: a word
  of the point found only in another sentence is there for another point.
- **a different figure** (``different_figure``): a number of the key point is not there, but
  another number with the same unit is (4500만 원 for 6100만 원, ten minutes for forty).
- **a different name** (``different_name``): a name, acronym or tool of the key point is not
  there, but another one the prepared answer never uses is, in the clauses that match the point
  (KT for SKT, MySQL for PostgreSQL).
- **key words only** (``keywords_only``): the words are there as a bare list, not said as a
  statement; at most ``partial``.
- **words in no order** (``word_order``): the words are there in an order no sentence has (the
  prepared words scrambled); missed. Whole scrambled sentences are set aside before matching
  (:mod:`rehearse.order`); this catches what is left, by two function words out of place.
- **words that say another point** (:func:`match_key_points`): every word a point was found by
  sits where another point was said, a point that matches better there or was said there with
  another name or figure: the point is missed (the sentence for point 1 names the company that
  point 6 names too; it does not say point 6). A point said there in the negative does not count:
  its negated clause may be just what this point says (별도의 API 문서 없이).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Protocol

from rehearse import textnorm as tn
from rehearse.lexicon import LOAN_TERMS_KO, LOANWORDS_KO, STOP_EN, Unit
from rehearse.polarity import (
    clause_at,
    clause_spans,
    contrasted,
    in_main_clause,
    negated_at,
)
from rehearse.text_en import latin_key
from rehearse.text_ko import ko_morphs

if TYPE_CHECKING:
    import numpy as np


class MatchRules(Protocol):
    """The thresholds matching reads (:class:`rehearse.score.ScoreOptions` has them)."""

    covered_threshold: float
    partial_threshold: float
    opposite_min: float
    fuzzy_min: float
    window_factor: float
    window_extra: int


@dataclass
class KeyPointResult:
    """One key point's verdict, with the transcript span that supports it."""

    text: str
    status: str  # "covered" | "partial" | "missed"
    covered: bool
    evidence: str | None
    similarity: float  # weighted share of the key point's units found (0-1)
    # why a key point whose words are there is not covered: "negated", "different_figure",
    # "different_name", "keywords_only"; None otherwise
    reason: str | None = None
    contrast: str | None = None  # what differs, said vs prepared: "4500만 vs 6100만"
    words: list[str] = field(default_factory=list)  # the answer's words that matched the point
    meaning: float | None = None  # cosine of the closest sentence (rehearse/meaning.py), if asked
    opposite: bool = False  # the matched words sit in clauses of the other polarity




def split_key_points(prepared: str) -> list[str]:
    """Key points of a prepared answer without explicit ones: its ``- `` bullets, else its
    sentences (lines or ``.?!`` endings)."""
    lines = [ln.strip() for ln in prepared.splitlines() if ln.strip()]
    bullets = [ln[2:].strip() for ln in lines if ln.startswith("- ")]
    if bullets:
        return bullets
    return [s.strip() for ln in lines for s in re.split(r"(?<=[.?!。])\s+", ln) if s.strip()]


@lru_cache(maxsize=16)
def deck_frequencies(deck_texts: tuple[str, ...], language: str) -> tuple[dict[str, int], int]:
    """(number of the deck's answers each unit key occurs in, number of answers)."""
    df: dict[str, int] = {}
    tn.prepare(list(deck_texts), language)
    for text in deck_texts:
        for key in {u.key for u in tn.analyse(text, language)}:
            df[key] = df.get(key, 0) + 1
    return df, len(deck_texts)


def _weights(units: tuple[Unit, ...], rarity: tuple[dict[str, int], int] | None) -> list[float]:
    """Base weight x deck rarity: 1 for a unit no other answer of the deck uses, down to 0.4 for one
    that every answer uses (skipped for decks of fewer than 3 answers)."""
    if rarity is None or rarity[1] < 3:
        return [u.weight for u in units]
    import math

    df, n = rarity
    out = []
    for u in units:
        idf = math.log((n + 1) / (df.get(u.key, 0) + 1)) / math.log(n + 1)
        out.append(u.weight * (0.4 + 0.6 * min(1.0, max(0.0, idf))))
    return out


def _items(units: tuple[Unit, ...], text: str) -> list[tuple[tuple[int, ...], str, str, str]]:
    """Units as (indices, key, alt, fuzzy), plus adjacent pairs glued together, so that a compound
    split differently on the two sides (``pay pal`` / ``PayPal``, ``버프 스윗`` / ``버프스윗``)
    still matches."""
    out = [((j, ), u.key, u.alt, u.fuzzy) for j, u in enumerate(units)]
    for j in range(len(units) - 1):
        a, b = units[j], units[j + 1]
        gap = text[a.end : b.start]
        if a.kind in ("number", "counter") or b.kind in ("number", "counter") or len(gap) > 1 \
                or gap.strip():
            continue
        key = a.key + b.key
        out.append(((j, j + 1), key, "", key if len(key) >= 6 else ""))
    return out


def _pairs(rows: tuple[int, ...], cols: tuple[int, ...]) -> list[tuple[int, int]]:
    """Which key-point unit is found at which transcript unit when a glued pair matches: part by
    part for a pair on both sides (``스파로스 CMP`` / ``스파로스 씨엠피``), else at the first."""
    if len(rows) == len(cols):
        return list(zip(rows, cols, strict=True))
    return [(i, cols[0]) for i in rows]


@dataclass(frozen=True)
class _Answer:
    """What every key point is matched against, worked out once per answer: the transcript's
    units, their items (:func:`_items`) by key, those with a fuzzy form, and where its sentences
    end (a 2-minute answer has ~300 units and six key points)."""

    text: str
    units: tuple[Unit, ...]
    cols: list[tuple[tuple[int, ...], str, str, str]]
    index: dict[str, list[int]]
    fuzzy_cols: list[tuple[tuple[int, ...], str, str, str]]
    ends: list[int]


def _answer(text: str, units: tuple[Unit, ...]) -> _Answer:
    cols = _items(units, text)
    index: dict[str, list[int]] = {}
    for c, (_, key, alt, _f) in enumerate(cols):
        for k in (key, alt):
            if k:
                index.setdefault(k, []).append(c)
    return _Answer(text, units, cols, index, [c for c in cols if c[3]], _sentence_ends(text))


def _match_matrix(kp: tuple[Unit, ...], kp_text: str, answer: _Answer, fuzzy_min: float) -> np.ndarray:
    """Credit (0-1) of key-point unit i found at transcript unit j: 1 for an exact key, the
    rapidfuzz ratio for a fuzzy match at or above ``fuzzy_min``, else 0."""
    import numpy as np
    from rapidfuzz import fuzz, process

    sim = np.zeros((len(kp), len(answer.units)), dtype=np.float32)
    rows, cols, index = _items(kp, kp_text), answer.cols, answer.index
    for idx, key, alt, _f in rows:
        for k in (key, alt):
            for c in index.get(k, ()) if k else ():
                for i, j in _pairs(idx, cols[c][0]):
                    sim[i, j] = 1.0
    fuzzy_rows = [r for r in rows if r[3]]
    fuzzy_cols = answer.fuzzy_cols
    if fuzzy_rows and fuzzy_cols:
        scores = process.cdist([r[3] for r in fuzzy_rows], [c[3] for c in fuzzy_cols],
                               scorer=fuzz.ratio, score_cutoff=fuzzy_min * 100, dtype=np.float32)
        for r, c in zip(*np.nonzero(scores), strict=True):
            parts = fuzzy_rows[r][0]
            if len(parts) > 1 and max(fuzz.ratio(kp[i].fuzzy or kp[i].key, fuzzy_cols[c][3])
                                      for i in parts) >= scores[r, c]:
                continue  # "migration run" ~ "migration": one part said, not the pair
            for i, j in _pairs(parts, fuzzy_cols[c][0]):
                sim[i, j] = max(sim[i, j], scores[r, c] / 100.0)
    return sim


def _expand(text: str, start: int, end: int) -> str:
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end].strip(" ,")


def _following(units: tuple[Unit, ...], k: int, text: str) -> str:
    """Key of what a number counts (the unit right after it: 원, 건, percent, minut, year), or ""."""
    if k + 1 < len(units) and units[k + 1].start - units[k].end <= 2 \
            and units[k + 1].kind != "number" and not text[units[k].end : units[k + 1].start].strip(" "):
        return units[k + 1].key
    return ""


def _surface(text: str, units: tuple[Unit, ...], k: int) -> str:
    """A number as said, with what it counts: ``6100만원``, ``forty minutes``."""
    end = units[k].end
    if _following(units, k, text):
        end = units[k + 1].end
    return text[units[k].start : end]


def _different_figure(kp_units: tuple[Unit, ...], key_point: str, units: tuple[Unit, ...],
                      text: str, lo: int, hi: int) -> str | None:
    """"said vs prepared" for a number of the key point that the answer never says, where the
    answer says another number of the same thing (``원``, ``minutes``) between units lo and hi."""
    said_keys = {u.key for u in units}
    kp_keys = {u.key for u in kp_units}
    for k, u in enumerate(kp_units):
        if u.kind != "number" or u.key in said_keys:
            continue
        what = _following(kp_units, k, key_point)
        for j in range(lo, hi):
            t = units[j]
            if t.kind == "number" and t.key not in kp_keys and _following(units, j, text) == what:
                return f"{_surface(text, units, j)} vs {_surface(key_point, kp_units, k)}"
    return None


_TERM_KEYS = frozenset(latin_key(LOANWORDS_KO[w]) for w in LOAN_TERMS_KO)


def _different_name(kp_units: tuple[Unit, ...], key_point: str, units: tuple[Unit, ...], text: str,
                    clauses: list[tuple[int, int]], prepared_keys: frozenset[str],
                    prepared_surface: str) -> str | None:
    """"said vs prepared" for a name of the key point that the answer never says, where the
    clauses that match the point hold a name the prepared answer never uses."""
    said = {k for u in units for k in (u.key, u.alt) if k}
    said |= {latin_key(re.sub(r"[^A-Za-z0-9]", "", text[a.start : b.end]))  # Burp Suite = 버프스위트
             for a, b in zip(units, units[1:], strict=False) if text[a.start : b.end].isascii()}
    missing = [u for u in kp_units if u.kind == "name" and u.key not in _TERM_KEYS and u.key not in said
               and not (u.alt and u.alt in said) and u.key not in STOP_EN]
    if not missing:
        return None
    for t in units:
        surface = tn.squash(text[t.start : t.end])
        latin = surface.isascii()
        if t.kind != "name" or t.key in _TERM_KEYS or t.key in prepared_keys \
                or (t.alt and t.alt in prepared_keys) \
                or len(surface) < 2 or (not latin and surface in prepared_surface) \
                or (latin and re.search(rf"(?<![a-z0-9]){re.escape(surface)}(?![a-z0-9])", prepared_surface)):
            continue  # a part of a prepared name (신세계 of 신세계아이앤씨) is not another name
        if any(a <= t.start < b for a, b in clauses):
            return f"{text[t.start:t.end]} vs {key_point[missing[0].start:missing[0].end]}"
    return None


def _sentence_ends(text: str) -> list[int]:
    """Where the sentences of ``text`` end, in order, the last at ``len(text)``."""
    return [m.end() for m in re.finditer(r"[.?!。]+(?:\s|$)", text)] + [len(text)]


def _sentences(text: str, offsets: list[int], language: str,
               ends: list[int] | None = None) -> list[tuple[int, int]]:
    """The (start, end) of the sentences holding these character offsets (``ends``: the text's
    :func:`_sentence_ends`, when worked out already)."""
    ends = _sentence_ends(text) if ends is None else ends
    out: set[tuple[int, int]] = set()
    for offset in offsets:
        k = bisect_right(ends, offset)  # ends[k] is the first end after the offset
        out.add((ends[k - 1] if k else 0, ends[k]))
    return sorted(out)


def _core_sentences(text: str, offsets: list[list[int]], weights: list[float],
                    ends: list[int] | None = None) -> list[tuple[int, int]]:
    """The sentence (or sentences, on a tie) that holds the most of a key point's matched weight:
    ``offsets[i]`` are where matched word ``i`` was found, ``weights[i]`` its weight. Polarity is
    read there; a word of the point found only in another sentence is there for another point
    (아이피 where the answer says point 2, 키클락 … 방법이 없어서 where it says point 3)."""
    held: dict[tuple[int, int], float] = {}
    for found, weight in zip(offsets, weights, strict=True):
        for sentence in _sentences(text, found, "any", ends):
            held[sentence] = held.get(sentence, 0.0) + weight
    most = max(held.values(), default=0.0)
    return [s for s, w in held.items() if w >= most - 1e-9]


def _bare_list(text: str, spans: list[tuple[int, int]], language: str) -> bool:
    """True when these spans of text are content words without the grammar of a sentence (a list
    of key words): under one function word (particle, ending; the, of, with, I) per five words."""
    content = grammar = 0
    for start, end in spans:
        if language == "ko":
            last = ""
            for m in ko_morphs(text)[0]:
                if not start <= m.start < end:
                    continue
                if m.tag in ("NNG", "NNP", "SL", "SN", "NR", "XR", "VV", "VA") \
                        and not (m.tag in ("SN", "NR") and last in ("SN", "NR")):
                    content += 1
                grammar += m.tag[0] in "JE" or m.tag in ("VCP", "VX", "XSV", "XSA")
                last = m.tag
        else:
            words = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", text[start:end])
            grammar += sum(w.lower() in STOP_EN for w in words)
            content += sum(w.lower() not in STOP_EN for w in words)
    return content >= 3 and grammar * 5 < content


_SAID_OTHERWISE = ("different_figure", "different_name")
_DETERMINERS = frozenset(("a", "an", "the"))
# words that cannot follow an article: prepositions, pronouns, auxiliaries, conjunctions, articles
_NOT_AFTER_ARTICLE = frozenset(
    "a an the of for on in at to with from by i it he she we they you and or but is was are were "
    "have has had do did will would can could my our his her their this that these those".split())
_PREPOSITIONS = frozenset("of for on in at to with from by without".split())
_KO_AFTER_ADNOMINAL = ("N", "XR", "SL", "SN", "SH", "MM", "XPN", "MAG", "MAJ", "IC")


def _jumbled(text: str, spans: list[tuple[int, int]], language: str) -> bool:
    """True when these spans are words in an order no sentence has: two places where an article is
    followed by a preposition, pronoun or verb ("a on", "the for") or a preposition ends a sentence
    (in Korean: an adnominal ending followed by a verb, 진행중인 체크하여), or one when the whole
    text has three."""
    odd = _odd_places(text, spans, language)
    return odd >= 2 or (odd == 1 and _odd_places(text, [(0, len(text))], language) >= 3)


def _odd_places(text: str, spans: list[tuple[int, int]], language: str) -> int:
    odd = 0
    for start, end in spans:
        if language == "ko":
            morphs = [m for m in ko_morphs(text)[0]
                      if start <= m.start < end and m.tag not in ("SP", "SF", "SE", "SS")]
            odd += sum(a.tag == "ETM" and not b.tag.startswith(_KO_AFTER_ADNOMINAL)
                       for a, b in zip(morphs, morphs[1:], strict=False))
        else:
            tokens = [t.lower() for t in re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?|[.?!,;:]", text[start:end])]
            for a, b in zip(tokens, [*tokens[1:], "."], strict=True):
                odd += (a in _DETERMINERS and (b in _NOT_AFTER_ARTICLE or b in ".?!,;:")) \
                    or (a in _PREPOSITIONS and b in ".?!;:")
    return odd


def point_polarity(key_point: str, units: tuple[Unit, ...], language: str) -> dict[str, set[bool]]:
    """For each unit key of the key point, whether it is said negated (both, when it is said both
    ways); what an if/because/when clause of the point says is not weighed."""
    spans = clause_spans(key_point, language)
    out: dict[str, set[bool]] = {}
    for u in units:
        if in_main_clause(spans, u.start):
            out.setdefault(u.key, set()).add(negated_at(spans, u.start))
    return out


def said_as_the_point(key_point: str, sentence: str, language: str) -> bool:
    """Whether ``sentence`` holds words of the key point, mostly in clauses of the point's polarity
    (the check :func:`match_key_point` makes where the point's words matched best, made on one
    sentence: the one a sentence encoder finds closest to the point)."""
    polarity = point_polarity(key_point, tn.analyse(key_point, language), language)
    spans = clause_spans(sentence, language)
    checked = conflict = 0
    for u in tn.analyse(sentence, language):
        want = polarity.get(u.key, set())
        if u.kind != "generic" and len(want) == 1:
            checked += 1
            conflict += negated_at(spans, u.start) not in want
    return bool(checked) and conflict / checked < 0.5


def denies_where_the_point_affirms(key_point: str, sentence: str, language: str) -> bool:
    """Whether most of ``sentence``'s words sit in negated clauses where most of the key point's do
    not, or the other way round: "I've never mentored anyone" is close in meaning to "I want to
    mentor engineers" (a sentence encoder hardly hears the "never"), and says the opposite."""
    def denies(text: str) -> bool:
        spans = clause_spans(text, language)
        said = [negated_at(spans, u.start) for u in tn.analyse(text, language) if u.kind != "generic"]
        return bool(said) and sum(said) / len(said) >= 0.5

    return denies(sentence) != denies(key_point)


def match_key_points(
    key_points: list[str], text: str, units: tuple[Unit, ...], language: str,
    options: MatchRules, rarity: tuple[dict[str, int], int] | None = None,
    prepared_keys: frozenset[str] = frozenset(), prepared_surface: str = "",
) -> list[KeyPointResult]:
    """Judge a question's key points (:func:`match_key_point`), then as a coach hears them together:
    a point found only by words that sit in the stretch where another point was said, a point that
    matches its own words better there or was said there with another name or figure, is not said
    (the answer's sentence for point 1 names the company that point 6 names too; it does not say
    point 6).
    """
    answer = _answer(text, units)
    found = [_match(p, answer, language, options, rarity, prepared_keys, prepared_surface)
             for p in key_points]
    words = [{_word_at(text, units[j].start) for j in hits} for _r, hits in found]
    out = []
    for result, hits in found:
        claimed = set().union(*(w for (other, _h), w in zip(found, words, strict=True)
                                if other.similarity > result.similarity
                                or other.reason in _SAID_OTHERWISE))
        if result.status != "missed" and result.reason is None and hits \
                and all(_word_at(text, units[j].start) in claimed for j in hits):
            result = replace(result, status="missed", covered=False, evidence=None)
        out.append(result)
    return out


def _word_at(text: str, offset: int) -> tuple[int, int]:
    """The (start, end) of the whitespace-delimited word holding character ``offset`` (a Korean eojeol:
    스파로스 analysed as 스파 + 로스 is one word)."""
    start = offset
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = re.search(r"\s|$", text[offset:])
    return start, offset + (end.start() if end else 0)


def match_key_point(
    key_point: str, text: str, units: tuple[Unit, ...], language: str,
    options: MatchRules, rarity: tuple[dict[str, int], int] | None = None,
    prepared_keys: frozenset[str] = frozenset(), prepared_surface: str = "",
) -> KeyPointResult:
    """Judge one key point against the analysed transcript ``units`` of ``text``.

    ``rarity`` is (document frequency per key, number of documents) over the deck's answers;
    ``prepared_keys`` the unit keys of the question's prepared answer and key points (a name
    outside them, said where the point's name belongs, is a different name) and
    ``prepared_surface`` their text squashed (:func:`rehearse.textnorm.squash`).
    """
    return _match(key_point, _answer(text, units), language, options, rarity, prepared_keys,
                  prepared_surface)[0]


def _match(
    key_point: str, answer: _Answer, language: str, options: MatchRules,
    rarity: tuple[dict[str, int], int] | None, prepared_keys: frozenset[str], prepared_surface: str,
) -> tuple[KeyPointResult, set[int]]:
    """:func:`match_key_point`, and the transcript units its matched words were found at."""
    import numpy as np

    text, units = answer.text, answer.units
    all_kp = tn.analyse(key_point, language)
    first: dict[str, Unit] = {}
    for u in all_kp:
        first.setdefault(u.key, u)  # a word said twice in a key point counts once
    kp = tuple(first.values())
    if not kp or not units:
        return KeyPointResult(key_point, "missed", False, None, 0.0), set()
    weights = np.array(_weights(kp, rarity), dtype=np.float32)
    sim = _match_matrix(kp, key_point, answer, options.fuzzy_min)
    size = min(len(units), max(8, int(len(kp) * options.window_factor) + options.window_extra))
    windows = np.lib.stride_tricks.sliding_window_view(sim, size, axis=1).max(axis=2)
    shares = weights @ windows / weights.sum()
    best = int(np.argmax(shares))
    window = sim[:, best : best + size]
    found = window.max(axis=1)
    similarity = round(float(shares[best]), 3)
    matched = [i for i in range(len(kp)) if found[i] > 0 and kp[i].kind != "generic"]
    # a point with figures (a number of something: 20 percent, 6100만 원) none of which is said is
    # at most partly said: "I started pairing with juniors" for "velocity went up 20 percent after
    # I started pairing with juniors"
    said_keys = {u.key for u in units}
    figures = [u.key in said_keys for k, u in enumerate(all_kp)
               if u.kind == "number" and _following(all_kp, k, key_point)]
    if similarity >= options.covered_threshold and matched and (any(figures) or not figures):
        status = "covered"
    elif similarity >= options.partial_threshold and matched:
        status = "partial"
    else:
        status = "missed"
    # evidence: for each matched unit the occurrence nearest the middle of all matches, so a word
    # said twice does not stretch the quoted span
    options_at = [best + np.flatnonzero(window[i] == found[i]) for i in matched]
    hits: list[int] = []
    if options_at:
        middle = float(np.median(np.concatenate(options_at)))
        hits = [int(at[np.argmin(np.abs(at - middle))]) for at in options_at]
    words = [text[units[j].start : units[j].end] for j in sorted(set(hits))]
    evidence = None
    if hits and status != "missed":
        evidence = _expand(text, min(units[j].start for j in hits), max(units[j].end for j in hits))
    reason = contrast = None
    opposite = False
    if matched:
        tr_spans = clause_spans(text, language)
        # said in the negative: the matched words' clauses have the other polarity
        polarity = point_polarity(key_point, all_kp, language)
        checked = conflict = 0.0
        against: list[int] = []
        kp_spans = clause_spans(key_point, language)
        # per clause of the point (start, end, said in the negative): whether each word clashes
        by_clause: dict[tuple[int, int, bool], list[bool]] = {}
        core = _core_sentences(text, [[units[j].start for j in at] for at in options_at],
                               [float(weights[i]) for i in matched], answer.ends)
        for i, at in zip(matched, options_at, strict=True):
            if len(polarity.get(kp[i].key, ())) != 1:
                continue  # said both ways in the key point itself
            at = [j for j in at if any(a <= units[j].start < b for a, b in core)]
            if not at:
                continue  # found only in a sentence that says something else
            want = next(iter(polarity[kp[i].key]))
            checked += float(weights[i])
            clashes = all(negated_at(tr_spans, units[j].start) != want for j in at)
            by_clause.setdefault((*clause_at(kp_spans, kp[i].start), want), []).append(clashes)
            if clashes:
                conflict += float(weights[i])
                against.append(int(at[0]))
        aside = contrasted(text, language)
        set_aside = [int(said[0]) for i in range(len(kp))
                     if kp[i].kind != "generic" and polarity.get(kp[i].key) == {False}
                     and (said := np.flatnonzero(sim[i] > 0)).size
                     and all(any(a <= units[j].start < b for a, b in aside) for j in said)]
        if set_aside and conflict < 0.5 * checked:
            conflict = checked  # a word of the point set aside for another (배치 파일 말고 DB 링크로)
            against = set_aside
        if any(negated and len(clashes) >= 2 and all(clashes)
               for (_a, _b, negated), clashes in by_clause.items()):
            conflict = checked  # what the point says in the negative ("without testing it") the
            # answer says the other way ("we had tested it"): the point's negation is its gist
        clauses = sorted({clause_at(tr_spans, units[j].start) for j in hits})
        if status != "missed" and clauses and all(text[a:b].rstrip().endswith("?") for a, b in clauses):
            status, evidence = "missed", None  # only asked back (배스 낚시요?), never said
        sentences = _sentences(text, [units[j].start for j in hits], language, answer.ends)
        if status != "missed" and sentences and _bare_list(text, sentences, language) \
                and not _bare_list(key_point, [(0, len(key_point))], language):
            reason, status = "keywords_only", "partial"
        elif status != "missed" and sentences and _jumbled(text, sentences, language):
            reason, status = "word_order", "missed"
        elif checked and conflict / checked >= 0.5 and (
                status == "missed" or similarity < options.opposite_min):
            # too few words to say "the opposite", enough to keep it missed
            status, evidence, opposite = "missed", None, True
        elif checked and conflict / checked >= 0.5:
            reason, status, opposite = "negated", "missed", True
            spans = sorted({clause_at(tr_spans, units[j].start) for j in against})
            evidence = " … ".join(text[a:b].strip(" ,") for a, b in spans)
            contrast = evidence
        elif (figure := _different_figure(all_kp, key_point, units, text, best, best + size)):
            reason, status, contrast = "different_figure", "missed", figure
        elif (name := _different_name(all_kp, key_point, units, text, clauses, prepared_keys,
                                          prepared_surface)):
            reason, status, contrast = "different_name", "missed", name
    return KeyPointResult(key_point, status, status == "covered", evidence, similarity, reason,
                          contrast, words, opposite=opposite), set(hits)
