"""The stream's options: where an answer is cut, how much speech each stretch is heard with, and
when the worker decodes speculatively (`rehearse.stream`); the measurements behind each value
are in bench/README.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class StreamOptions:
    """Where an answer is cut and how much goes to Whisper at once."""

    # Whisper guesses worse with less speech in view (these were measured when every stretch was
    # padded to a 30 s window, before `TranscribeOptions.window_floor_s`). Measured on
    # espeak-ng answers of 65 and 122 s (whole file: WER 3.1% and 2.3%): cuts at sentence pauses
    # into stretches of at least 12 s gave 3.1% and 1.6%; at least 8 s, 6.1% and 3.3%; allowing
    # comma pauses (0.2 s), 4.9%; the previous stretch's text as Whisper's prompt, never better.
    # Shorter stretches would shorten the tail, the only work left when the answer ends.
    min_chunk_s: float = 12.0  # s; never cut a shorter stretch
    long_chunk_s: float = 22.0  # s; until a stretch is this long, only a sentence pause cuts it
    max_chunk_s: float = 26.0  # s; cut here even without a pause (Whisper sees 30 s at once)
    pause_s: float = 0.2  # s of quiet that count as a pause to cut at (espeak: 0.5 at full stops)
    # s of quiet that end a speculative pass once ``speculate_long_s`` have gone by: a comma's
    # pause. In bench_feedback.py's 12 espeak-ng answers (81 commas) quiet runs inside speech are
    # 0.02-0.04 s and none is 0.06-0.08 s; the commas' are 0.10-0.22 s, mostly under ``pause_s``,
    # so a long last sentence had no pass before its end
    comma_pause_s: float = 0.12
    sentence_pause_s: float = 0.4  # s; a pause this long most likely ends a sentence
    # s; a pause this long may end the answer (the recorder stops after `silence_s`): cut there at
    # any length, so the last stretch is transcribed while the recorder waits out the silence
    end_pause_s: float = 1.0
    min_voiced_s: float = 0.1  # s of voice a stretch needs to be transcribed at all
    # Measured with openai-whisper base and the filler prompt on six espeak-ng answers of 20-133 s,
    # cut as the worker cuts them (bench/bench_context.py): mean WER 5.9% with every stretch heard
    # alone, 3.8% with context_s 8, 3.5% with 14 (~0.5 s more after Enter); the whole files 2.7%.
    # Longer windows, or a lead-in before every stretch, made some windows fail outright (22-29%
    # WER on three answers) when the lead-in's words were decoded again; given as a timed prefix
    # they do not (``lead_in_s``).
    # The context costs its encoding (a window shorter than 30 s is encoded at its own length,
    # `TranscribeOptions.window_floor_s`, 10 s at least) and, where the engine cannot take its words
    # as given (`TranscribeOptions.prefix`: openai-whisper, English), their decoding (~0.05 s a word).
    context_s: float = 8.0  # s; a shorter stretch is heard with the audio before it, this long in all
    # s of the speech before it that a longer stretch is heard with, where the engine takes the
    # words of that speech as given (`transcribe.takes_prefix`): the first word after a cut heard
    # in its sentence, not at the window's edge (0: none). bench_feedback.py, openai-whisper, all
    # 12 answers: WER joined 6.82 / 6.90 -> 6.63 % against 6.08 whole, worst answer +2.6 -> +2.2,
    # feedback the same (0.82 / 0.32 s p50); better on 4 answers, worse on 2 (bench/README.md)
    lead_in_s: float = 3.0
    # s: the same for speculative passes and what the end decodes after them (the last stretch's
    # pieces) where the engine takes the context's words as given (`transcribe.takes_prefix`).
    # bench_feedback.py, openai-whisper: words after the last cut 13.4 % WER with 8, 8.0 % with 14,
    # 8.7 % with 20 (before it 6 %); feedback p50 0.31, 0.37, 0.83 s at Enter +0.7 s. The cut
    # rules' stretches keep ``context_s`` (with 14 one lost two sentences), and faster-whisper,
    # which decodes the context again (14: feedback 0.36 -> 0.6-0.8 s; bench/README.md).
    tail_context_s: float = 14.0
    # s of quiet after which an idle worker decodes, speculatively, what no pass has decoded since
    # the last cut, in case the answer ends there (0: never); see the module's docstring.
    speculate_pause_s: float = 0.3
    # s of quiet after which a pass is made already where each call costs a whole 30 s window
    # (`transcribe.whole_window`: faster-whisper, 0.6-1.4 s a pass however little it hears), so
    # that one begun at the end of the answer is done sooner after Enter; kept only if the pause
    # reaches ``speculate_pause_s`` or the answer ends in it: if voice comes back first, its words
    # are dropped and the next pass decodes from where it began (0: never). With every pass at
    # 0.2 s (bench/README.md), comma pieces cost the joined transcript up to 10 points of WER.
    provisional_pause_s: float = 0.2
    # s since the last pass after which any pause (``pause_s``, a comma) will do for the next: a
    # long last sentence is then mostly decoded before it ends
    speculate_long_s: float = 6.0
    # s: with not even a comma's pause by ``speculate_long_s`` + half this, a pass ends anyway, at
    # the quietest point of the last this-many seconds (0: never), its last words left to the next
    # pass (`words_before`). Off: on bench_feedback.py's two answers ending on a 16-17 s sentence it
    # left 0-7 s to decode after Enter instead of 16-17, but Enter often waited for a pass in hand
    # and the ~6 s pieces cost the joined transcript up to 7.8 points of WER (bench/README.md).
    speculate_quiet_s: float = 0.0
    # s of voice that no word of a decoded stretch covers (between two words, or after the last)
    # after which the stretch is decoded again from there: Whisper sometimes ends a window early
    # and leaves whole sentences out (bench_feedback.py's answer 1: a 20 s stretch came back with
    # its first 9 s only). Pauses between sentences hold no voice, and word timings are off by
    # tenths of a second, so 2 s of voice is speech that was not written down (0: never).
    redecode_gap_s: float = 2.0
