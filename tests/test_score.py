"""Unit tests of the scorer (rehearse/score.py, rehearse/textnorm.py and the modules it uses) and its
rendering."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.console import Console

from rehearse import textnorm as tn
from rehearse.feedback import render_diff, render_feedback
from rehearse.fillers import find_fillers
from rehearse.nospeech import is_no_speech
from rehearse.prompts import filler_prompt, jargon_prompt
from rehearse.score import (
    NO_ANSWER,
    ScoreOptions,
    score_answer,
    split_key_points,
    verbatim_distance,
    warm_up,
)
from rehearse.text_ko import ko_number_value, letters_from_hangul, phonetic_ko
from rehearse.transcript import Segment, Transcript, Word

PREPARED_KO = (
    "현재 KT본사에 파견근무를 하고있으며 개발자들이 사용하는 개발툴인 JIRA, Jenkins , "
    "Gitlab등을 연계하여 하나의 사이트에서 관리 할 수 있도록 해주는 D-space 포탈 개발 및 "
    "운영 업무를 맡고 있습니다.\n"
    "이전 회사에서는 인사시스템과 데이터 연동을 통한 통합계정관리서비스를 개발 및 구축 "
    "하였습니다.\n"
    "AWS의 EC2를 사용하여 네이버 증권페이지에 표시되는 주식 데이터를 파싱하는 토이프로젝트를 "
    "진행해본적이 있습니다."
)
PREPARED_EN = (
    "I'm a backend engineer with six years of experience, mostly in Python and Go. "
    "At Acme Logistics I led the migration of our monolith to microservices on Kubernetes. "
    "The migration cut our deployment time from two hours to fifteen minutes."
)


def keys(text: str, language: str) -> list[str]:
    return [u.key for u in tn.analyse(text, language)]


def timed(text: str, language: str = "en", start: float = 0.5, step: float = 0.4,
          gaps: dict[int, float] | None = None, duration: float | None = None) -> Transcript:
    """A transcript with one word every ``step`` s; ``gaps`` adds silence after word i."""
    words, t = [], start
    for i, w in enumerate(text.split()):
        words.append(Word(" " + w, t, t + step * 0.75))
        t += step + (gaps or {}).get(i, 0.0)
    end = words[-1].end
    return Transcript(text, language, [Segment(words[0].start, end, text, words)],
                      duration_s=duration if duration is not None else end + 0.5)


# --- language analysis --------------------------------------------------------------------------
def test_korean_spacing_never_matters() -> None:
    assert keys("음성인식 기술", "ko") == keys("음성 인식 기술", "ko")
    assert keys("통합계정관리서비스를 구축", "ko") == keys("통합 계정 관리 서비스를 구축", "ko")


def test_korean_numbers_are_normalised() -> None:
    assert "61000000" in keys("6100만원입니다", "ko")
    assert "61000000" in keys("육천백만 원입니다", "ko")
    assert "16000" in keys("시스템은 1만6000개 정도입니다", "ko")
    assert "10" in keys("십 퍼센트 인상", "ko") and "percent" in keys("10% 인상", "ko")
    assert ko_number_value("이천이십이") == 2022
    # kiwi reads the particle of "시각이" as the number 2 (시 + 각 + 이/NR): glued to a word that is
    # no number, it is no number, and "이 십 분" said with a space stays twenty
    assert "20" not in keys("요청 시각이 십 분 넘게", "ko") and "10" in keys("요청 시각이 십 분 넘게", "ko")
    assert "20" in keys("요청 시간이 이 십 분 넘게", "ko")


def test_korean_english_terms_said_in_hangul() -> None:
    assert "api" in keys("에이피아이 문서", "ko") or any(
        u.alt == "api" for u in tn.analyse("에이피아이 문서", "ko"))
    assert keys("Jenkins", "ko") == keys("젠킨스", "ko")
    assert keys("JIRA", "ko") == keys("지라를", "ko")[:1]
    assert letters_from_hangul("에이더블유에스") == "aws"
    assert letters_from_hangul("이씨투") == "ec2"
    assert letters_from_hangul("배스") == ""


def test_korean_homophone_spellings_share_a_key() -> None:
    assert keys("계정", "ko") == keys("개정", "ko")
    assert keys("배스", "ko") == keys("베스", "ko")


def test_korean_drops_particles_endings_and_fillers() -> None:
    assert keys("음 그러니까 저는 이제 배포를 했습니다", "ko") == [phonetic_ko("배포")]


def test_english_stemming_numbers_and_stop_words() -> None:
    assert keys("deployed", "en") == keys("deploying", "en") == keys("deploys", "en")
    assert keys("fifteen minutes", "en") == keys("15 minutes", "en")
    assert keys("one hundred thirty thousand", "en") == keys("130,000", "en") == keys("130k", "en")
    assert keys("I led the team", "en") == keys("we lead a team", "en")
    assert keys("the of and I you", "en") == []


# --- key points ---------------------------------------------------------------------------------
def test_korean_paraphrase_covers_key_points_with_evidence() -> None:
    said = ("지금은 케이티 본사에 파견 나가 있고요, 지라, 젠킨스, 깃랩 같은 개발 도구를 "
            "한 사이트에서 관리하게 해 주는 디스페이스 포털을 개발하고 운영하고 있습니다. "
            "전 직장에서는 인사 시스템이랑 데이터를 연동해서 통합 계정 관리 서비스를 "
            "만들었습니다.")
    score = score_answer("q", PREPARED_KO, [], Transcript.from_text(said, "ko"), language="ko")
    assert [k.status for k in score.key_points] == ["covered", "covered", "missed"]
    for kp in score.key_points[:2]:
        assert kp.covered and kp.evidence and kp.evidence in score.transcript
    assert "디스페이스" in score.key_points[0].evidence
    assert score.key_points[2].evidence is None
    assert score.coverage == pytest.approx(2 / 3, abs=0.001)
    assert score.score == 67  # no timings: the score is the content score


def test_unrelated_answer_sharing_common_words_is_not_covered() -> None:
    said = ("저는 회사에서 개발 업무를 하면서 다양한 서비스를 사용해 봤고, 고객 중심의 "
            "서비스를 개발하고 싶어서 지원하게 되었습니다. 회사와 함께 성장하겠습니다.")
    score = score_answer("q", PREPARED_KO, [], Transcript.from_text(said, "ko"), language="ko")
    assert all(k.status == "missed" for k in score.key_points)
    assert score.score == 0
    en = score_answer("q", PREPARED_EN, [], Transcript.from_text(
        "I really enjoy working with a team and I think I have a lot of experience with people "
        "and projects at work.", "en"), language="en")
    assert en.score < 20


def test_partial_and_asr_noise() -> None:
    score = score_answer("q", PREPARED_EN, [], Transcript.from_text(
        "i'm a back end engineer with 6 years of experience mostly in python at acme logistics i "
        "lead the migration of our monolith to micro services on cooper netties", "en"),
        language="en")
    assert [k.status for k in score.key_points] == ["covered", "covered", "missed"]
    partial = score_answer("q", "Our sprint velocity went up by about 20 percent after I "
                           "started pairing with juniors and writing clear tickets.", [],
                           Transcript.from_text("I started pairing with juniors and writing "
                                                "clear tickets.", "en"),
                           language="en")
    assert partial.key_points[0].status == "partial"
    assert partial.coverage == 0.5


def test_explicit_key_points_and_the_fallback_split() -> None:
    assert split_key_points("- first part\n  more\n- second part") == ["first part", "second part"]
    assert split_key_points("One. Two!\nThree") == ["One.", "Two!", "Three"]
    score = score_answer("q", PREPARED_EN, ["Kubernetes migration"],
                         Transcript.from_text("We moved to Kubernetes in a big migration.", "en"),
                         language="en")
    assert len(score.key_points) == 1 and score.key_points[0].covered


def test_warm_up_gives_the_same_result() -> None:
    said = Transcript.from_text("케이티 본사에 파견 나가서 디스페이스 포털을 운영합니다.", "ko")
    cold = score_answer("q", PREPARED_KO, [], said, language="ko")
    tn.clear_caches()
    warm_up([], "ko", PREPARED_KO)
    assert score_answer("q", PREPARED_KO, [], said, language="ko") == cold


def test_deck_rarity_lowers_words_every_answer_uses() -> None:
    deck = ["We use Jenkins for builds.", "Jenkins deploys our service.", "Jenkins runs tests.",
            "I set up Jenkins pipelines.", "Our Jenkins server is old."]
    said = Transcript.from_text("Jenkins is what we use.", "en")
    alone = score_answer("q", "Jenkins pipelines with approval gates.", [], said, language="en")
    in_deck = score_answer("q", "Jenkins pipelines with approval gates.", [], said,
                           language="en", deck_texts=deck)
    assert in_deck.key_points[0].similarity < alone.key_points[0].similarity


# --- verbatim -----------------------------------------------------------------------------------
def test_verbatim_metrics_and_memorised_flag() -> None:
    assert verbatim_distance("음성인식 기술을, 썼습니다.", "음성 인식 기술을 썼습니다", "ko") == 0.0
    assert verbatim_distance("I led the team.", "i led the team", "en") == 0.0
    assert verbatim_distance("I led the team.", "I led a team", "en") == 0.25
    recital = score_answer("q", PREPARED_KO, [], Transcript.from_text(
        PREPARED_KO.replace("\n", " ").replace("개발툴인", "개발 툴인"), "ko"), language="ko")
    assert recital.verbatim.metric == "cer" and recital.verbatim.value < 0.05
    assert recital.verbatim.memorised and "sounds memorised" in recital.verdict
    paraphrase = score_answer("q", PREPARED_EN, [], Transcript.from_text(
        "I've done backend work for about six years, mostly Python and some Go, and at Acme I "
        "moved our monolith onto Kubernetes microservices, so deploys went from two hours to a "
        "quarter of an hour.", "en"), language="en")
    assert paraphrase.verbatim.metric == "wer" and paraphrase.verbatim.value > 0.5
    assert not paraphrase.verbatim.memorised
    # a recital that stops early still sounds memorised; a paraphrase of the same part does not
    half = score_answer("q", PREPARED_KO, [], Transcript.from_text(
        PREPARED_KO.split("\n")[0] + " 음 " + PREPARED_KO.split("\n")[1], "ko"), language="ko")
    assert half.verbatim.value > 0.2 and half.verbatim.changed < 0.05 and half.verbatim.memorised
    own_words = score_answer("q", PREPARED_KO, [], Transcript.from_text(
        "지금은 케이티 본사에 파견 나가서 지라, 젠킨스, 깃랩을 한곳에서 관리하는 포털을 만들고 "
        "운영하는 일을 하고 있습니다.", "ko"), language="ko")
    assert own_words.verbatim.changed > 0.4 and not own_words.verbatim.memorised
    short = score_answer("q", "배스 낚시", [], Transcript.from_text("배스 낚시", "ko"), language="ko")
    assert short.verbatim.value == 0 and not short.verbatim.memorised  # too short to judge


# --- fillers, pace, pauses, time ----------------------------------------------------------------
def test_english_fillers_only_when_used_as_fillers() -> None:
    found = [f.text for f in find_fillers(
        "So, um, I would like to say that, like, it was, you know, hard. Uh, I mean, we did "
        "well, so we shipped. I mean it.", "en")]
    assert found == ["so", "um", "like", "you know", "uh", "i mean"]


def test_korean_fillers_only_when_used_as_fillers() -> None:
    said = "음, 저는 그 회사에서 어 배포를 했고 그, 뭐 약간 잘 됐습니다"
    found = [f.text for f in find_fillers(said, "ko")]
    assert found == ["음", "어", "그", "뭐", "약간"]
    assert find_fillers("이제 배포를 했습니다", "ko") == []
    # "이제" followed by a pause in the audio is a filler
    said = timed("저는 이제 배포를 했습니다", "ko", gaps={1: 0.6})
    score = score_answer("q", "배포를 했습니다", [], said, language="ko")
    assert score.fillers.items == {"이제": 1}
    no_pause = score_answer("q", "배포를 했습니다", [], timed("저는 이제 배포를 했습니다", "ko"),
                            language="ko")
    assert no_pause.fillers.count == 0


def test_pace_pauses_and_first_word_from_word_timings() -> None:
    text = " ".join(["um"] + ["word"] * 149)  # 150 words, one every 0.4 s = 150 wpm
    score = score_answer("q", PREPARED_EN, [], timed(text, start=2.0, step=0.4, gaps={40: 3.0}),
                         language="en", time_limit_s=30)
    assert score.time_to_first_word_s == 2.0
    assert score.pauses.count == 1 and score.pauses.longest_s == pytest.approx(3.1)
    assert 125 < score.pace.value < 160 and score.pace.band == "ok" and score.pace.unit == "wpm"
    assert score.fillers.count == 1 and score.fillers.per_minute == pytest.approx(1.0, abs=0.05)
    assert score.over_time and score.duration_s > 60
    fast = score_answer("q", PREPARED_EN, [], timed(" ".join(["word"] * 100), step=0.25),
                        language="en")
    assert fast.pace.band == "fast" and fast.pace.value > 200
    assert fast.pauses.count == 0 and not fast.over_time


def test_korean_pace_counts_syllables_without_spaces() -> None:
    assert tn.syllable_count("음성 인식 기술", "ko") == 6
    assert tn.syllable_count("AWS 서버", "ko") == 8  # letters read as 에이더블유에스
    # 10 words of 3 syllables, one every 0.5 s -> 30 syllables in ~4.9 s
    score = score_answer("q", "배포를 했습니다", [], timed(" ".join(["배포를"] * 10), "ko", step=0.5),
                         language="ko")
    assert score.pace.unit == "syllables/min" and score.pace.band == "fast"
    assert 350 < score.pace.value < 400


def test_delivery_lowers_the_score_at_most_by_its_weight() -> None:
    slow = ("I'm a backend engineer with six years of experience mostly in Python and Go at Acme "
            "Logistics I led the migration of our monolith to microservices on Kubernetes and the "
            "migration cut our deployment time from two hours to fifteen minutes")
    good = score_answer("q", PREPARED_EN, [], timed(slow, step=0.4), language="en",
                        time_limit_s=60)
    bad = score_answer("q", PREPARED_EN, [], timed("um " * 10 + slow, step=1.2, gaps={3: 5.0}),
                       language="en", time_limit_s=20)
    assert good.content_score == bad.content_score == 100
    assert good.score == 100 and good.delivery.score == 100
    assert 80 <= bad.score < 100 and bad.delivery.score < 50
    assert bad.score == round(100 * (1 - 0.2 * (1 - bad.delivery.score / 100)))
    assert bad.delivery.pace < 100 and bad.delivery.time < 100 and bad.delivery.pauses < 100
    off_topic = score_answer("q", PREPARED_EN, [], timed("I enjoy tennis on weekends " * 5),
                             language="en")
    assert off_topic.score == 0  # good delivery adds nothing to an answer that misses everything


# --- no speech ----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", ["", "   ", "...", "시청해주셔서 감사합니다.",
                                  "시청해 주셔서 감사합니다 감사합니다", "MBC 뉴스 이덕영입니다.",
                                  "구독과 좋아요 부탁드립니다", "음...",
                                  "Thank you for watching!", "Thanks for watching.", " you",
                                  "Thank you.", "Um, uh."])
def test_stock_phrases_and_silence_are_no_speech(text: str) -> None:
    language = "ko" if any("가" <= c <= "힣" for c in text) else "en"
    transcript = Transcript.from_text(text, language)
    assert is_no_speech(transcript)
    score = score_answer("q", PREPARED_EN, [], transcript, language=language)
    assert score.no_speech and score.score == 0 and score.verdict == NO_ANSWER
    assert all(k.status == "missed" for k in score.key_points)
    json.dumps(score.to_dict())


def test_whisper_silence_segments_are_no_speech_and_are_dropped() -> None:
    silent = Segment(0.0, 5.0, "I'm a backend engineer.", no_speech_prob=0.9, avg_logprob=-1.4)
    assert is_no_speech(Transcript("I'm a backend engineer.", "en", [silent]))
    real = Segment(0.5, 4.0, "I'm a backend engineer with six years of experience.",
                   [Word(" I'm", 0.5, 0.7), Word(" a", 0.7, 0.8), Word(" backend", 0.8, 1.3)])
    tail = Segment(20.0, 23.0, "Thank you for watching.", no_speech_prob=0.5, avg_logprob=-0.8)
    t = Transcript(real.text + " " + tail.text, "en", [real, tail], duration_s=25.0)
    assert not is_no_speech(t)
    score = score_answer("q", PREPARED_EN, [], t, language="en")
    assert "watching" not in score.transcript and score.key_points[0].covered
    assert not is_no_speech(Transcript.from_text("네, 배스 낚시입니다. 감사합니다.", "ko"))


# --- prompts ------------------------------------------------------------------------------------
def test_filler_prompt_is_short_and_full_of_fillers() -> None:
    ko, en = filler_prompt("ko"), filler_prompt("en")
    assert len(ko) < 80 and len(en) < 80
    assert len(find_fillers(ko, "ko")) >= 4 and len(find_fillers(en, "en")) >= 2


def test_jargon_prompt_lists_proper_nouns_and_acronyms() -> None:
    more = "CMP는 클라우드 매니지먼트 플랫폼입니다. Jenkins로 배포합니다."
    prompt = jargon_prompt([PREPARED_KO, more], "ko")
    for term in ("Jenkins", "JIRA", "Gitlab", "CMP", "AWS", "EC2", "D-space"):
        assert term in prompt
    assert len(prompt) <= 160
    en = jargon_prompt([PREPARED_EN, "The team uses Jira and Confluence."], "en")
    assert "Kubernetes" in en and "Jira" in en and "Confluence" in en
    assert "The" not in en.split(", ") and "I'm" not in en
    assert jargon_prompt([], "en") == ""


# --- the contract and the rendering -------------------------------------------------------------
def test_to_dict_keeps_the_json_contract() -> None:
    score = score_answer("intro", PREPARED_EN, [], timed("um I'm a backend engineer with Python"),
                         language="en", time_limit_s=60)
    d = json.loads(json.dumps(score.to_dict()))
    for key in ("question_id", "transcript", "score", "coverage", "duration_s", "key_points",
                "verbatim", "pace", "fillers", "pauses", "time_to_first_word_s", "over_time",
                "no_speech", "verdict", "delivery"):
        assert key in d
    assert d["question_id"] == "intro" and isinstance(d["score"], int) and 0 <= d["coverage"] <= 1
    assert set(d["key_points"][0]) >= {"text", "status", "covered", "evidence"}
    assert d["verbatim"]["metric"] == "wer" and set(d["pace"]) >= {"value", "unit", "band"}
    assert set(d["fillers"]) >= {"count", "per_minute", "items"} and d["fillers"]["items"] == {"um": 1}
    assert set(d["pauses"]) >= {"count", "longest_s"}


def test_render_feedback_and_diff() -> None:
    score = score_answer("q", PREPARED_EN, [], timed(
        "So um I'm a backend engineer with six years of experience mostly in Python and Go"),
        language="en", time_limit_s=60)
    console = Console(record=True, width=100)
    console.print(render_feedback(score, prepared=PREPARED_EN))
    out = console.export_text()
    assert f"{score.score}/100" in out and "✓" in out and "✗" in out
    assert "wpm" in out and "Fillers" in out and "Verbatim" in out
    assert "score = " in out or "content" in out
    diff = render_diff("I led the team", "I led a big team", "en")
    assert diff.plain == "I led the a big team"
    styles = {diff.plain[s.start:s.end]: str(s.style) for s in diff.spans}
    assert styles["the"] == "red strike" and styles["a"] == styles["big"] == "green"
    assert render_diff("I led the team", "I led a big team", "en", marks=True).plain == \
        "I led [-the-] {+a big+} team"  # for output without colour
    ko = render_diff("KT본사에 파견", "케이티 본사에 파견", "ko")
    assert "본사에 파견" in ko.plain and "KT" in ko.plain
    silent = Console(record=True, width=80)
    silent.print(render_feedback(score_answer("q", "x", [], Transcript.from_text("", "en"),
                                              language="en")))
    assert NO_ANSWER in silent.export_text()


def test_options_are_documented_dataclass_defaults() -> None:
    options = ScoreOptions()
    assert options.long_pause_s == 2.0 and options.pace_bands["en"] == (120.0, 160.0)
    stricter = ScoreOptions(covered_threshold=0.99, meaning=False)
    score = score_answer("q", PREPARED_EN, [], Transcript.from_text(
        "At Acme I moved our monolith to microservices on Kubernetes.", "en"), language="en",
        options=stricter)
    assert score.key_points[1].status == "partial"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(alphabet=st.sampled_from(list("가나다라배포서버 ,.음이제그API3만")), max_size=60),
       language=st.sampled_from(["ko", "en"]))
def test_any_text_gives_a_well_formed_score(text: str, language: str) -> None:
    score = score_answer("q", PREPARED_KO, [], Transcript.from_text(text, language),
                         language=language)
    assert 0 <= score.score <= 100 and 0 <= score.coverage <= 1
    assert all(k.status in ("covered", "partial", "missed") for k in score.key_points)
    assert all(k.evidence is None or k.evidence in score.transcript for k in score.key_points)
