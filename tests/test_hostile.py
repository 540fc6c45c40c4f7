"""Hostile and broken input: ids and titles that try to leave `recordings/`, decks that are binary
or a gigabyte, audio files that are empty, cut off or not audio at all.

Files land where they should (asserted by listing every file the run made), the output stays
readable, memory stays bounded, and each bad file gets one exact sentence.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from click.testing import CliRunner

from rehearse.audio import read_audio
from rehearse.cli import cli
from rehearse.deck import Deck, load_deck
from rehearse.errors import AudioFileError
from rehearse.paths import MAX_NAME_BYTES, answer_file, safe_name

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "questions" / "sample-en.yaml"

HOSTILE_IDS = [
    "../../escape",  # would read DIR/../../escape.wav and write recordings/<deck>/../../escape.wav
    "/etc/passwd",
    "a\x1b[31mred\x07bell",  # control characters (YAML escapes): U+FFFD once the deck loads
    "CON",
    "nul.txt",
    "a/b",
    "a-b",  # the same safe name as "a/b"
    "x" * 500,
    "x" * 499 + "y",  # the same first 80 characters as the one above
    "\U00020000" * 100,  # 4-byte letters: 100 characters, 400 bytes
]


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()}


def _tone(path: Path, seconds: float) -> None:
    t = np.arange(int(16_000 * seconds)) / 16_000
    sf.write(str(path), (0.2 * np.sin(2 * np.pi * 330 * t)).astype(np.float32), 16_000)


# ---------------------------------------------------------------- where files land


@pytest.mark.parametrize("text, expected", [
    ("../../escape", "escape"),
    ("/etc/passwd", "etc-passwd"),
    ("..", "untitled"),
    ("", "untitled"),
    ("CON", "_CON"),
    ("nul.txt", "_nul.txt"),
    ("Com1.wav", "_Com1.wav"),
    ("LPT¹", "_LPT¹"),
    ("a\x1b[31mred\x07", "a-31mred"),
    ("자기소개 / 지원동기", "자기소개-지원동기"),
    ("x" * 500, "x" * 80),
    ("\U00020000" * 100, "\U00020000" * (MAX_NAME_BYTES // 4)),
])
def test_safe_name(text, expected):
    assert safe_name(text) == expected


def test_a_deck_without_a_file_is_named_safely_by_its_title():
    assert Deck(title="../../etc/CON", language="en", questions=[]).name == "etc-CON"


def test_answer_file_never_leaves_its_folder(tmp_path):
    folder = tmp_path / "answers"
    folder.mkdir()
    (tmp_path / "escape.wav").write_bytes(b"decoy")
    for qid in HOSTILE_IDS:
        assert answer_file(folder, qid).parent == folder
    assert answer_file(folder, "../escape") == folder / "escape.wav"  # not tmp_path/escape.wav
    (folder / "tell me.wav").write_bytes(b"x")
    assert answer_file(folder, "tell me") == folder / "tell me.wav"  # plain ids keep their own name


def test_hostile_ids_and_titles_never_make_a_file_outside_recordings(whisper_base, workspace_dir, tmp_path,
                                                                     monkeypatch):
    deck_path = tmp_path / "..\x1bhostile CON.yaml"
    questions = [{"id": qid, "question": f"Question {i}: what does [x] mean? [/]", "answer": "An answer."}
                 for i, qid in enumerate(HOSTILE_IDS)]
    title = "../../etc/\x1b]0;pwned\x07 [bold]title[/]"  # ESC ] 0; sets a terminal's window title
    deck_path.write_text(yaml.safe_dump({"title": title, "language": "en", "questions": questions}),
                         encoding="utf-8")
    deck = load_deck(deck_path)
    answers = tmp_path / "answers"
    answers.mkdir()
    for i, q in enumerate(deck.questions):  # "a/b" and "a-b" share a-b.wav: the later one stays
        _tone(answer_file(answers, q.id), 0.5 + 0.1 * i)  # each answer's length tells it apart
    _tone(tmp_path / "escape.wav", 3.0)  # the decoy "../../escape" would reach without the guard
    before = _files(tmp_path)

    monkeypatch.setenv("COLUMNS", "300")
    r = CliRunner().invoke(cli, ["practice", str(deck_path), "--answers-from", str(answers), "--no-speak"],
                           catch_exceptions=False)
    assert r.exit_code == 0, r.output

    recordings = workspace_dir / "recordings"
    made = _files(tmp_path) - before
    assert made and all(recordings in p.parents for p in made)
    wavs = sorted(p for p in made if p.suffix == ".wav")
    assert len(wavs) == len(HOSTILE_IDS)  # one each: no two ids share (and overwrite) a recording
    session_dirs = {p.parent for p in wavs}
    assert len(session_dirs) == 1 and next(iter(session_dirs)).parent == recordings / deck.name
    assert all(len(p.name.encode()) <= 255 for p in made)

    # each attempt keeps its own answer (the decoy was never read) and stays listed and playable
    from rehearse.store import Store

    store = Store(recordings / "history.sqlite")
    attempts = store.attempts()
    store.close()
    assert [a.question_id for a in attempts] == [q.id for q in deck.questions]
    for q, a in zip(deck.questions, attempts, strict=True):
        assert Path(a.audio_path) in wavs
        assert read_audio(a.audio_path).size == read_audio(answer_file(answers, q.id)).size
    assert read_audio(attempts[0].audio_path).size == 8_000  # "../../escape": 0.5 s, not the 3 s decoy
    listed = CliRunner().invoke(cli, ["play", "--list"], catch_exceptions=False)
    assert listed.exit_code == 0 and all(a.audio_path in listed.output for a in attempts)

    # shown as written, markup and all; no terminal escape gets through
    assert "what does [x] mean? [/]" in r.output
    assert "\x1b" not in r.output and "\x07" not in r.output and "a\ufffd[31mred\ufffdbell" in r.output


# ---------------------------------------------------------------- binary and huge decks

PEAK_RSS = """
import resource, sys
from pathlib import Path
from rehearse.deck import load_deck
from rehearse.errors import RehearseError
from rehearse.notes import import_notes
load = {"deck": load_deck, "notes": import_notes}[sys.argv[2]]
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    load(Path(sys.argv[1]))
    print("loaded")
