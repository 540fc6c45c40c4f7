"""Seams: where one decoded stretch of an answer meets the next.

Whisper guesses worse at the edge of its window, so a short stretch is heard with the speech before
it (`window_start`) and only the words whose middle falls in the stretch are kept (`words_after`);
a pass cut where there was no pause leaves out its last word (`words_before`); a stretch decoded
again from a word on keeps what came before it (`words_until`) and takes the new words, timed from
its own window (`shifted`).
"""

from __future__ import annotations

from dataclasses import replace

from rehearse.pauses import Pause
from rehearse.transcript import Segment, Transcript, Word

NO_SPACES = {"zh", "ja", "th", "lo", "my", "yue", "bo"}  # languages written without spaces between words


def window_start(pauses: list[Pause], start: int, end: int, context_s: float, samplerate: int) -> int:
    """Where Whisper's window for the stretch ``start:end`` begins: ``context_s`` before its end
    when the stretch is shorter than that, at a pause if one is within a second before, else at
    the first pause after it (a word cut in two confuses Whisper, and with the filler prompt it
    can start a repetition loop: "online shop" heard from 0.3 s into "online" came back as "I'm
    not a good guy." over and over); the stretch's own start otherwise."""
    want = int(context_s * samplerate)
    if end - start >= want or start == 0:
        return start
    back = max(0, end - want)
    near = [p.cut for p in pauses if back - samplerate <= p.cut <= back]
    if near:
        return near[-1]
    later = [p.cut for p in pauses if back < p.cut < start]
    return later[0] if later else back


def words_before(part: Transcript, cut_s: float, seam_s: float = 0.5) -> tuple[Transcript, float] | None:
    """``part`` without its last word and any word ending within ``seam_s`` of ``cut_s`` (where its
    audio was cut, perhaps inside a word: Whisper may also hear the word before as the fragment
    and it together, "I wor-" as "might"), and the time between the last word kept and the first
    left out: the next stretch starts there, and by the context rule (`words_after`, a word's
    middle) it takes the words left out, heard whole, and none of those kept. None when no word
    is left, or a segment has no word timings to cut by."""
    if any(seg.text.strip() and not seg.words for seg in part.segments):
        return None
    words = [w for seg in part.segments for w in seg.words]
    drop = next((i for i, w in enumerate(words) if w.end > cut_s - seam_s), len(words) - 1)
    drop = min(drop, len(words) - 1)
    if drop <= 0:
        return None
    seam = (words[drop - 1].end + words[drop].start) / 2
    sep = "" if part.language in NO_SPACES else " "
    segments, left = [], drop
    for seg in part.segments:
        if left <= 0:
            break
        kept, left = seg.words[:left], left - len(seg.words)
        segments.append(seg if len(kept) == len(seg.words) else Segment(
            start=seg.start, end=kept[-1].end, text=sep.join(w.text for w in kept), words=kept,
            no_speech_prob=seg.no_speech_prob, avg_logprob=seg.avg_logprob,
            compression_ratio=seg.compression_ratio,
        ))
    return Transcript(text=" ".join(seg.text.strip() for seg in segments if seg.text.strip()),
                      language=part.language, segments=segments, duration_s=part.duration_s,
                      engine=part.engine, model=part.model), seam


def words_until(part: Transcript, until_s: float) -> Transcript:
    """``part`` without the words whose middle falls after ``until_s`` (and the segments without
    word timings whose middle does)."""
    sep = "" if part.language in NO_SPACES else " "
    segments = []
    for seg in part.segments:
        words = [w for w in seg.words if (w.start + w.end) / 2 < until_s]
        if (not words if seg.words else (seg.start + seg.end) / 2 >= until_s):
            continue
        segments.append(seg if len(words) == len(seg.words) else Segment(
            start=seg.start, end=words[-1].end, text=sep.join(w.text for w in words), words=words,
            no_speech_prob=seg.no_speech_prob, avg_logprob=seg.avg_logprob,
            compression_ratio=seg.compression_ratio,
        ))
    return replace(part, text=" ".join(seg.text.strip() for seg in segments if seg.text.strip()),
                   segments=segments)


def shifted(part: Transcript, by_s: float) -> Transcript:
    """``part`` with every timing moved ``by_s`` seconds later."""
    return replace(part, segments=[Segment(
        start=seg.start + by_s, end=seg.end + by_s, text=seg.text,
        words=[Word(w.text, w.start + by_s, w.end + by_s, w.probability) for w in seg.words],
        no_speech_prob=seg.no_speech_prob, avg_logprob=seg.avg_logprob,
        compression_ratio=seg.compression_ratio) for seg in part.segments])


def words_after(part: Transcript, skip_s: float) -> Transcript:
    """``part`` without what Whisper heard in its first ``skip_s`` seconds (the context): the
    words whose middle falls there, and the segments without word timings whose middle does."""
    if skip_s <= 0:
        return part
    sep = "" if part.language in NO_SPACES else " "  # engines give words without their spaces
    segments = []
    for seg in part.segments:
        words = [w for w in seg.words if (w.start + w.end) / 2 >= skip_s]
        if (not words if seg.words else (seg.start + seg.end) / 2 < skip_s):
            continue
        if len(words) == len(seg.words):
            segments.append(seg)
            continue
        segments.append(Segment(
            start=words[0].start, end=seg.end, text=sep.join(w.text for w in words), words=words,
            no_speech_prob=seg.no_speech_prob, avg_logprob=seg.avg_logprob,
            compression_ratio=seg.compression_ratio,
        ))
    return Transcript(text=" ".join(seg.text for seg in segments if seg.text), language=part.language,
                      segments=segments, duration_s=part.duration_s, engine=part.engine, model=part.model)
