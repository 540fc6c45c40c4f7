"""Evaluate an answer: the steps that practice, recovery and `rehearse score` share.

The deck's Whisper prompt, the voice gate before Whisper, and the scoring of a transcript against
a question's prepared answer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from rehearse.audio import SAMPLE_RATE
from rehearse.deck import Deck, Question
from rehearse.prompts import whisper_prompt
from rehearse.score import Score, ScoreOptions, score_answer
from rehearse.transcribe import TranscribeOptions, transcribe
from rehearse.transcript import Transcript
from rehearse.voice import is_answer_voice, voiced_s

if TYPE_CHECKING:
    from collections.abc import Callable

    import numpy as np

    TranscribeFn = Callable[[np.ndarray, str, TranscribeOptions], Transcript]


def deck_texts(deck: Deck) -> tuple[str, ...]:
    """Every prepared answer of the deck: the scorer weighs words common to all of them less."""
    return tuple(q.answer for q in deck.walk() if q.answer)


def evaluate(deck: Deck, question: Question, transcript: Transcript, prompt: str | None = None,
             options: ScoreOptions | None = None) -> Score:
    """Score a transcript against a question's prepared answer.

    Args:
        prompt: the initial prompt Whisper was given, so that an echo of it is not scored.
        options: thresholds and weights (default `ScoreOptions`).
    """
    limit = question.time_limit or deck.time_limit
    return score_answer(
        question.id,
        question.answer,
        question.key_points,
        transcript,
        language=deck.language,
        time_limit_s=limit,
        deck_texts=deck_texts(deck),
        prompt=prompt,
        options=options,
        question=question.question,
    )


def deck_transcribe_options(deck: Deck, options: TranscribeOptions) -> TranscribeOptions:
    """``options`` with the deck's Whisper prompt (:func:`rehearse.prompts.whisper_prompt`: written
    with fillers, so that Whisper keeps the user's), unless a prompt was given."""
    if options.initial_prompt is not None:
        return options
    return replace(options, initial_prompt=whisper_prompt(list(deck_texts(deck)), deck.language))


def transcribe_heard(samples: np.ndarray, language: str, options: TranscribeOptions,
                     transcribe_fn: TranscribeFn | None = None) -> Transcript:
    """Transcribe 16 kHz audio, or return an empty transcript (no answer) if it holds no voice
    (`rehearse.voice.is_answer_voice`, as `rehearse.voice.heard_voice` decides).
    Either way the transcript carries the seconds of voice heard (``voiced_s``), so that voice
    Whisper made no words of is told apart from silence.

    Args:
        transcribe_fn: the engine call (default `rehearse.transcribe.transcribe`; tests pass a fake).
    """
    voice = round(voiced_s(samples, SAMPLE_RATE), 2)
    if not is_answer_voice(voice):
        return Transcript(text="", language=language, segments=[],
                          duration_s=samples.size / SAMPLE_RATE, engine=options.engine,
                          model=options.model, voiced_s=voice)
    return replace((transcribe_fn or transcribe)(samples, language, options), voiced_s=voice)
