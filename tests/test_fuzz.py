"""Fuzzing the readers of untrusted files: the notes importer, the deck loader, the audio reader.

Whatever the bytes, each either returns a sound result or raises one of the project's own errors
(`RehearseError`): never a traceback. The normal suite runs a small, fixed sample; a fuzz run
draws fresh cases:

    REHEARSE_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/test_fuzz.py --hypothesis-show-statistics
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from rehearse.audio import read_audio
from rehearse.deck import DECK_KEYS, QUESTION_KEYS, dump_deck_yaml, load_deck
from rehearse.errors import AudioFileError, DeckError, RehearseError
from rehearse.notes import import_notes
from rehearse.paths import MAX_NAME_BYTES, answer_file, safe_name

FUZZ_EXAMPLES = int(os.environ.get("REHEARSE_FUZZ_EXAMPLES") or 0)


def fuzz(default: int):
    """The normal suite runs ``default`` fixed cases (derandomised: no flaky CI); a fuzz run
    (``REHEARSE_FUZZ_EXAMPLES=N``) runs N fresh ones per test."""
    return settings(
        max_examples=FUZZ_EXAMPLES or default,
        derandomize=not FUZZ_EXAMPLES,
        deadline=None,  # the audio reader starts ffmpeg for what libsndfile cannot read
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.filter_too_much],
        print_blob=True,
    )


# ---------------------------------------------------------------- notes

WORDS = st.sampled_from(["Tell", "me", "about", "yourself", "why", "this", "company", "Python",
                         "지원동기", "자기소개", "배스", "낚시", "희망연봉", "성장", "팀", "경험", "했습니다",
                         "-", "※", "https://example.com", "[x]", "[/]", "../..", "CON", "\t", "  ", ":",
                         "#", "1.", "2-1.", "&a", "*a", "{", "}", "'", '"', "\\", "…", "。"])
PHRASE = st.lists(WORDS, min_size=0, max_size=8).map(" ".join)
INDENT = st.sampled_from(["", "\t", "\t\t", "  ", "    ", " \t", "\t "])
NOTES_LINE = st.one_of(
    st.tuples(st.integers(1, 7), PHRASE).map(lambda t: "#" * t[0] + " " + t[1]),
    st.tuples(INDENT, st.integers(0, 1000), PHRASE).map(lambda t: f"{t[0]}{t[1]}. {t[2]}"),
    st.tuples(INDENT, st.integers(1, 20), st.integers(1, 20), PHRASE).map(
        lambda t: f"{t[0]}{t[1]}-{t[2]}. {t[3]}"),
    st.tuples(INDENT, PHRASE).map(lambda t: f"{t[0]}- {t[1]}"),
    st.tuples(INDENT, PHRASE).map(lambda t: t[0] + t[1]),
    st.sampled_from(["=====", "---", "***", "", "   ", "```", "~~~", "questions:", "\ufeff# x"]),
    st.text(max_size=40),
)
NOTES = st.tuples(st.lists(NOTES_LINE, max_size=40), st.sampled_from(["\n", "\r\n", "\r", "\u2028"])).map(
    lambda t: t[1].join(t[0]))


def _check_deck(deck) -> None:
    """What every deck the loaders return must satisfy, however odd its source."""
    ids = [q.id for q in deck.walk()]
    assert deck.questions and all(ids) and len(ids) == len(set(ids))
    assert deck.language in ("ko", "en")
    for q in deck.walk():
        assert q.question and isinstance(q.answer, str) and isinstance(q.key_points, list)


@fuzz(200)
@given(NOTES)
@example("# 자기소개\n\t배스 낚시\n1.\n2. why\n\t- a\n\t\t- b\n2-1. x\n=====\n※ note")
@example("1. a\n\x1b[31m2. b\x07\n\tanswer\x00")
def test_notes_importer_returns_a_deck_or_a_deck_error(text):
    try:
        result = import_notes(text)
    except DeckError:
        return
    _check_deck(result.deck)
    # what the importer writes, the loader reads back to the same questions
    reloaded = _load_yaml_text(dump_deck_yaml(result.deck))
    assert [q.id for q in reloaded.walk()] == [q.id for q in result.deck.walk()]
    assert [q.answer for q in reloaded.walk()] == [q.answer for q in result.deck.walk()]


def _load_yaml_text(text: str):
    path = _scratch() / "roundtrip.yaml"
    path.write_text(text, encoding="utf-8")
    return load_deck(path)


_SCRATCH: list[Path] = []


def _scratch() -> Path:
    """One folder for the fuzz cases' files (hypothesis cannot take function-scoped fixtures)."""
    if not _SCRATCH:
        import tempfile

        _SCRATCH.append(Path(tempfile.mkdtemp(prefix="rehearse-fuzz-")))
    return _SCRATCH[0]


