"""The core's words in the page's language: verdicts, the Why line, key points' reasons, errors and
warnings.

The command line prints the core's English sentences as they are. The page says them in English
the same way, and in Korean from what the core gives besides the sentence: a score's numbers and
codes (`rehearse.score.verdict_band`, a key point's ``reason``), or a `rehearse.errors.Message`'s
``key`` and ``params``. A sentence without a key (a rarer error) keeps its English detail behind a
Korean lead that names the kind of problem and what to do.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from rehearse.errors import (
    AudioFileError,
    DeckError,
    DeviceError,
    DiskError,
    ModelError,
    RehearseError,
    TranscriptionError,
    TTSError,
)
from rehearse.score import Score, seconds_said, verdict_band, verdict_notes
from rehearse.web.i18n import translator

if TYPE_CHECKING:
    from rehearse.schedule import QuestionSchedule

LANGUAGES = ("en", "ko")  # the page's

# ---------------------------------------------------------------- messages by key (Korean)

_KIND = {"input": "마이크(입력 장치)", "output": "스피커(출력 장치)"}

KO: dict[str, str] = {
    "device.none": "{kind}가 없습니다. 장치를 연결하거나 오디오 서버를 켠 뒤 다시 시작하세요.",
    "device.no_index": "{index}번 {kind}가 없습니다. 설정에서 다른 장치를 고르세요.",
    "device.no_match": "‘{name}’에 맞는 {kind}가 없습니다. 설정에서 다른 장치를 고르세요.",
    "device.open_failed": "마이크를 열 수 없습니다({detail}). 설정에서 입력 장치를 확인하세요.",
    "device.gone": "마이크에서 소리가 더 들어오지 않습니다(연결이 끊겼거나 오디오 서버가 멈췄습니다).",
    "device.failed": "마이크가 작동을 멈췄습니다({detail}).",
    "device.lost_nothing": "{cause} 녹음된 것은 없습니다. 마이크를 확인한 뒤 다시 시작하세요.",
    "device.lost_kept": "{cause} 지금까지의 답변은 저장했습니다: {path}. 마이크를 확인한 뒤 다시 시작하세요.",
    "disk.full_nothing": "{path}: 디스크가 가득 차서 녹음하지 못했습니다. 공간을 비운 뒤 다시 하세요.",
    "disk.full_kept": "{path}: 디스크가 가득 차서 {seconds}초에서 녹음이 멈췄고, 그때까지는 저장했습니다. "
                      "공간을 비운 뒤 `rehearse recover`를 실행하세요.",
    "disk.unwritten_nothing": "{path}: 녹음 파일을 쓰지 못해({reason}) 녹음하지 못했습니다.",
    "disk.unwritten_kept": "{path}: 녹음 파일을 쓰지 못해({reason}) {seconds}초에서 멈췄고, 그때까지는 "
                           "저장했습니다. 디스크에 다시 쓸 수 있으면 `rehearse recover`를 실행하세요.",
    "disk.full_history": "{path}: 디스크가 가득 차서 기록을 저장하지 못했습니다. 공간을 비운 뒤 다시 하세요.",
    "model.missing": "설치되지 않은 Whisper 모델입니다: {name}. `rehearse models install base`로 설치하거나 "
                     "설정에서 다른 모델을 고르세요.",
    "model.no_file": "모델 파일이 없습니다: {path}. `rehearse models install base`로 설치하거나 "
                     "설정에서 다른 모델을 고르세요.",
    "model.english_only": "Whisper {model} 모델은 영어만 알아듣습니다. 다국어 모델을 쓰세요: "
                          "`rehearse models install {better}`로 설치한 뒤 설정에서 모델을 바꾸세요.",
    "model.weak_for_korean": "Whisper {model} 모델은 한국어를 자주 잘못 알아듣습니다(글자의 5–18%). "
                             "받을 수 있다면 `rehearse models install {better}`로 설치한 뒤 설정에서 "
                             "모델을 바꾸세요.",
    "due.not_scored": "채점 안 됨",
    "due.no_speech": "답변 없음",
    "due.unclear": "알아들은 말 없음",
    "due.coverage": "핵심 포인트 {coverage:.0%}",
    "due.over_time": "제한 시간 초과",
    "due.fillers": "군말 분당 {per_minute:.1f}회",
    "speak.shown_only": "{cause} 질문은 화면에만 보여 드립니다.",
    "warn.no_voice": "방금 답변에서 목소리가 들리지 않았습니다. `rehearse doctor`로 마이크(음소거, "
                     "다른 장치, 너무 작은 소리)를 몇 초 만에 점검할 수 있습니다.",
    "tts.no_engine": "질문을 읽어 줄 음성 엔진을 시작하지 못했습니다({detail}). espeak-ng를 설치하거나 "
                     "(sudo apt-get install espeak-ng) 설정에서 질문 읽기를 끄세요.",
    "tts.no_voice": "음성 엔진에 ‘{voice}’ 음성이 없습니다. 설정에서 다른 음성을 고르세요.",
    "tts.no_language_voice": "음성 엔진에 {language} 음성이 없습니다. 설정에서 다른 음성을 고르세요.",
    "tts.no_audio": "음성 엔진이 ‘{voice}’ 음성으로 소리를 만들지 못했습니다.",
    "warn.whole_answer": "말하는 동안의 받아쓰기를 끝내지 못해 녹음된 답변 전체를 다시 받아썼습니다.",
    "warn.skipped": "‘{id}’ 질문을 건너뜁니다: {why}",
    "skip.no_answer_file": "답변 파일이 없습니다({path}).",
    # deck and notes files (`DeckError`: the page puts ``path:line:`` first)
    "deck.no_file": "파일이 없습니다.",
    "deck.folder": "폴더입니다. 질문 모음이나 메모 파일을 고르세요.",
    "deck.unreadable": "파일을 읽을 수 없습니다({reason}).",
    "deck.too_large": "{mb} MB보다 큰 파일입니다. 질문 모음이나 메모 파일은 일반 텍스트입니다.",
    "deck.notes_too_long": "메모가 {mb} MB보다 깁니다.",
    "deck.too_many_lines": "{lines}줄이 넘습니다. 질문 모음이나 메모 파일은 길어야 몇천 줄입니다.",
    "deck.not_notes": "{format} rehearse는 텍스트 메모(.txt, .md), 스프레드시트(.csv, .tsv, .xlsx), "
                      "워드 파일(.docx), YAML 덱을 읽습니다.",
    "deck.bad_zip": "손상된 ZIP 파일이라 메모로 읽을 수 없습니다. rehearse는 텍스트 메모(.txt, .md), "
                    "스프레드시트(.csv, .tsv, .xlsx), 워드 파일(.docx), YAML 덱을 읽습니다.",
    "deck.binary": "이진 데이터(NUL 바이트)가 있습니다. 질문 모음이나 메모 파일은 일반 텍스트입니다.",
    "deck.not_utf8": "UTF-8 텍스트가 아닙니다(바이트 {byte}). 파일을 UTF-8로 저장하세요.",
    "deck.bad_csv": "이 CSV 파일을 읽을 수 없습니다({detail}).",
    "deck.bad_xlsx": "이 .xlsx 파일을 읽을 수 없습니다({detail}). Excel에서 열어 다시 저장하거나 CSV로 "
                     "저장하세요.",
    "deck.bad_docx": "이 .docx 파일을 읽을 수 없습니다({detail}). Word에서 열어 다시 저장하세요.",
    "deck.empty": "파일이 비어 있습니다. 질문과 답변을 적은 메모 파일을 여세요.",
    "deck.no_questions": "질문을 찾지 못했습니다. 질문은 ‘# 제목’, ‘1.’ 번호, ‘질문:’/‘답:’ 줄로, "
                         "표라면 ‘질문’과 ‘답변’ 열로 적으세요. 읽은 처음 몇 줄:{lines}",
    "deck.is_yaml": "이미 YAML 덱입니다. 메모 파일이 아닙니다.",
    "deck.unplaced": "이 줄은 어느 질문에도 넣지 못했습니다: {text}",
    "deck.no_answer": "‘{id}’ 질문에 답변이 없어 비교할 것이 없습니다.",
    "deck.duplicate_id": "‘{id}’ id가 겹칩니다({line}번째 줄에도 있습니다).",
    "deck.duplicate_key": "‘{key}’ 키가 겹칩니다(처음은 {line}번째 줄).",
    "deck.unknown_key": "‘{key}’는 알 수 없는 키입니다(쓸 수 있는 키: {known}).",
    "deck.unknown_language": "알 수 없는 언어입니다: ‘{language}’. ko나 en을 쓰세요.",
    "deck.no_question_text": "이 질문에는 `question:` 글이 없습니다.",
    "deck.yaml_empty": "덱이 비어 있습니다. `title`, `language`, `questions`를 적으세요.",
    "deck.no_questions_list": "덱에 질문이 없습니다. `questions:` 목록을 적으세요.",
    "deck.questions_empty": "`questions` 목록이 비어 있습니다.",
    "deck.too_many_questions": "질문이 {count}개가 넘습니다. 덱을 나누세요.",
    "deck.yaml_syntax": "YAML 문법 오류입니다({detail}). 들여쓰기와 콜론(:)을 확인하세요.",
    "deck.yaml_character": "YAML에 쓸 수 없는 문자({character})가 있습니다.",
    # the web app's own
    "web.recovered": "비정상 종료로 끊긴 답변 {n}개를 복구했습니다. "
                     "`rehearse recover`로 받아쓰기를 마치세요.",
    "web.bug": "문제가 생겼습니다({name}). 지금까지의 답변은 저장되어 있으니 연습을 다시 시작하세요.",
    "web.no_tag": "이 질문 모음에는 ‘{tag}’ 태그가 붙은 질문이 없습니다.",
    "web.none_ticked": "연습할 질문을 먼저 체크하세요.",
    "web.none_due": "지금 복습할 질문이 없습니다. 전체나 약한 문항을 연습하세요.",
    "web.none_scored": "아직 점수가 매겨진 답변이 없습니다. 먼저 전체를 연습하세요.",
    "web.bad_mode": "전체, 복습, 약한 문항, 고른 문항 중에서 고르세요.",
    "web.not_understood": "요청을 이해하지 못했습니다. 페이지를 새로 고치세요.",
    "web.no_session": "진행 중인 연습이 없습니다. 질문 모음을 골라 시작하세요.",
    "web.wait_feedback": "이 답변의 피드백이 나올 때까지 기다리세요.",
    "web.no_attempt": "그런 답변이 없습니다. 기록에서 고르세요.",
    "web.compare_pick": "답변을 비교할 질문을 기록에서 고르세요.",
    "web.compare_none": "이 질문에는 아직 점수가 매겨진 답변이 없습니다. 먼저 연습하세요.",
    "web.deck_not_practised": "그 질문 모음의 연습 기록이 없습니다.",
    "web.silence_number": "멈춤 시간은 4처럼 초 단위 숫자로 적으세요.",
    "web.choose_file": "열 메모 파일이나 YAML 덱을 고르세요.",
    "web.too_large": "{name}: 5 MB보다 큰 파일입니다. 더 작은 파일을 여세요.",
    "web.not_saved": "{path}: 덱을 저장하지 못했습니다({reason}).",
    "web.devices_failed": "예상하지 못한 오류({name})입니다. `rehearse devices`로 확인하세요.",
    "web.voices_failed": "예상하지 못한 오류({name})입니다. `rehearse doctor`로 확인하세요.",
    "web.no_deck": "그런 질문 모음이 없습니다.",
}

# what a file that is not notes is, and how to get notes out of it (`deck.not_notes`'s ``format``)
_FORMATS_KO = {
    "pdf": "PDF 파일이라 메모로 읽을 수 없습니다. 글을 .txt 파일에 복사하거나 Word에서 열어 .docx로 "
           "저장하세요.",
    "image": "이미지 파일이라 메모로 읽을 수 없습니다. 메모를 .txt 파일에 적으세요.",
    "rtf": "서식 있는 텍스트(.rtf) 파일이라 메모로 읽을 수 없습니다. .docx나 일반 텍스트(.txt)로 "
           "저장하세요.",
    "hwp": "한글(.hwp) 파일이라 메모로 읽을 수 없습니다. 한글에서 파일 > 다른 이름으로 저장하기로 "
           "Word 문서(.docx)나 텍스트 문서(.txt)를 고르세요.",
    "hwpx": "한글(.hwpx) 파일이라 메모로 읽을 수 없습니다. 한글에서 파일 > 다른 이름으로 저장하기로 "
            "Word 문서(.docx)를 고르세요.",
    "doc": "예전 Word(.doc) 파일이라 메모로 읽을 수 없습니다. Word에서 열어 .docx로 저장하세요.",
    "xls": "예전 Excel(.xls) 파일이라 메모로 읽을 수 없습니다. Excel에서 열어 .xlsx나 CSV로 저장하세요.",
    "office": "예전 형식의 오피스나 한글 문서라 메모로 읽을 수 없습니다. .docx, .xlsx, .txt로 저장하세요.",
    "zip": "ZIP 파일(또는 .docx, .xlsx가 아닌 오피스 형식)이라 메모로 읽을 수 없습니다. "
           "메모를 .docx, .xlsx, .txt로 저장하세요.",
}

# the web app's own sentences in English (the Korean is in KO)
WEB_EN: dict[str, str] = {
    "web.recovered": "{n} answer(s) cut off by a crash were repaired; `rehearse recover` transcribes them",
    "web.bug": "Something went wrong ({name}); the answers so far are kept. Start the session again.",
    "web.choose_file": "Choose a notes file or a YAML deck to open.",
    "web.too_large": "{name}: the file is larger than 5 MB; open a smaller one.",
    "web.not_saved": "{path}: the deck could not be saved ({reason}).",
    "web.not_understood": "The request was not understood; reload the page.",
    "web.no_session": "No session is running; choose a deck to start one.",
    "web.wait_feedback": "Wait for the feedback on this answer first.",
    "web.no_attempt": "No such attempt; choose one from History.",
    "web.compare_pick": "Choose a question from History to compare its attempts.",
    "web.compare_none": "No scored attempt at this question yet; practise it first.",
    "web.deck_not_practised": "No practice of that deck is recorded.",
    "web.silence_number": "Silence must be a number of seconds, such as 4.",
    "web.devices_failed": "could not list audio devices ({name}: {detail})",
    "web.voices_failed": "could not list the voices ({name}: {detail})",
    "web.no_deck": "No such deck.",
}

# what a problem without a key is (its English detail follows in brackets), and what to do
_KO_LEAD: list[tuple[type[RehearseError], str, str]] = [
    (DeckError, "질문 모음 파일을 읽을 수 없습니다", " 파일을 고친 뒤 다시 여세요."),
    (DeviceError, "오디오 장치에 문제가 있습니다", " 설정에서 장치를 확인하세요."),
    (DiskError, "디스크에 쓰지 못했습니다", " 공간을 비운 뒤 다시 하세요."),
    (ModelError, "Whisper 모델을 쓸 수 없습니다", " 설정에서 모델을 확인하세요."),
    (TTSError, "질문을 읽어 줄 음성을 쓸 수 없습니다", ""),
    (TranscriptionError, "받아쓰기에 실패했습니다", " 녹음은 저장되어 있습니다."),
    (AudioFileError, "오디오 파일을 읽을 수 없습니다", ""),
]


def sentence(message: str) -> str:
    """``message`` as one sentence: a capital first, a full stop last."""
    message = message.strip()
    message = message[:1].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."


def say(message: str, language: str) -> str:
    """A core sentence (a `rehearse.errors.Message` or plain text) in the page's language."""
    key = getattr(message, "key", None)
    if language == "ko" and key in KO:
        params: dict[str, Any] = getattr(message, "params", {})
        return KO[key].format(**_korean_params(params))
    return sentence(str(message))