except RehearseError as e:
    print(e)
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)  # MiB
"""


def _huge(path: Path) -> Path:
    with open(path, "wb") as f:
        f.truncate(1024**3)  # 1 GiB, sparse: it costs no disk
    return path


def _binary(path: Path) -> Path:  # a PNG, whatever its name
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + np.random.default_rng(1).bytes(200_000))
    return path


_IMAGE = ("this is an image (PNG), not notes: rehearse reads text notes (.txt, .md), spreadsheets "
          "(.csv, .tsv, .xlsx), Word files (.docx) and YAML decks; type the notes into a .txt file")


def _latin1(path: Path) -> Path:  # notes saved as Latin-1 ("été" on line 3), not UTF-8
    path.write_bytes(b"# heading\n1. question\n\t\xe9t\xe9\n" + b"more text\n" * 20_000)
    return path


@pytest.mark.parametrize("make, name, message", [
    (_huge, "huge.yaml", "{p}: file is larger than 10 MB; a deck or notes file is plain text"),
    (_huge, "huge.txt", "{p}: file is larger than 10 MB; a deck or notes file is plain text"),
    (_binary, "photo.yaml", "{p}:1: " + _IMAGE),
    (_binary, "photo.txt", "{p}:1: " + _IMAGE),
    (_latin1, "latin.txt", "{p}:3: not UTF-8 text (byte 0xe9); save the file as UTF-8"),
])
@pytest.mark.parametrize("how", ["deck", "notes"])
def test_binary_or_huge_deck_is_one_error_in_bounded_memory(tmp_path, make, name, message, how):
    path = make(tmp_path / name)
    proc = subprocess.run([sys.executable, "-c", PEAK_RSS, str(path), how], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr
    said, grew_mib = proc.stdout.splitlines()
    assert said == message.format(p=path)
    assert int(grew_mib) < 40  # a 1 GiB file costs at most the 10 MB read cap


def test_practice_and_import_refuse_a_huge_file(tmp_path):
    huge = _huge(tmp_path / "notes.txt")
    for args in (["practice", str(huge), "--no-speak"], ["import", str(huge)], ["check", str(huge)]):
        r = CliRunner().invoke(cli, args, catch_exceptions=False)
        assert r.exit_code in (1, 2), r.output
        assert f"{huge}: file is larger than 10 MB; a deck or notes file is plain text" in r.output
        assert "Traceback" not in r.output


# ---------------------------------------------------------------- broken audio files


@pytest.fixture
def real_answer(tmp_path) -> Path:
    path = tmp_path / "real.wav"
    _tone(path, 2.0)
    return path


INVALID = "Invalid data found when processing input"  # ffmpeg's words: libsndfile gave up first


@pytest.mark.parametrize("name, make, detail", [
    ("empty.wav", lambda real: b"", None),
    ("notes.wav", lambda real: b"this is not audio at all\n" * 10, INVALID),
    ("cut-header.wav", lambda real: real[:30], INVALID),
    ("zeros.wav", lambda real: bytes(5000), INVALID),
])
def test_score_audio_that_cannot_be_read_is_one_exact_error(tmp_path, real_answer, name, make, detail):
    bad = tmp_path / name
    bad.write_bytes(make(real_answer.read_bytes()))
    r = CliRunner().invoke(cli, ["score", str(SAMPLE), "tell-me-about-yourself", "--audio", str(bad)],
                           catch_exceptions=False)
    assert r.exit_code == 5
    reason = f"not a readable audio file ({detail})" if detail else "the audio file is empty (0 bytes)"
    assert r.output == f"error: {bad}: {reason}\n"


def test_a_wav_cut_in_its_samples_reads_up_to_the_cut(tmp_path, real_answer):
    # what a crash leaves and what recovery relies on: the samples before the cut are the answer
    cut = tmp_path / "cut.wav"
    cut.write_bytes(real_answer.read_bytes()[:44 + 16_000 * 2])
    assert read_audio(cut).size == 16_000


def test_an_answer_longer_than_the_limit_is_refused(tmp_path, monkeypatch):
    import rehearse.audio as audio

    monkeypatch.setattr(audio, "MAX_AUDIO_S", 60)
    long = tmp_path / "long.flac"
    sf.write(str(long), np.zeros(16_000 * 61, np.float32), 16_000)
    with pytest.raises(AudioFileError, match=r"long.flac: the recording is longer than 1 minutes; give one"):
        read_audio(long)


def test_a_header_claiming_billions_of_frames_costs_only_what_is_there(tmp_path, real_answer):
    # found by tests/test_fuzz.py: an MP3 whose Info (Xing) header claimed billions of frames made
    # soundfile ask for tens of GiB at once (MemoryError); read block by block, memory follows the
    # samples really there
    mp3 = tmp_path / "lying.mp3"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(real_answer), str(mp3)], check=True)
    data = bytearray(mp3.read_bytes())
    at = data.index(b"Info") + 8  # after the tag and its flags: the frame count
    data[at:at + 4] = (0x0FFFFFFF).to_bytes(4, "big")
    mp3.write_bytes(bytes(data))
    assert sf.info(str(mp3)).frames > 10**11  # what libsndfile now believes
    assert abs(read_audio(mp3).size - 32_000) < 2_000  # what is there: 2 s


def test_a_damaged_sample_rate_is_one_error(tmp_path):
    # found by the 10,000-case fuzz run: 8 MHz left no sample at 16 kHz, and would cost GBs
    path = tmp_path / "rate.wav"
    sf.write(str(path), np.zeros(4, np.float32), 16_000)
    data = bytearray(path.read_bytes())
    data[24:28] = (8_388_608).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    with pytest.raises(AudioFileError) as e:
        read_audio(path)
    assert str(e.value) == f"{path}: an unusable sample rate (8388608 Hz); the file is damaged"
    few = tmp_path / "few.wav"
    sf.write(str(few), np.zeros(4, np.float32), 192_000)  # 4 samples at 192 kHz: none at 16 kHz
    with pytest.raises(AudioFileError, match="the audio file holds no samples"):
        read_audio(few)


def test_nan_in_a_float_wav_becomes_silence(tmp_path):
    # found by tests/test_fuzz.py: a damaged float WAV handed NaN to Whisper
    path = tmp_path / "nan.wav"
    samples = np.full(1600, 0.1, np.float32)
    samples[::7] = np.nan
    samples[1] = np.inf
    sf.write(str(path), samples, 16_000, subtype="FLOAT")
    audio = read_audio(path)
    assert np.isfinite(audio).all() and audio.max() <= 1.0 and audio[0] == 0.0


def test_a_gigabyte_of_zeros_as_audio_is_refused_quickly(tmp_path):
    huge = _huge(tmp_path / "huge.wav")
    with pytest.raises(AudioFileError) as e:
        read_audio(huge)
    assert str(e.value) == f"{huge}: not a readable audio file ({INVALID})"
