"""Score a spoken answer against the prepared one: key points, verbatim closeness and delivery.

How each number is made (all shown by ``rehearse score``):

- **Key points.** Each key point and the transcript become content units (:mod:`rehearse.textnorm`:
  morphemes for Korean, stemmed words for English; numbers, loanwords and spelled acronyms
  normalised). A key-point unit matches a transcript unit exactly (same key, e.g. ``6100만`` =
  ``육천백만``) or fuzzily (rapidfuzz ratio >= ``fuzzy_min`` on forms of 6+ characters: jamo for
  Korean, so an ASR slip such as ``통합계정`` / ``통합개정`` still counts). Units are weighted: names,
  acronyms and numbers 1.5, words 1.0, verbs 0.6, generic interview words (회사, 개발, work, team)
  0.25, and, when the deck's other answers are given, rarer units weigh more. The key point's
  *similarity* is the weighted share of its units found inside one window of the transcript
  (about twice the key point's length), so words scattered over an unrelated answer do not add up;
  the evidence is that window's matched span. ``covered`` >= 0.6, ``partial`` >= 0.3, else
  ``missed``; a key point whose only matches are generic words is missed.
- **Coverage** = (covered + 0.5 x partial) / number of key points; **content** = 100 x coverage.
- **Delivery** (0-100, shown separately) = mean of the parts that can be measured: pace (100 inside
  the band, -2.5 per % outside), fillers (100 at <= 1/min down to 0 at 12/min), pauses (-15 per pause
  over ``long_pause_s``, -5 per second of waiting beyond 3 s for the first word) and time (-2 per %
  over the limit).
- **Score** = content x (1 - ``delivery_weight`` x (1 - delivery/100)): delivery can cost at most
  ``delivery_weight`` (20%) of the content score and never adds points to an off-topic answer.
- **Verbatim**: CER for Korean (spaces and punctuation ignored), WER for English, against the
  prepared answer (fillers left out); "sounds memorised" when at most ``memorised_threshold`` of
  what was said differs from the prepared wording (so a recital that stops early counts too).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from rehearse import textnorm as tn
from rehearse.coverage import (
    KeyPointResult,
    deck_frequencies,
    denies_where_the_point_affirms,
    match_key_points,
    said_as_the_point,
    split_key_points,
)
from rehearse.denial import deny_topics
from rehearse.fillers import FILLERS_EN_ALWAYS, FILLERS_KO_ALWAYS, find_fillers
from rehearse.lexicon import Unit
from rehearse.nospeech import ECHO_NO_SPEECH_PROB, SILENCE_RULES, is_no_speech, kept_segments
from rehearse.polarity import set_aside
from rehearse.transcript import Transcript, Word
from rehearse.voice import is_answer_voice

if TYPE_CHECKING:
    from collections.abc import Callable

    from jiwer import CharacterOutput, WordOutput

PACE_UNITS = {"en": "wpm", "ko": "syllables/min"}
NO_ANSWER = "no answer detected"
# voice was heard, but Whisper made no words of it (mumbling, another language, a distorted microphone)
UNCLEAR = ("{seconds} s of speech, but no words could be made out: is the deck's language right? "
           "is the microphone clear?")


def seconds_said(voice_s: float | None) -> str:
    """Seconds of voice as the unclear verdict says them: whole seconds, tenths under one."""
    v = voice_s or 0.0
    return f"{v:.0f}" if v >= 1 else f"{v:.1f}"


def unclear_verdict(voice_s: float | None) -> str:
    """The verdict of an answer with voice in it but no words Whisper could make out."""
    return UNCLEAR.format(seconds=seconds_said(voice_s))


@dataclass
class ScoreOptions:
    """Thresholds and weights of the scorer; the defaults come from ``shared/design/product.md``."""

    # English 120-160 wpm is the common "good" band; Korean anchors read 330-350 syllables/min and
    # interview answers run a little slower, so 240-330 is "ok" and above an anchor is "fast".
    pace_bands: dict[str, tuple[float, float]] = field(
        default_factory=lambda: {"en": (120.0, 160.0), "ko": (240.0, 330.0)}
    )
    long_pause_s: float = 2.0  # a gap between words longer than this is a long pause
    filler_pause_s: float = 0.3  # a pause after 그/저/이제/like/so makes it a filler
    filler_ok_per_min: float = 1.0  # coaching target
    filler_bad_per_min: float = 12.0  # clearly hurts
    # key-point similarity for "covered", "partial", and to say a point "the other way" (words in a
    # negated clause under opposite_min keep it missed, no reason given); measured with the meaning
    # thresholds on every eval set read (bench/README.md, "Thresholds measured again")
    covered_threshold: float = 0.5
    partial_threshold: float = 0.25
    opposite_min: float = 0.3
    fuzzy_min: float = 0.8  # rapidfuzz ratio for a fuzzy unit match
    window_factor: float = 2.0  # evidence window = factor x key-point units + window_extra
    window_extra: int = 6
    # "sounds memorised" when at most this share of what was said differs from the prepared
    # wording (Verbatim.changed; a free paraphrase is at 0.4-0.8, a recital through Whisper's own
    # errors stays under ~0.2) and at least memorised_min_length characters/words were said
    memorised_threshold: dict[str, float] = field(default_factory=lambda: {"ko": 0.2, "en": 0.2})
    memorised_min_length: dict[str, int] = field(default_factory=lambda: {"ko": 40, "en": 15})
    delivery_weight: float = 0.2  # share of the score that delivery can take away
    # the sentence encoder as a second signal for points in the speaker's own words (rehearse/
    # meaning.py); per language where it differs (USE gives Korean paraphrases lower cosines); a
    # sentence meaning_over_negation_at close, holding the point's words its way, outweighs a
    # clause that said them the other way
    meaning: bool = True
    meaning_partial_at: float = 0.40
    meaning_covered_at: float = 0.6
    meaning_covered_at_by_language: dict[str, float] = field(default_factory=lambda: {"ko": 0.5})
    meaning_over_negation_at: float = 0.65
    # segments that are not speech (:mod:`rehearse.nospeech`, where the measurements are)
    silence_rules: list[tuple[float, float]] = field(default_factory=lambda: list(SILENCE_RULES))
    echo_no_speech_prob: float = ECHO_NO_SPEECH_PROB


@dataclass
class Verbatim:
    """Closeness to the prepared wording: CER (Korean) or WER (English); lower is closer."""

    metric: str
    value: float | None
    memorised: bool = False
    # share of what was said (characters/words) that is not in runs of the prepared wording
    # (>= 4 characters / 2 words in a row); parts of the answer left out do not count here
    changed: float | None = None


@dataclass
class Pace:
    """Speaking rate over the span from the first to the last word."""

    value: float | None
    unit: str
    band: str | None  # "slow" | "ok" | "fast"; None without timings
    low: float = 0.0
    high: float = 0.0


@dataclass
class Fillers:
    """Fillers found in the transcript."""

    count: int
    per_minute: float | None
    items: dict[str, int] = field(default_factory=dict)


@dataclass
class Pauses:
    """Gaps between words longer than ``threshold_s``; ``longest_s`` is the longest gap of all."""

    count: int
    longest_s: float | None
    threshold_s: float = 2.0


@dataclass
class Delivery:
    """Delivery sub-scores (0-100; None when the part cannot be measured) and their mean."""

    score: int | None = None
    pace: int | None = None
    fillers: int | None = None
    pauses: int | None = None
    time: int | None = None
    weight: float = 0.2  # share of the content score that poor delivery can take away


@dataclass
class Score:
    """The judgement of one answer; :meth:`to_dict` is the ``score --json`` contract."""

    question_id: str
    transcript: str
    language: str
    score: int
    coverage: float
    key_points: list[KeyPointResult]
    verbatim: Verbatim
    pace: Pace
    fillers: Fillers
    pauses: Pauses
    delivery: Delivery
    duration_s: float | None = None
    time_limit_s: float | None = None
    over_time: bool = False
    time_to_first_word_s: float | None = None
    no_speech: bool = False  # no voice, or nothing but Whisper's inventions on silence
    content_score: int = 0
    verdict: str = ""
    # voice was heard (`voice_s` of it) but no words were made out; never with ``no_speech``
    unclear: bool = False
    voice_s: float | None = None  # s of voice in the answer (`rehearse.voice`); None: not measured

    @property
    def no_words(self) -> bool:
        """Nothing to score: no voice (``no_speech``) or voice without words (``unclear``). Such
        an answer scores 0, stays out of averages and is a failed review."""
        return self.no_speech or self.unclear

    def to_dict(self) -> dict:
        """Plain JSON-ready dict (issues 2 and 4's contract, plus a few keys)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        """The inverse of :meth:`to_dict`: a stored result read back as a `Score`.

        Results written by older versions may lack keys, and those must keep loading: a missing
        part gets its neutral value (no pace or pauses measured, no fillers counted, delivery
        unmeasured), a key point without ``status`` takes it from ``covered`` (and the reverse),
        a result without ``coverage`` takes score / 100. Keys this version does not know are
        left out.
        """

        def part(kind: type, stored: Any, /, **neutral: Any) -> Any:
            known = {f.name for f in fields(kind)}
            given = stored.items() if isinstance(stored, dict) else ()
            return kind(**{**neutral, **{k: v for k, v in given if k in known}})

        def point(p: Any) -> KeyPointResult:
            p = p if isinstance(p, dict) else {}
            status = p.get("status") or ("covered" if p.get("covered") else "missed")
            return part(KeyPointResult, {**p, "status": status}, text="", covered=status == "covered",
                        evidence=None, similarity=0.0)

        d = {k: v for k, v in data.items() if k in {f.name for f in fields(cls)}}
        score = d.get("score") or 0
        coverage = d.get("coverage")
        return cls(**{
            "question_id": "", "transcript": "", "language": "", **d,
            "score": score,
            "coverage": score / 100 if coverage is None else coverage,
            "key_points": [point(p) for p in d.get("key_points") or []],
            "verbatim": part(Verbatim, d.get("verbatim"), metric="", value=None),
            "pace": part(Pace, d.get("pace"), value=None, unit="", band=None),
            "fillers": part(Fillers, d.get("fillers"), count=0, per_minute=None),
            "pauses": part(Pauses, d.get("pauses"), count=0, longest_s=None),
            "delivery": part(Delivery, d.get("delivery")),
        })


# --- delivery -------------------------------------------------------------------------------------
def _speech(transcript: Transcript, options: ScoreOptions, prompt: str | None) -> tuple[str, list[Word]]:
    """The answer's text and timed words, without segments that are silence or stock phrases."""
    if not transcript.segments:
        return unicodedata.normalize("NFC", transcript.text.strip()), []
    kept = kept_segments(transcript, options, prompt)
    text = unicodedata.normalize("NFC", " ".join(s.text.strip() for s in kept).strip())
    words = _repair_onsets([w for s in kept for w in s.words])
    return text, words or [Word(s.text, s.start, s.end) for s in kept]


def _longest_word_s(text: str) -> float:
    """A generous upper bound on how long saying one word takes (s): 0.15 s plus 0.07 s per Latin
    letter, 0.25 s per Hangul syllable, 0.2 s per digit."""
    latin = sum(c.isascii() and c.isalpha() for c in text)
    hangul = sum("가" <= c <= "힣" for c in text)
    digits = sum(c.isdigit() for c in text)
    return 0.15 + 0.07 * latin + 0.25 * hangul + 0.2 * digits


def _is_hesitation(word: str) -> bool:
    core = word.strip(" .,!?…-").casefold()
    return core in FILLERS_EN_ALWAYS or core in FILLERS_KO_ALWAYS


def _repair_onsets(words: list[Word], min_gap: float = 0.5) -> list[Word]:
    """Whisper stretches the first word after silence back into the silence (a measured 0.6-0.7 s
    for "I" after 1.5 s of silence: it starts at 0.8 s instead of 1.5 s), which shortens the time
    to the first word and every long pause. The first word, and each word after a gap of
    ``min_gap`` s, starts no earlier than its end minus a generous estimate of its length."""
    out = list(words)
    for k, w in enumerate(out):
        if k and w.start - out[k - 1].end < min_gap:
            continue
        longest = _longest_word_s(w.text)
        if w.end - w.start > longest and not _is_hesitation(w.text):  # "ummm" may last 1 s
            out[k] = Word(w.text, round(w.end - longest, 3), w.end, w.probability)
    return out


def _pause_lookup(text: str, words: list[Word], min_gap: float) -> Callable[[int], bool]:
    """``pause_after(char_offset)``: did a gap of ``min_gap`` s follow the word ending there?"""
    ends: dict[int, float] = {}
    cursor = 0
    for k, w in enumerate(words):
        token = w.text.strip()
        pos = text.find(token, cursor) if token else -1
        if pos < 0:
            continue
        cursor = pos + len(token)
        gap = words[k + 1].start - w.end if k + 1 < len(words) else 0.0
        end = cursor
        while end > pos and not text[end - 1].isalnum():
            end -= 1
        ends[end] = gap
    return lambda offset: ends.get(offset, 0.0) >= min_gap


def _linear(value: float, good: float, bad: float) -> int:
    if value <= good:
        return 100
    return max(0, round(100 * (bad - value) / (bad - good)))


def _delivery(
    language: str, text: str, words: list[Word], duration_s: float | None,
    time_limit_s: float | None, options: ScoreOptions,
) -> tuple[Pace, Fillers, Pauses, Delivery, float | None]:
    """Pace, fillers, pauses, the delivery sub-scores and the time to the first word."""
    low, high = options.pace_bands.get(language, options.pace_bands["en"])
    span = (words[-1].end - words[0].start) if words else duration_s
    pace = Pace(None, PACE_UNITS.get(language, "wpm"), None, low, high)
    pace_part = None
    if span and span >= 1.0:
        value = round(tn.syllable_count(text, language) / (span / 60.0), 1)
        band = "slow" if value < low else "fast" if value > high else "ok"
        off = (low - value) / low if band == "slow" else (value - high) / high if band == "fast" else 0
        pace = Pace(value, pace.unit, band, low, high)
        pace_part = max(0, round(100 - 250 * off))
    pause_after = _pause_lookup(text, words, options.filler_pause_s) if words else None
    found = find_fillers(text, language, pause_after)
    items: dict[str, int] = {}
    for f in found:
        items[f.text.lower()] = items.get(f.text.lower(), 0) + 1
    per_minute = round(len(found) / (span / 60.0), 1) if span and span >= 1.0 else None
    fillers = Fillers(len(found), per_minute, items)
    filler_part = None if per_minute is None else _linear(
        per_minute, options.filler_ok_per_min, options.filler_bad_per_min)
    gaps = [b.start - a.end for a, b in pairwise(words)]
    long_gaps = [g for g in gaps if g > options.long_pause_s]
    pauses = Pauses(len(long_gaps), round(max(gaps), 2) if gaps else None, options.long_pause_s)
    first = round(words[0].start, 2) if words else None
    pause_part = None
    if words:
        pause_part = max(0, round(100 - 15 * len(long_gaps) - 5 * max(0.0, (first or 0) - 3.0)))
    time_part = None
    if time_limit_s and duration_s:
        time_part = max(0, round(100 - 200 * max(0.0, duration_s / time_limit_s - 1)))
    parts = [p for p in (pace_part, filler_part, pause_part, time_part) if p is not None]
    delivery = Delivery(round(sum(parts) / len(parts)) if parts else None,
                        pace_part, filler_part, pause_part, time_part, options.delivery_weight)
    return pace, fillers, pauses, delivery, first


def _alignment(prepared: str, spoken: str, language: str) -> CharacterOutput | WordOutput | None:
    """jiwer's alignment of the spoken answer (fillers left out) with the prepared one."""
    import jiwer

    if language == "ko":
        said = " ".join(w for w in spoken.split() if w.strip(".,…") not in FILLERS_KO_ALWAYS)
        ref, hyp = tn.squash(prepared), tn.squash(said)
        return jiwer.process_characters(ref, hyp) if ref and hyp else None
    ref_words = re.findall(r"[a-z0-9']+", prepared.casefold())
    hyp_words = [w for w in re.findall(r"[a-z0-9']+", spoken.casefold())
                 if w not in FILLERS_EN_ALWAYS]
    return jiwer.process_words(" ".join(ref_words), " ".join(hyp_words)) \
        if ref_words and hyp_words else None


def verbatim_distance(prepared: str, spoken: str, language: str) -> float | None:
    """CER (Korean, without spaces/punctuation) or WER (English) of ``spoken`` against ``prepared``
    (fillers left out); 1.0 when nothing was said, None without a prepared answer."""
    out = _alignment(prepared, spoken, language)
    if out is None:
        return None if not tn.squash(prepared) else 1.0
    return round(float(out.cer if language == "ko" else out.wer), 3)


def _verbatim(prepared: str, spoken: str, language: str, options: ScoreOptions) -> Verbatim:
    metric = "cer" if language == "ko" else "wer"
    out = _alignment(prepared, spoken, language)
    if out is None:
        return Verbatim(metric, verbatim_distance(prepared, spoken, language))
    value = round(float(out.cer if language == "ko" else out.wer), 3)
    said = out.hits + out.substitutions + out.insertions
    # only runs of >= 4 characters / 2 words count as kept wording: against a long prepared answer
    # the aligner can always pair up scattered common syllables (다, 을, the) of a paraphrase
    run = 4 if language == "ko" else 2
    kept = sum(c.hyp_end_idx - c.hyp_start_idx for c in out.alignments[0]
               if c.type == "equal" and c.hyp_end_idx - c.hyp_start_idx >= run)
    changed = round(1 - kept / said, 3) if said else None
    # memorised: what was said follows the prepared words (a recital that stops early counts too)
    long_enough = said >= options.memorised_min_length.get(language, 15)
    memorised = changed is not None and long_enough and \
        changed <= options.memorised_threshold.get(language, 0.2)
    return Verbatim(metric, value, memorised, changed)


VERDICT_HEADS = {"strong": "Strong answer", "good": "Good answer", "partial": "Partial answer",
                 "off_target": "Off target"}
FILLERS_NOTED_PER_MIN = 5  # fillers a minute above which the verdict names them


def verdict_band(score: int) -> str:
    """The verdict's head as an id: ``strong``, ``good``, ``partial`` or ``off_target``."""
    return "strong" if score >= 85 else "good" if score >= 65 else "partial" if score >= 35 else "off_target"


def verdict_notes(over_time: bool, duration_s: float | None, time_limit_s: float | None, pace: Pace,
                  fillers: Fillers, verbatim: Verbatim) -> list[tuple[str, Any]]:
    """What the verdict adds after the key points, as ``(id, value)``: ``("over_time", seconds)``,
    ``("pace", "slow" | "fast")``, ``("fillers", per minute)``, ``("memorised", None)``."""
    notes: list[tuple[str, Any]] = []
    if over_time and duration_s and time_limit_s:
        notes.append(("over_time", duration_s - time_limit_s))
    if pace.band in ("slow", "fast"):
        notes.append(("pace", pace.band))
    if fillers.per_minute is not None and fillers.per_minute > FILLERS_NOTED_PER_MIN:
        notes.append(("fillers", fillers.per_minute))
    if verbatim.memorised:
        notes.append(("memorised", None))
    return notes


_NOTES_EN = {"over_time": "{:.0f} s over time", "pace": "{} pace", "fillers": "{:g} fillers/min",
             "memorised": "sounds memorised"}


def _verdict(score: int, results: list[KeyPointResult], verbatim: Verbatim, pace: Pace,
             fillers: Fillers, over_time: bool, duration_s: float | None,
             time_limit_s: float | None) -> str:
    covered = sum(r.status == "covered" for r in results)
    partial = sum(r.status == "partial" for r in results)
    text = f"{VERDICT_HEADS[verdict_band(score)]}: {covered} of {len(results)} key points covered"
    if partial:
        text += f", {partial} partly"
    notes = [_NOTES_EN[key].format(value) for key, value in
             verdict_notes(over_time, duration_s, time_limit_s, pace, fillers, verbatim)]
    return text + ("; " + ", ".join(notes) if notes else "")


def _lift_by_meaning(results: list[KeyPointResult], points: list[str], text: str,
                     language: str, options: ScoreOptions) -> None:
    """Key points the lexical match missed (or found in part) for no stated reason, said in other
    words: lifted when the answer's closest sentence means the same (:mod:`rehearse.meaning`)."""
    from rehearse import meaning

    for result, (cosine, sentence) in zip(results, meaning.closest(points, text), strict=True):
        result.meaning = round(cosine, 3)
        denied = (result.contrast or "").split(" … ")  # (another sentence, not a part of these)
        if result.opposite and sentence and (
                result.reason is None or (
                    result.reason == "negated" and cosine >= options.meaning_over_negation_at
                    and not any(part in sentence or sentence in part for part in denied))) \
                and said_as_the_point(result.text, sentence, language):
            # the words matched in a clause of the other polarity, but the sentence that means the
            # point is another one, which holds its words with the point's polarity: it says the
            # point, and the clause the words matched in says something else
            result.reason = result.contrast = result.evidence = None
            result.opposite, result.words = False, []
        if result.opposite:
            continue  # what matched was said in the negative: meaning cannot tell
        if sentence and set_aside(text, sentence, language):
            continue  # 클라우드 역량이라고 하기보다는요: named to be set aside
        if sentence and (sentence.rstrip().endswith("?")
                         or denies_where_the_point_affirms(result.text, sentence, language)):
            continue  # asked back (배스 낚시요?); "I've never mentored anyone" for "I want to mentor"
        covered_at = options.meaning_covered_at_by_language.get(language, options.meaning_covered_at)
        status = meaning.lift(result.status, result.reason, cosine, options.meaning_partial_at, covered_at)
        if status != result.status:
            result.status, result.covered = status, status == "covered"
            result.evidence = result.evidence or sentence


def _in_order(text: str, units: tuple[Unit, ...], prepared: list[str], points: list[str],
              language: str) -> tuple[str, tuple[Unit, ...]]:
    """The answer without its sentences that are the prepared words scrambled
    (:mod:`rehearse.order`), blanked in place so that offsets stay, and the units left."""
    from rehearse.order import scrambled_spans

    spans = scrambled_spans(text, [p for p in prepared if p.strip()], language)
    if not spans:
        return text, units
    chars = list(text)
    for a, b in spans:
        chars[a:b] = " " * (b - a)
    kept = tuple(u for u in units if not any(a <= u.start < b for a, b in spans))
    return "".join(chars), kept


def _mark_scrambled(results: list[KeyPointResult], points: list[str], text: str, heard: str,
                    language: str) -> None:
    """A point missed because its words were said only in a scrambled sentence says so."""
    gone = {k for u in tn.analyse(text, language) if heard[u.start:u.end].strip() == ""
            for k in (u.key, u.alt) if k}
    for result, point in zip(results, points, strict=True):
        keys = {u.key for u in tn.analyse(point, language)}
        if result.status == "missed" and result.reason is None and keys \
                and len(keys & gone) >= 0.3 * len(keys):
            result.reason = "word_order"


def warm_up(key_points: list[str], language: str, prepared_answer: str = "",
            deck_texts: list[str] | tuple[str, ...] | None = None, embed: bool = True) -> None:
    """Analyse a question's key points and prepared answer (and the deck, for rarity) ahead of
    time, e.g. while the user is answering, so that :func:`score_answer` only has the transcript
    left to analyse (the prepared answer is read for word order and for names said instead of
    the prepared ones); with ``embed``, load the sentence encoder and embed the key points too."""
    points = [k for k in key_points if k.strip()] or split_key_points(prepared_answer)
    tn.prepare([*points, prepared_answer] if prepared_answer.strip() else points, language)
    from rehearse import meaning

    if embed:
        meaning.warm_up(points)
    if deck_texts:
        deck_frequencies(tuple(deck_texts), language)


def score_answer(
    question_id: str,
    prepared_answer: str,
    key_points: list[str],
    transcript: Transcript,
    *,
    language: str,
    time_limit_s: float | None = None,
    options: ScoreOptions | None = None,
    deck_texts: list[str] | tuple[str, ...] | None = None,
    prompt: str | None = None,
    question: str = "",
) -> Score:
    """Score one spoken answer.

    Args:
        question_id: the deck's question id (copied into the result).
        prepared_answer: the answer as prepared (for the verbatim metric).
        key_points: what a complete answer must contain; empty = the prepared answer's bullets or
            sentences (:func:`split_key_points`).
        transcript: what the transcriber heard (timings optional).
        language: ``ko`` or ``en``.
        time_limit_s: the question's time limit, for ``over_time`` and the time sub-score.
        options: thresholds and weights (:class:`ScoreOptions`).
        deck_texts: the deck's prepared answers; units that occur in many of them weigh less.
        prompt: the initial prompt Whisper was given (:func:`rehearse.prompts.whisper_prompt`): a segment that
            only repeats it where the user was silent is not part of the answer.
        question: the question as asked: a point whose words that are the question's own are said
            only in the negative is said the other way (:func:`rehearse.denial.denied_topic`).

    Returns:
        A :class:`Score`; ``no_speech`` answers score 0 with the verdict "no answer detected", and
        ``unclear`` ones (the transcript's ``voiced_s`` is voice, yet no words are left once
        what is not speech is set aside) score 0 with "24 s of speech, but no words could be
        made out: …".
    """
    options = options or ScoreOptions()
    points = [k for k in key_points if k.strip()] or split_key_points(prepared_answer)
    text, words = _speech(transcript, options, prompt)
    duration = transcript.duration_s
    if duration is None and words:
        duration = words[-1].end
    duration = None if duration is None else round(duration, 2)
    over_time = bool(time_limit_s and duration and duration > time_limit_s)
    if is_no_speech(transcript, options, prompt) or not text:
        unit = PACE_UNITS.get(language, "wpm")
        unclear = is_answer_voice(transcript.voiced_s)  # voice, but no words made out of it
        return Score(question_id, transcript.text.strip(), language, 0, 0.0,
                     [KeyPointResult(p, "missed", False, None, 0.0) for p in points],
                     Verbatim("cer" if language == "ko" else "wer", None), Pace(None, unit, None),
                     Fillers(0, None, {}), Pauses(0, None, options.long_pause_s), Delivery(),
                     duration, time_limit_s, over_time, None, not unclear, 0,
                     unclear_verdict(transcript.voiced_s) if unclear else NO_ANSWER,
                     unclear, transcript.voiced_s)
    tn.prepare([*points, prepared_answer, text], language)  # Korean: one parallel kiwi batch
    units = tn.analyse(text, language)
    rarity = deck_frequencies(tuple(deck_texts), language) if deck_texts else None
    prepared_keys = frozenset(k for t in (prepared_answer, *points) for u in tn.analyse(t, language)
                              for k in (u.key, u.alt) if k)
    prepared_surface = " ".join(tn.squash(w) for w in " ".join((prepared_answer, *points)).split())
    heard, units = _in_order(text, units, [prepared_answer, *points], points, language)
    results = match_key_points(points, heard, units, language, options, rarity, prepared_keys,
                               prepared_surface)
    if heard != text:
        _mark_scrambled(results, points, text, heard, language)
    if question.strip():
        deny_topics(results, points, question, heard, units, language)
    if options.meaning and any(r.reason in (None, "negated") and r.status != "covered"
                               for r in results):
        _lift_by_meaning(results, points, heard, language, options)
    coverage = (sum(1.0 if r.status == "covered" else 0.5 if r.status == "partial" else 0.0
                    for r in results) / len(results)) if results else 0.0
    content = round(100 * coverage)
    verbatim = _verbatim(prepared_answer, text, language, options)
    pace, fillers, pauses, delivery, first = _delivery(
        language, text, words, duration, time_limit_s, options)
    factor = 1.0 if delivery.score is None else \
        1 - options.delivery_weight * (1 - delivery.score / 100)
    score = round(content * factor)
    verdict = _verdict(score, results, verbatim, pace, fillers, over_time, duration, time_limit_s)
    return Score(question_id, text, language, score, round(coverage, 3), results, verbatim, pace,
                 fillers, pauses, delivery, duration, time_limit_s, over_time, first, False,
                 content, verdict, False, transcript.voiced_s)
