"""Notes as people keep them: Q./A. text, spreadsheets, Word files, Notion and Markdown exports.

Each fixture (tests/data/notes/, or built here for .xlsx and .docx) is imported and compared
whole: every question, answer, shared answer, follow-up, key point, note and tag.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import docx
import openpyxl
import pytest
from click.testing import CliRunner

from rehearse.cli import cli
from rehearse.deck import Deck, Question, check_deck, deck_to_json, dump_deck_yaml, load_deck
from rehearse.errors import DeckError
from rehearse.notes import import_notes

DATA = Path(__file__).resolve().parent / "data" / "notes"


def Q(question: str, answer: str = "", key_points: list[str] | None = None, notes: str = "",
      tags: tuple[str, ...] = (), shares: str | None = None, follow_ups: tuple[dict, ...] = (),
      line: int | None = None) -> dict[str, Any]:
    """An expected question; key points default to none (for an empty answer)."""
    return {"question": question, "answer": answer, "key_points": key_points or [], "notes": notes,
            "tags": list(tags), "shares": shares, "follow_ups": list(follow_ups), "line": line}


def outline(deck: Deck, lines: bool = False) -> list[dict[str, Any]]:
    by_id = {q.id: q.question for q in deck.walk()}

    def one(q: Question) -> dict[str, Any]:
        return {"question": q.question, "answer": q.answer, "key_points": q.key_points,
                "notes": q.notes, "tags": q.tags, "shares": by_id.get(q.answer_from or ""),
                "follow_ups": [one(f) for f in q.follow_ups], "line": q.line if lines else None}

    return [one(q) for q in deck.questions]


def counts(result) -> tuple[int, int, int, int]:
    return result.questions, result.follow_ups, result.shared_answers, result.notes_kept


def round_trips(tmp_path: Path, deck: Deck) -> None:
    """The imported deck writes out as YAML that checks clean and loads back the same."""
    path = tmp_path / "deck.yaml"
    path.write_text(dump_deck_yaml(deck), encoding="utf-8")
    assert [p for p in check_deck(path) if p.severity == "error"] == []
    assert deck_to_json(load_deck(path)) == deck_to_json(deck)


# ---------------------------------------------------------------- Q./A. text


def test_korean_qa_notes(tmp_path):
    result = import_notes(DATA / "qa-ko.txt")
    assert result.shape == "notes" and result.deck.language == "ko"
    assert result.unplaced == [(1, "백엔드 개발자 면접 준비 (2024 하반기)")]
    assert result.tags == ["인성", "기술"]
    assert counts(result) == (7, 2, 1, 2)
    motive = ["데이터로 결정하는 문화에서 일하고 싶어 지원했습니다.", "배포 주기가 하루 단위로 짧습니다",
              "장애 회고를 공개합니다"]
    motive_answer = ("데이터로 결정하는 문화에서 일하고 싶어 지원했습니다.\n"
                     "- 배포 주기가 하루 단위로 짧습니다\n- 장애 회고를 공개합니다")
    assert outline(result.deck, lines=True) == [
        Q("1분 자기소개 부탁드립니다.",  # the answer goes on across a blank line
          "안녕하세요, 결제 플랫폼을 3년간 개발한 김민수입니다.\n장애 대응 당번을 맡아 새벽 장애를 열두 번 "
          "처리했습니다.\n\n지금은 정산 배치를 Kafka 기반으로 옮기는 일을 하고 있습니다.",
          ["안녕하세요, 결제 플랫폼을 3년간 개발한 김민수입니다.",
           "장애 대응 당번을 맡아 새벽 장애를 열두 번 처리했습니다.",
           "지금은 정산 배치를 Kafka 기반으로 옮기는 일을 하고 있습니다."],
          tags=("인성",), line=4),
        Q("지원 동기가 무엇인가요?", motive_answer, motive, tags=("인성",),
          shares="왜 우리 회사에 오고 싶나요?", line=10),
        Q("왜 우리 회사에 오고 싶나요?", motive_answer, motive,
          notes='※ 채용 공고의 "주 20회 배포" 문구를 인용할 것', tags=("인성",), line=11),
        Q("본인의 단점은 무엇인가요?", "꼼꼼함이 지나쳐 결정이 느릴 때가 있습니다.",
          ["꼼꼼함이 지나쳐 결정이 느릴 때가 있습니다."], tags=("인성",), line=17, follow_ups=(
              Q("그 단점을 어떻게 고치고 있나요?", "결정 기한을 먼저 정하고 일합니다.",
                ["결정 기한을 먼저 정하고 일합니다."], line=19),)),
        Q("Q 러닝과 SARSA의 차이는 무엇인가요?",  # "Q" as a word is not a marker
          "Q 러닝은 다음 상태의 최댓값으로 학습합니다.\nSARSA는 실제로 고른 행동의 값으로 학습합니다.",
          ["Q 러닝은 다음 상태의 최댓값으로 학습합니다.", "SARSA는 실제로 고른 행동의 값으로 학습합니다."],
          notes="참고: 강화학습 스터디 3주차 자료", tags=("기술",), line=23),
        Q("장애를 어떻게 줄였나요?",  # numbered lines in a Q./A. answer are answer text
          "세 가지를 했습니다.\n1. 카나리 배포\n2. 서킷 브레이커\n3. 알림 정리",
          ["세 가지를 했습니다. 카나리 배포", "서킷 브레이커 알림 정리"], tags=("기술",), line=29,
          follow_ups=(Q("그중 가장 효과가 컸던 것은?", "카나리 배포입니다. 장애가 절반으로 줄었습니다.",
                        ["카나리 배포입니다.", "장애가 절반으로 줄었습니다."], line=34),)),
        Q("마지막으로 하고 싶은 말씀이 있나요?", tags=("기술",), line=37),  # Q without A at the end
    ]
    round_trips(tmp_path, result.deck)


def test_english_qa_notes_with_bold_markers(tmp_path):
    result = import_notes(DATA / "qa-en.md")
    assert result.deck.language == "en" and result.unplaced == [(1, "Interview prep, spring")]
    assert result.tags == ["Behavioural", "Technical"] and counts(result) == (6, 2, 1, 1)
    leaving = ("My team was merged and the product I built was retired.\n"
               "- I want to own a product again\n- I want a bigger scale problem")
    leaving_points = ["My team was merged and the product I built was retired.",
                      "I want to own a product again", "I want a bigger scale problem"]
    assert outline(result.deck) == [
        Q("Tell me about yourself.", "I am a backend engineer with six years in payments.\n\n"
          "I lead a team of four and run the on-call rotation.",
          ["I am a backend engineer with six years in payments.",
           "I lead a team of four and run the on-call rotation."], tags=("Behavioural",)),
        Q("Why do you want to leave your job?", leaving, leaving_points, tags=("Behavioural",),
          shares="Why now?"),
        Q("Why now?", leaving, leaving_points, notes="Note: do not criticise the old manager.",
          tags=("Behavioural",)),
        Q("What is a race condition?", "Two threads touch shared state and the result depends on timing.",
          ["Two threads touch shared state and the result depends on timing."], tags=("Technical",),
          follow_ups=(Q("How did you find one in production?",
                        "Through a flaky test that failed once a week.",
                        ["Through a flaky test that failed once a week."]),)),
        Q("How would you design a rate limiter?", "A token bucket per user in Redis.",
          ["A token bucket per user in Redis."], tags=("Technical",),
          follow_ups=(Q("What happens when Redis is down?", "We fail open and log it.",
                        ["We fail open and log it."]),)),
        Q("Do you have questions for us?", tags=("Technical",)),
    ]
    round_trips(tmp_path, result.deck)


def test_numbered_items_and_qa_in_one_file():
    result = import_notes(DATA / "mixed-ko.md")
    assert result.unplaced == [] and counts(result) == (4, 0, 0, 0)
    assert outline(result.deck) == [
        Q("자기소개를 해주세요.", "결제 플랫폼 백엔드 개발자 김민수입니다.",
          ["결제 플랫폼 백엔드 개발자 김민수입니다."], tags=("공통 질문",)),
        Q("성격의 장단점은?", "장점은 끈기, 단점은 조급함입니다.", ["장점은 끈기, 단점은 조급함입니다."],
          tags=("공통 질문",)),
        Q("트랜잭션 격리 수준을 설명해 주세요.",
          "네 단계가 있습니다.\n1. READ UNCOMMITTED\n2. READ COMMITTED\n3. REPEATABLE READ\n4. SERIALIZABLE",
          ["네 단계가 있습니다. READ UNCOMMITTED READ COMMITTED REPEATABLE READ SERIALIZABLE"],
          tags=("기술 질문",)),
        Q("인덱스는 언제 쓰지 말아야 하나요?", "쓰기가 훨씬 많은 테이블에서는 비용이 큽니다.",
          ["쓰기가 훨씬 많은 테이블에서는 비용이 큽니다."], tags=("기술 질문",)),
    ]


@pytest.mark.parametrize("text, expected", [
    ("Q: Why us?\nA: Your product.\n", [("Why us?", "Your product.")]),
    ("Q) Why us?\nA) Your product.\n", [("Why us?", "Your product.")]),
    ("[Q] Why us?\n[A] Your product.\n", [("Why us?", "Your product.")]),
    ("Q3. Why us?\nA3. Your product.\n", [("Why us?", "Your product.")]),
    ("문. 왜 지원했나요?\n답. 제품이 좋아서입니다.\n", [("왜 지원했나요?", "제품이 좋아서입니다.")]),
    ("질문 2) 왜 지원했나요?\n모범 답변: 제품이 좋아서입니다.\n",
     [("왜 지원했나요?", "제품이 좋아서입니다.")]),
    ("### Q. 왜 지원했나요?\n→ 제품이 좋아서입니다.\n", [("왜 지원했나요?", "제품이 좋아서입니다.")]),
    ("- Q. Why us?\n  - A. Your product.\n", [("Why us?", "Your product.")]),
    ("Q.\nWhy us?\nA.\nYour product.\n", [("Why us?", "Your product.")]),  # markers on their own
    ("Q. Why us, and\nwhy now?\nA. Your product.\n", [("Why us, and why now?", "Your product.")]),
])
def test_question_and_answer_markers(text, expected):
    deck = import_notes(text).deck
    assert [(q.question, q.answer) for q in deck.questions] == expected


def test_an_answer_before_any_question_is_reported():
    result = import_notes("A. An answer to nothing.\nQ. Why us?\nA. Your product.\n")
    assert result.unplaced == [(1, "A. An answer to nothing.")]
    assert [(q.question, q.answer) for q in result.deck.questions] == [("Why us?", "Your product.")]


def test_an_arrow_inside_an_answer_stays_in_it():
    deck = import_notes("Q. Why us?\nA. Your product.\n→ which I use every day.\n").deck
    assert deck.questions[0].answer == "Your product.\n→ which I use every day."


# ---------------------------------------------------------------- Notion and Markdown exports


def test_notion_toggles_and_callouts_korean(tmp_path):
    result = import_notes(DATA / "notion-ko.md")
    assert result.deck.title == "면접 질문 모음" and result.unplaced == []
    assert result.deck.notes == "💡 면접 전날 다시 읽을 것" and counts(result) == (2, 1, 0, 2)
    assert outline(result.deck) == [
        Q("1분 자기소개 해주세요", "안녕하세요, 결제 플랫폼 백엔드 개발자 김민수입니다.\n\n"
          "- 결제 승인 API 응답 시간을 절반으로 줄였습니다\n- 장애 대응 당번을 3년간 맡았습니다",
          ["안녕하세요, 결제 플랫폼 백엔드 개발자 김민수입니다.",
           "결제 승인 API 응답 시간을 절반으로 줄였습니다", "장애 대응 당번을 3년간 맡았습니다"],
          follow_ups=(Q("응답 시간은 어떻게 줄였나요?", "캐시와 비동기 호출로 줄였습니다.",
                        ["캐시와 비동기 호출로 줄였습니다."]),)),
        Q("협업에서 갈등이 있었던 경험은?",
          "코드 리뷰 기준이 달라 갈등이 있었습니다. 리뷰 가이드를 함께 만들어 해결했습니다.",
          ["코드 리뷰 기준이 달라 갈등이 있었습니다.", "리뷰 가이드를 함께 만들어 해결했습니다."],
          notes="📌 STAR 순서로 말할 것"),
    ]
    round_trips(tmp_path, result.deck)


def test_notion_nested_bullets_and_markdown_callout_english(tmp_path):
    result = import_notes(DATA / "notion-en.md")
    assert result.deck.title == "Interview questions" and result.unplaced == []
    assert result.deck.notes == "Ask about the on-call rotation at the end."
    assert counts(result) == (3, 1, 0, 1)
    assert outline(result.deck) == [
        Q("Tell me about a time you failed?", "- I shipped a migration without a rollback plan.\n"
          "- It cost us two hours of downtime and I wrote the runbook we still use.",
          ["I shipped a migration without a rollback plan.",
           "It cost us two hours of downtime and I wrote the runbook we still use."]),
        Q("What is your biggest strength?", "My strength is debugging under pressure.",
          ["My strength is debugging under pressure."],
          follow_ups=(Q("How do you stay calm?", "I write down what I know before I touch anything.",
                        ["I write down what I know before I touch anything."]),)),
        Q("Where do you see yourself in five years?", "Leading a platform team.",
          ["Leading a platform team."]),
    ]
    round_trips(tmp_path, result.deck)


# ---------------------------------------------------------------- spreadsheets


def test_korean_csv_with_bom_quoted_commas_and_newlines(tmp_path):
    path = DATA / "sheet-ko.csv"
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") and b"\r\n" in path.read_bytes()
    result = import_notes(path)
    assert result.shape == "spreadsheet (CSV, UTF-8)" and result.unplaced == []
    assert result.tags == ["인성", "기술"] and counts(result) == (4, 4, 0, 2)
    assert outline(result.deck, lines=True) == [
        Q("1분 자기소개 부탁드립니다.",
          "안녕하세요, 결제 플랫폼 개발자 김민수입니다.\n장애 대응 당번을 3년간 맡았습니다.",
          ["안녕하세요, 결제 플랫폼 개발자 김민수입니다.", "장애 대응 당번을 3년간 맡았습니다."],
          notes="첫 질문으로 자주 나옴", tags=("인성",), line=2),
        Q("장점과 단점을 말해 주세요.", "장점은 꼼꼼함, 단점은 느린 결정입니다.",
          ["장점은 꼼꼼함, 단점은 느린 결정입니다."], tags=("인성",), line=4,  # 구분 holds below
          follow_ups=(Q("그 단점을 어떻게 고치나요?", "결정 기한을 먼저 정합니다.",
                        ["결정 기한을 먼저 정합니다."], line=4),)),
        Q("HTTP와 HTTPS의 차이는?", 'HTTPS는 TLS로 "암호화"합니다.\n\n추가로, 인증서 체인을 검증합니다.',
          ['HTTPS는 TLS로 "암호화"합니다.', "추가로, 인증서 체인을 검증합니다."], tags=("기술",), line=5,
          follow_ups=(Q("인증서는 누가 발급하나요?", line=5), Q("핸드셰이크는 몇 번 오가나요?", line=5),
                      Q("TLS 1.3에서 달라진 점은?", "왕복이 한 번 줄었습니다.", ["왕복이 한 번 줄었습니다."],
                        line=8))),
        Q("캐시 무효화 전략을 설명해 주세요.", notes="답변 준비 중", tags=("기술",), line=9),
    ]
    round_trips(tmp_path, result.deck)


def test_korean_csv_saved_as_cp949():
    path = DATA / "sheet-ko-cp949.csv"
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    result = import_notes(path)
    assert result.shape == "spreadsheet (CSV, CP949)" and result.unplaced == []
    assert outline(result.deck) == [
        Q("지원 동기는 무엇인가요?", "데이터로 결정하는 문화가 좋아서, 지원했습니다.",
          ["데이터로 결정하는 문화가 좋아서, 지원했습니다."], notes="회사 블로그 참고", tags=("인성",)),
        Q("데드락을 설명해 주세요.",
          "두 트랜잭션이 서로의 잠금을 기다리는 상태입니다.\n잠금 순서를 정해 예방합니다.",
          ["두 트랜잭션이 서로의 잠금을 기다리는 상태입니다.", "잠금 순서를 정해 예방합니다."],
          tags=("기술",)),
    ]


def test_english_tsv():
    result = import_notes(DATA / "sheet-en.tsv")
    assert result.shape == "spreadsheet (TSV, UTF-8)" and counts(result) == (3, 1, 0, 1)
    assert outline(result.deck, lines=True) == [
        Q("Tell me about yourself.", "I am a backend engineer with six years in payments.",
          ["I am a backend engineer with six years in payments."], tags=("Behavioural",), line=2),
        Q("Why are you leaving?", "My team was merged.\nI want to own a product again.",
          ["My team was merged.", "I want to own a product again."], notes="Keep it positive.",
          tags=("Behavioural",), line=3, follow_ups=(Q("What would make you stay?", line=3),)),
        Q("What is a race condition?", "Two threads touch shared state and the result depends on timing.",
          ["Two threads touch shared state and the result depends on timing."], tags=("Technical",),
          line=5),
    ]


def test_csv_without_a_header_is_read_by_content():
    result = import_notes(DATA / "sheet-noheader-en.csv")
    assert result.unplaced == []
    assert outline(result.deck) == [
        Q("Tell me about yourself.", "I build payment systems, and I lead a team of four.",
          ["I build payment systems, and I lead a team of four."]),
        Q("Why do you want this job?", "I want to work on developer tools.",
          ["I want to work on developer tools."]),
        Q("What is your biggest weakness?", "I say yes too often; now I plan my week first.",
          ["I say yes too often; now I plan my week first."]),
    ]


def test_a_table_saved_as_txt_is_found_by_content(tmp_path):
    path = tmp_path / "prep.txt"
    path.write_text("질문\t답변\n왜 지원했나요?\t제품이 좋아서입니다.\n", encoding="utf-8")
    result = import_notes(path)
    assert result.shape == "spreadsheet (TSV, UTF-8)"
    assert [(q.question, q.answer) for q in result.deck.questions] == [
        ("왜 지원했나요?", "제품이 좋아서입니다.")]


def test_notes_saved_as_csv_are_read_as_text(tmp_path):
    path = tmp_path / "prep.csv"
    path.write_text("Q. Why us?\nA. Your product, and your team.\n", encoding="utf-8")
    result = import_notes(path)
    assert result.shape == "notes"
    assert [(q.question, q.answer) for q in result.deck.questions] == [
        ("Why us?", "Your product, and your team.")]


def _workbook(path: Path) -> Path:
    """A Korean sheet with a merged title row, a header merged over two answer columns, a category
    merged down two rows and one answer merged down two questions; and an English sheet."""
    book = openpyxl.Workbook()
    ko = book.active
    ko.title = "인성"
    ko.append(["2024 하반기 면접 준비"])
    ko.merge_cells("A1:D1")
    ko.append(["구분", "질문", "모범 답변", None])
    ko.merge_cells("C2:D2")
    ko.append(["지원", "지원 동기는 무엇인가요?", "데이터 문화가 좋아서입니다.", "- 빠른 배포 주기"])
    ko.append([None, "왜 우리 회사인가요?", "성장하는 팀이라서입니다.", None])
    ko.merge_cells("A3:A4")
    ko.append(["태도", "스트레스는 어떻게 푸나요?", "달리기를 합니다.\n주말에는 등산을 합니다.", None])
    ko.append([None, "취미가 무엇인가요?", None, None])
    ko.merge_cells("C5:C6")
    en = book.create_sheet("Technical")
    en.append(["Question", "Answer", "Notes"])
    en.append(["What is an index?", "A B-tree that makes lookups fast.", "Mention write cost."])
    en.append([12, None, None])  # a number where a question should be
    book.save(path)
    return path


def test_xlsx_with_merged_cells_and_two_sheets(tmp_path):
    result = import_notes(_workbook(tmp_path / "prep.xlsx"))
    assert result.shape == "spreadsheet (.xlsx)" and result.deck.title == "2024 하반기 면접 준비"
    assert result.unplaced == [(3, "Technical: 12")]
    assert result.tags == ["지원", "인성", "태도", "Technical"] and counts(result) == (5, 0, 1, 1)
    assert outline(result.deck, lines=True) == [
        Q("지원 동기는 무엇인가요?", "데이터 문화가 좋아서입니다.\n- 빠른 배포 주기",
          ["데이터 문화가 좋아서입니다.", "빠른 배포 주기"], tags=("지원", "인성"), line=3),
        Q("왜 우리 회사인가요?", "성장하는 팀이라서입니다.", ["성장하는 팀이라서입니다."],
          tags=("지원", "인성"), line=4),
        Q("스트레스는 어떻게 푸나요?", "달리기를 합니다.\n주말에는 등산을 합니다.",
          ["달리기를 합니다.", "주말에는 등산을 합니다."], tags=("태도", "인성"), line=5),
        Q("취미가 무엇인가요?", "달리기를 합니다.\n주말에는 등산을 합니다.",  # the merged answer is shared
          ["달리기를 합니다.", "주말에는 등산을 합니다."], tags=("태도", "인성"),
          shares="스트레스는 어떻게 푸나요?", line=6),
        Q("What is an index?", "A B-tree that makes lookups fast.", ["A B-tree that makes lookups fast."],
          notes="Mention write cost.", tags=("Technical",), line=2),
    ]
    assert deck_to_json(load_deck(tmp_path / "prep.xlsx")) == deck_to_json(result.deck)
    round_trips(tmp_path, result.deck)


# ---------------------------------------------------------------- Word


def _word(path: Path, language: str) -> Path:
    d = docx.Document()
    if language == "ko":
        d.add_heading("면접 준비", 0)
        d.add_heading("인성 질문", 1)
        d.add_paragraph().add_run("1분 자기소개 해주세요").bold = True
        d.add_paragraph("안녕하세요, 백엔드 개발자 김민수입니다.")
        d.add_paragraph("결제 시스템을 3년간 운영했습니다", style="List Bullet")
        d.add_paragraph("장애 대응 당번을 맡았습니다", style="List Bullet")
        d.add_paragraph("왜 이직하려고 하나요?", style="List Number")
        d.add_paragraph("더 큰 규모의 문제를 풀고 싶습니다.")
        d.add_heading("기술 질문", 1)
        table = d.add_table(rows=3, cols=3)
        rows = [("질문", "답변", "비고"), ("REST란 무엇인가요?", "자원을 URI로 표현하는 방식입니다.", ""),
                ("캐시 전략은?", "TTL을 두고\n쓰기 때 무효화합니다.", "Redis 사용")]
    else:
        d.add_heading("Interview prep", 0)
        d.add_paragraph("Read this the night before.")
        d.add_heading("Behavioural", 1)
        d.add_paragraph().add_run("Tell me about yourself.").bold = True
        d.add_paragraph("I build payment systems.")
        d.add_paragraph("Q: Why are you leaving?")
        d.add_paragraph("A: I want a bigger scale problem.")
        d.add_heading("Technical", 1)
        table = d.add_table(rows=2, cols=2)
        rows = [("Question", "Answer"), ("What is REST?", "Resources named by URIs.")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    d.save(path)
    return path


def test_korean_docx_with_a_table(tmp_path):
    result = import_notes(_word(tmp_path / "prep.docx", "ko"))
    assert result.shape == "Word file (.docx)" and result.deck.title == "면접 준비"
    assert result.unplaced == [] and result.tags == ["인성 질문", "기술 질문"]
    assert counts(result) == (4, 0, 0, 1)
    assert outline(result.deck) == [
        Q("1분 자기소개 해주세요",
          "안녕하세요, 백엔드 개발자 김민수입니다.\n- 결제 시스템을 3년간 운영했습니다\n"
          "- 장애 대응 당번을 맡았습니다",
          ["안녕하세요, 백엔드 개발자 김민수입니다.", "결제 시스템을 3년간 운영했습니다",
           "장애 대응 당번을 맡았습니다"], tags=("인성 질문",)),
        Q("왜 이직하려고 하나요?", "더 큰 규모의 문제를 풀고 싶습니다.",
          ["더 큰 규모의 문제를 풀고 싶습니다."], tags=("인성 질문",)),
        Q("REST란 무엇인가요?", "자원을 URI로 표현하는 방식입니다.", ["자원을 URI로 표현하는 방식입니다."],
          tags=("기술 질문",)),
        Q("캐시 전략은?", "TTL을 두고\n쓰기 때 무효화합니다.", ["TTL을 두고", "쓰기 때 무효화합니다."],
          notes="Redis 사용", tags=("기술 질문",)),
    ]


def test_english_docx(tmp_path):
    path = _word(tmp_path / "prep.docx", "en")
    result = import_notes(path)
    assert result.deck.title == "Interview prep"
    assert result.unplaced == [(2, "Read this the night before.")]
    assert outline(result.deck) == [
        Q("Tell me about yourself.", "I build payment systems.", ["I build payment systems."],
          tags=("Behavioural",)),
        Q("Why are you leaving?", "I want a bigger scale problem.", ["I want a bigger scale problem."],
          tags=("Behavioural",)),
        Q("What is REST?", "Resources named by URIs.", ["Resources named by URIs."], tags=("Technical",)),
    ]
    assert [str(p) for p in check_deck(path)] == [
        f"{path}:2: warning: could not place this line: Read this the night before."]


# ---------------------------------------------------------------- honest reporting


def test_nothing_found_names_the_shapes_tried_and_shows_the_first_lines(tmp_path):
    path = tmp_path / "prep.txt"
    path.write_text("안녕하세요\n\n이건 그냥 메모입니다\n", encoding="utf-8")
    with pytest.raises(DeckError) as info:
        import_notes(path)
    assert str(info.value) == (
        f"{path}:1: no questions found; looked for a question as a `# heading` with its answer "
        "under it; or a numbered item `1.` with its answer under it; or a `Q.`/`질문:` line with an "
        "`A.`/`답:` answer; or a Notion toggle (`<details>`, a `- …?` bullet with its answer indented "
        "under it). The first lines read:\n     1 | 안녕하세요\n     3 | 이건 그냥 메모입니다")


def test_a_spreadsheet_with_no_question_column_says_so(tmp_path):
    path = tmp_path / "budget.csv"
    path.write_text("item,cost\nrent,1000\nfood,300\n", encoding="utf-8")
    with pytest.raises(DeckError) as info:
        import_notes(path)
    message = str(info.value)
    assert message.startswith(f"{path}:1: no questions found; looked for a question as a header "
                              "naming a question column (질문, 문항, question)")
    assert "`Q.`/`질문:` line" in message
    assert message.endswith("The first lines read:\n     1 | item,cost\n     2 | rent,1000\n"
                            "     3 | food,300")


@pytest.mark.parametrize("name, data, what, advice", [
    ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "an image (PNG)",
     "type the notes into a .txt file"),
    ("scan.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "an image (JPEG)", "type the notes into a .txt file"),
    ("cv.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "a PDF",
     "copy its text into a .txt file, or open it in Word and save it as .docx"),
    ("notes.hwp", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "a Hangul (.hwp) file",
     "in Hangul use 파일 > 다른 이름으로 저장하기 and choose Word 문서 (.docx) or 텍스트 문서 (.txt)"),
    ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "an old Word (.doc) file",
     "open it in Word and save it as .docx"),
])
def test_a_file_that_is_not_notes_gets_one_sentence(tmp_path, name, data, what, advice):
    path = tmp_path / name
    path.write_bytes(data)
    expected = (f"{path}:1: this is {what}, not notes: rehearse reads text notes (.txt, .md), "
                f"spreadsheets (.csv, .tsv, .xlsx), Word files (.docx) and YAML decks; {advice}")
    for read in (import_notes, load_deck):
        with pytest.raises(DeckError) as info:
            read(path)
        assert str(info.value) == expected
    r = CliRunner().invoke(cli, ["import", str(path), "-o", str(tmp_path / "out.yaml")])
    assert r.exit_code == 2 and expected in r.output and "Traceback" not in r.output


def test_a_hwpx_file_gets_one_sentence(tmp_path):
    import zipfile

    path = tmp_path / "notes.hwpx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/hwp+zip")
        z.writestr("Contents/section0.xml", "<x/>")
    with pytest.raises(DeckError, match=r"notes\.hwpx:1: this is a Hangul \(\.hwpx\) file, not notes"):
        import_notes(path)


def test_cli_import_prints_what_it_found(tmp_path):
    out = tmp_path / "qa.yaml"
    r = CliRunner().invoke(cli, ["import", str(DATA / "qa-ko.txt"), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines() == [
        f"Read {DATA / 'qa-ko.txt'} as notes. Wrote {out}: 7 questions, 2 follow-ups, 1 shared answers, "
        "2 notes kept, 2 tags (인성, 기술).",
        f"{DATA / 'qa-ko.txt'}:1: could not place: 백엔드 개발자 면접 준비 (2024 하반기)",
        "1 line(s) could not be placed; they are not in the deck.",
    ]
    assert CliRunner().invoke(cli, ["check", str(out)]).exit_code == 0


def test_cli_import_of_a_workbook_and_practice_list(tmp_path):
    book = _workbook(tmp_path / "prep.xlsx")
    out = tmp_path / "prep.yaml"
    r = CliRunner().invoke(cli, ["import", str(book), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith(f"Read {book} as spreadsheet (.xlsx). Wrote {out}: 5 questions, "
                               "0 follow-ups, 1 shared answers, 1 notes kept, 4 tags "
                               "(지원, 인성, 태도, Technical).")
    assert r.output.splitlines()[1:] == [f"{book}:3: could not place: Technical: 12",
                                         "1 line(s) could not be placed; they are not in the deck."]
    assert deck_to_json(load_deck(out)) == deck_to_json(load_deck(book))