def _korean_params(params: dict[str, Any]) -> dict[str, Any]:
    out = {k: error_text(v, "ko") if isinstance(v, RehearseError)
           else say(v, "ko") if getattr(v, "key", None) in KO else v for k, v in params.items()}
    if "kind" in out:
        out["kind"] = _KIND.get(str(out["kind"]), out["kind"])
    if "language" in out:
        out["language"] = {"ko": "한국어", "en": "영어"}.get(str(out["language"]), out["language"])
    if "format" in out:
        out["format"] = _FORMATS_KO.get(str(out["format"]), out["format"])
    return out


def error_text(error: RehearseError, language: str) -> str:
    """A `RehearseError` as one sentence in the page's language."""
    if language != "ko":
        return sentence(str(error))
    if error.key in KO:
        text = KO[error.key].format(**_korean_params(error.params))
        return _where(error) + text if isinstance(error, DeckError) else text
    for kind, what, todo in _KO_LEAD:
        if isinstance(error, kind):
            detail, where = str(error), ""
            if isinstance(error, DeckError) and error.path is not None:
                where, detail = _where(error), error.bare_message
            return f"{where}{what}({detail.strip().rstrip('.')}).{todo}"
    return sentence(str(error))


def _where(error: DeckError) -> str:
    """``path:line: `` (or ``path: ``) before a deck error's sentence; nothing without a path."""
    if error.path is None:
        return ""
    return f"{error.path}:{error.line}: " if error.line is not None else f"{error.path}: "