@pytest.fixture(scope="module", autouse=True)
def _cleanup_scratch():
    yield
    while _SCRATCH:
        shutil.rmtree(_SCRATCH.pop(), ignore_errors=True)


# ---------------------------------------------------------------- decks

SCALAR = st.one_of(PHRASE, st.text(max_size=20), st.integers(-10**20, 10**20), st.floats(),
                   st.booleans(), st.none(), st.sampled_from(["en", "ko", "kr", ".inf", "-1", "0x10"]))
KEY = st.one_of(st.sampled_from(DECK_KEYS + QUESTION_KEYS), st.text(max_size=8))
TREE = st.recursive(SCALAR, lambda kids: st.one_of(st.lists(kids, max_size=4),
                                                   st.dictionaries(KEY, kids, max_size=6)),
                    max_leaves=30)
QUESTION = st.fixed_dictionaries(
    {"question": PHRASE},
    optional={"id": st.one_of(PHRASE, st.text(max_size=10)), "answer": PHRASE, "answer_from": PHRASE,
              "key_points": st.lists(PHRASE, max_size=3), "time_limit": SCALAR, "tags": TREE,
              "variants": st.lists(PHRASE, max_size=2), "follow_ups": st.lists(
                  st.fixed_dictionaries({"question": PHRASE}, optional={"answer": PHRASE}), max_size=2)})
DECK = st.fixed_dictionaries(
    {"questions": st.one_of(st.lists(QUESTION, max_size=5), TREE)},
    optional={"title": SCALAR, "language": SCALAR, "time_limit": SCALAR, "notes": SCALAR, "voice": SCALAR})
YAML_NOISE = st.sampled_from(["&a ", "*a", "<<: *a\n", "!!python/object:os.system ", "---\n", "%YAML 1.1\n",
                              "? ", "[", "{", "|", ">", "\t", "'", '"', "\\x07", "\x00", "\ufeff", "#"])


@st.composite
def yaml_texts(draw) -> str:
    text = yaml.safe_dump(draw(st.one_of(DECK, TREE)), allow_unicode=draw(st.booleans()))
    for _ in range(draw(st.integers(0, 3))):  # then break it a little
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(YAML_NOISE) + text[at + draw(st.integers(0, 3)):]
    return text


@fuzz(200)
@given(yaml_texts(), st.sampled_from([".yaml", ".yml", ""]))
@example("a: &a [*a]\nquestions: *a\n", ".yaml")
@example("questions:\n- &q {question: q, follow_ups: [*q]}\n", ".yaml")
@example("questions: [{question: x, time_limit: .nan}]\n", ".yaml")
def test_deck_loader_returns_a_deck_or_a_deck_error(text, suffix):
    path = _scratch() / f"deck{suffix}"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        deck = load_deck(path)
    except RehearseError:
        return
    _check_deck(deck)


@fuzz(200)
@given(st.binary(max_size=3000), st.sampled_from([".yaml", ".txt", ".md", ""]))
@example(b"\xff\xfe" + "questions:\n- question: 안녕\n".encode("utf-16-le"), ".yaml")
@example(b"\xef\xbb\xbf# \xea\xb0\x80\n1. x\n\ty\n", ".txt")
@example(b"# q\n\xc3\x28\n", ".txt")
def test_deck_loader_on_arbitrary_bytes(data, suffix):
    path = _scratch() / f"bytes{suffix}"
    path.write_bytes(data)
    try:
        deck = load_deck(path)
    except RehearseError:
        return
    _check_deck(deck)


# ---------------------------------------------------------------- audio

