"""What in a Whisper transcript is not speech: stock phrases made up on silence, segments Whisper
itself rates as silence, and echoes of the initial prompt."""

from __future__ import annotations

import re
import unicodedata
from typing import Protocol

from rehearse.fillers import FILLERS_EN_ALWAYS, FILLERS_KO_ALWAYS
from rehearse.textnorm import squash
from rehearse.transcript import Segment, Transcript

# Whisper's stock phrases on silence/noise (matched on lower-cased text without spaces/punctuation).
STOCK_PHRASES = [
    r"(오늘도|끝까지)?시청해?주셔서(정말)?(감사|고맙)합?니다", r"(감사|고맙)합?니다", r"감사드립니다",
    r"구독(과|하고)?좋아요(알림설정)?(부탁드립니다|눌러주세요)?", r"다음영상에서(뵙겠습니다|만나요)",
    r"다음시간에(뵙겠습니다|만나요)", r"mbc뉴스\w{2,4}입니다", r"(한글)?자막(제공|by)\w*",
    r"이영상은유료광고를포함하고있습니다", r"안녕히계세요", r"네",
    r"(thank(s|you)(so|very)?much)?(for)?watching", r"thankyou(verymuch)?", r"thanks", r"you",
    r"(please)?(like(and)?)?subscribe(tomychannel)?", r"subtitlesby\w*", r"byebye|bye",
    r"(i'?ll|ill)?seeyou(in)?(the)?next(time|video)?", r"okay|ok",
]
_STOCK = re.compile("(?:" + "|".join(STOCK_PHRASES) + ")+")

# A Whisper segment is not speech when its no_speech_prob > p and avg_logprob < lp for one of these
# (p, lp). Whisper's own rule is (0.6, -1.0). Measured (bench/PROMPTS.md): its made-up text on
# silence, noise and hum scored (0.44-0.79, -0.83 or lower) or (0.21-0.55, -1.6 to -5.8); 558
# segments of espeak-ng speech had avg_logprob >= -0.33 when no_speech_prob > 0.5, >= -0.53 when
# > 0.3, and >= -0.89 always.
SILENCE_RULES: tuple[tuple[float, float], ...] = ((0.5, -0.7), (0.3, -1.0), (0.0, -2.0))
# ... or when it only repeats the initial prompt's words and no_speech_prob > this
ECHO_NO_SPEECH_PROB = 0.2


class SilenceRules(Protocol):
    """The thresholds the filter reads (:class:`rehearse.score.ScoreOptions` has them)."""

    silence_rules: list[tuple[float, float]]
    echo_no_speech_prob: float


class _Defaults:
    silence_rules = list(SILENCE_RULES)
    echo_no_speech_prob = ECHO_NO_SPEECH_PROB


def _words_of(text: str) -> list[str]:
    """Lower-cased words without fillers (for comparing a segment with the prompt)."""
    return [w for w in re.findall(r"[^\W_]+(?:'[^\W_]+)?", unicodedata.normalize("NFC", text).casefold())
            if w not in FILLERS_EN_ALWAYS and w not in FILLERS_KO_ALWAYS]


def _segment_is_silent(seg: Segment, options: SilenceRules,
                       prompt_words: frozenset[str] = frozenset()) -> bool:
    """A segment that is not speech: empty, a stock phrase, rated as silence or improbable by
    Whisper itself, or a repetition of the initial prompt heard in silence."""
    squashed = squash(seg.text)
    if not squashed or _STOCK.fullmatch(squashed):
        return True
    if any(seg.no_speech_prob > p and seg.avg_logprob < lp for p, lp in options.silence_rules):
        return True
    words = _words_of(seg.text)
    return (bool(prompt_words) and bool(words) and all(w in prompt_words for w in words)
            and seg.no_speech_prob > options.echo_no_speech_prob)


def _is_noise_text(text: str) -> bool:
    rest = _STOCK.sub("", squash(" ".join(_words_of(text))))
    return len(rest) < 2


def kept_segments(transcript: Transcript, options: SilenceRules, prompt: str | None) -> list[Segment]:
    """The segments that are speech (see :func:`is_no_speech`)."""
    prompt_words = frozenset(_words_of(prompt or ""))
    return [s for s in transcript.segments if not _segment_is_silent(s, options, prompt_words)]


def is_no_speech(transcript: Transcript, options: SilenceRules | None = None,
                 prompt: str | None = None) -> bool:
    """True when the transcript holds no answer.

    No answer: empty, only fillers, Whisper's stock phrases on silence ("시청해주셔서 감사합니다",
    "Thank you for watching"), or only segments that are not speech: rated as silence or too
    improbable by Whisper itself (``no_speech_prob`` and ``avg_logprob`` past one of the options'
    ``silence_rules``), or only repeating ``prompt``, the initial prompt Whisper was given (it does
    that on silence).
    """
    options = options or _Defaults()
    if not transcript.segments:
        return _is_noise_text(transcript.text)
    return _is_noise_text(" ".join(s.text for s in kept_segments(transcript, options, prompt)))