def web_message(key: str, language: str, **params: Any) -> str:
    """One of the web app's own sentences (`WEB_EN`, `KO`), with ``params`` formatted in."""
    table = KO if language == "ko" else WEB_EN
    return sentence(table[key].format(**params))


# ---------------------------------------------------------------- feedback (Korean)

_HEADS_KO = {"strong": "훌륭한 답변", "good": "좋은 답변", "partial": "부분적인 답변",
             "off_target": "핵심에서 벗어난 답변"}
_NOTES_KO = {"over_time": "제한 시간 {:.0f}초 초과", "pace": "{}", "fillers": "군말 분당 {:g}회",
             "memorised": "외운 답처럼 들림"}
_PACE_KO = {"slow": "느린 속도", "fast": "빠른 속도"}
NO_ANSWER_KO = "답변이 들리지 않았습니다"

REASONS_KO = {
    "negated": "반대로 말했습니다: “{contrast}”",
    "different_figure": "숫자가 다릅니다: {contrast}",
    "different_name": "이름이 다릅니다: {contrast}",
    "keywords_only": "핵심 단어만 있고 문장으로 말하지 않았습니다",
    "word_order": "단어는 있지만 어느 문장에서도 그 순서로 말하지 않았습니다",
}


def verdict(score: Score, language: str) -> str:
    """The verdict line: the core's in English, built from the score's numbers in Korean."""
    if score.unclear:  # voice heard, no words made out: the page's own sentence, with the seconds
        return translator(language)("feedback.unclear").replace("{seconds}", seconds_said(score.voice_s))
    if language != "ko":
        return score.verdict
    if score.no_speech:
        return NO_ANSWER_KO
    points = score.key_points
    covered = sum(k.status == "covered" for k in points)
    partial = sum(k.status == "partial" for k in points)
    text = f"{_HEADS_KO[verdict_band(score.score)]}: 핵심 포인트 {len(points)}개 중 {covered}개 충족"
    if partial:
        text += f", {partial}개 일부"
    notes = [_PACE_KO[value] if key == "pace" else _NOTES_KO[key].format(value) for key, value in
             verdict_notes(score.over_time, score.duration_s, score.time_limit_s, score.pace, score.fillers,
                           score.verbatim)]
    return text + ("; " + ", ".join(notes) if notes else "")