_SEEDS: dict[str, bytes] = {}


def _seed_files() -> dict[str, bytes]:
    """Small real recordings (WAV 16-bit and float, FLAC, OGG, MP3) whose headers get mutated."""
    if not _SEEDS:
        t = np.arange(1600) / 16_000
        tone = (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
        for name, kw in [("pcm.wav", {"subtype": "PCM_16"}), ("float.wav", {"subtype": "FLOAT"}),
                         ("a.flac", {}), ("a.ogg", {})]:
            path = _scratch() / f"seed-{name}"
            sf.write(str(path), tone, 16_000, **kw)
            _SEEDS[name] = path.read_bytes()
        if shutil.which("ffmpeg"):
            mp3 = _scratch() / "seed-a.mp3"
            subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", str(_scratch() / "seed-pcm.wav"), str(mp3)],
                           check=True)
            _SEEDS["a.mp3"] = mp3.read_bytes()
    return _SEEDS


EXTREMES = st.sampled_from([b"\x00\x00\x00\x00", b"\xff\xff\xff\xff", b"\xff\xff\xff\x7f",
                            b"\x00\x00\x00\x80", b"\x01\x00\x00\x00", b"\x00\x00\x01\x00",
                            b"\xff\xff", b"\x00"])


@st.composite
def mutated_audio(draw) -> tuple[str, bytes]:
    seeds = _seed_files()
    name = draw(st.sampled_from(sorted(seeds)))
    data = bytearray(seeds[name])
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["byte", "field", "truncate", "append", "splice"]))
        head = min(len(data), 128) or 1  # headers live at the start
        if op == "byte" and data:
            data[draw(st.integers(0, head - 1))] = draw(st.integers(0, 255))
        elif op == "field" and data:
            at = draw(st.integers(0, head - 1))
            value = draw(EXTREMES)
            data[at:at + len(value)] = value
        elif op == "truncate":
            del data[draw(st.integers(0, len(data))):]
        elif op == "append":
            data += draw(st.binary(max_size=64))
        else:
            at = draw(st.integers(0, len(data)))
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
    suffix = draw(st.sampled_from([Path(name).suffix, ".wav", ".bin"]))
    return suffix, bytes(data)


MAGIC = st.sampled_from([b"", b"RIFF", b"RIFF\x24\x00\x00\x00WAVEfmt ", b"fLaC", b"OggS", b"ID3", b"\xff\xfb",
                         b"FORM", b".snd", b"RF64"])


def _check_audio(suffix: str, data: bytes) -> None:
    path = _scratch() / f"audio{suffix}"
    path.write_bytes(data)
    try:
        audio = read_audio(path)
    except AudioFileError:
        return
    assert audio.ndim == 1 and audio.dtype == np.float32 and audio.size > 0
    assert np.isfinite(audio).all()


@fuzz(40)
@given(mutated_audio())
# found by the 10,000-case run: a sample rate of 8,388,608 Hz left no sample at 16 kHz
@example((".wav", b"RIFF\x00\x0c\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x00\x00\x80\x00\x00}\x00\x00"
                  b"\x02\x00\x10\x00data\x80\x0c\x00\x00\x00\x00"))
def test_audio_reader_on_mutated_real_files(case):
    _check_audio(*case)


@fuzz(20)
@given(MAGIC, st.binary(max_size=400), st.sampled_from([".wav", ".flac", ".ogg", ".mp3", ""]))
def test_audio_reader_on_arbitrary_bytes(magic, body, suffix):
    _check_audio(suffix, magic + body)


# ---------------------------------------------------------------- file names


@fuzz(200)
@given(st.text(max_size=600))
@example("../../etc/passwd")
@example("CON.txt")
@example("\U00020000" * 100)
def test_safe_name_is_one_harmless_file_name(text):
    name = safe_name(text)
    assert name and name not in (".", "..") and not name.startswith(".")
    assert "/" not in name and "\\" not in name and "\0" not in name
    assert len(name.encode("utf-8")) <= MAX_NAME_BYTES
    assert name.split(".")[0].lower() not in ("con", "prn", "aux", "nul")
    folder = _scratch() / "answers"
    assert answer_file(folder, text).parent == folder