_EXPLAIN_WORDS_KO = {"content": "내용", "no_timings": "단어 시각이 없어 전달력은 채점하지 않았습니다",
                     "delivery": "전달력 {score} ({parts}의 평균)", "score": "점수", "pace": "속도",
                     "fillers": "군말", "pauses": "멈춤", "time": "시간"}


def why(score: Score, language: str) -> str:
    """The Why line (how the score was computed): `rehearse.feedback.explain_score`'s, in the
    page's language."""
    from rehearse.feedback import explain_score

    return explain_score(score, _EXPLAIN_WORDS_KO) if language == "ko" else explain_score(score)


def reason(code: str | None, contrast: str | None, language: str) -> str | None:
    """Why a key point whose words were said is not covered, in words (None: no reason)."""
    from rehearse.feedback import REASONS

    table = REASONS_KO if language == "ko" else REASONS
    if code not in table:
        return None
    return table[code].format(contrast=contrast or "")


# ---------------------------------------------------------------- history (Korean)

_RATINGS_KO = {"again": "다시", "hard": "어려움", "good": "알맞음", "easy": "쉬움"}


def _span_ko(delta: timedelta) -> str:
    s = abs(delta.total_seconds())
    for unit, size in (("일", 86_400), ("시간", 3_600), ("분", 60)):
        if s >= size:
            return f"{int(s // size)}{unit}"
    return "방금"


def due_why(item: QuestionSchedule, now: datetime, language: str) -> str:
    """Why a question is due, or when it will be (`QuestionSchedule.why`'s words, or in Korean)."""
    if language != "ko":
        return item.why(now)
    if item.due is None:
        return "아직 연습하지 않음"
    if item.due <= now:
        span = _span_ko(now - item.due)
        when = "지금 복습할 때" if span == "방금" else f"{span} 전부터 복습할 때"
    else:
        when = f"{_span_ko(item.due - now)} 뒤 복습"
    if item.last_rating is None:
        return when
    rating = _RATINGS_KO.get(item.last_rating.name.lower(), item.last_rating.name)
    reasons = ", ".join(say(r, "ko").rstrip(".") for r in item.last_reasons)
    return f"{when}: 지난번 {rating}" + (f" ({reasons})" if reasons else "")
