"""The service facade end to end on real components (Kiwi, tantivy, SQLite, parsers)."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest

from jisik.answer.base import ABSTAIN_MESSAGE
from jisik.errors import HomeMismatchError, InvalidQueryError, NotFoundError
from jisik.home import HomeMissingError
from jisik.service import Jisik
from jisik.settings import load_settings


def _doc_id(jisik: Jisik, name: str) -> str:
    return next(d.doc_id for d in jisik.documents() if d.source.endswith(name))


def test_add_search_and_cited_answer(jisik, handbook):
    report = jisik.add([handbook])
    assert (report.added, report.updated, report.unchanged, report.failed) == (4, 0, 0, ())
    hits = jisik.search("비밀번호 변경 주기", k=3)
    assert hits[0].source.endswith("password.txt")
    assert hits[0].text == jisik.document(hits[0].doc_id)[1][hits[0].start : hits[0].end]

    answer = jisik.ask("비밀번호는 며칠마다 바꿔야 하나요?")
    assert not answer.abstained and answer.ai_generated
    assert "90일" in answer.text and "[1]" in answer.text
    citation = answer.citations[0]
    stored = jisik.document(citation.doc_id)[1]
    assert stored[citation.start : citation.end] == citation.text
    assert citation.location == "text"


def test_locations_name_sections_and_rows(jisik, handbook):
    jisik.add([handbook])
    hit = jisik.search("자기계발비 지원", k=1)[0]
    assert hit.location == "회사 소개 > 복리후생"
    hit = jisik.search("숙박비 한도", k=1)[0]
    assert hit.source.endswith("meals.csv") and "100000원" in hit.text


def test_unchanged_changed_removed_and_readded(jisik, handbook):
    jisik.add([handbook])
    assert jisik.add([handbook]).unchanged == 4
    leave = handbook / "hr" / "leave.md"
    leave.write_text("# 연차휴가 규정\n\n연차는 입사일부터 20일이 주어집니다.\n", encoding="utf-8")
    report = jisik.add([handbook])
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)
    info = next(d for d in jisik.documents() if d.source == str(leave))
    assert info.version == 2
    assert not jisik.search("이월 수당 정산", k=5) or all(
        "이월" not in h.text for h in jisik.search("이월 수당 정산", k=5)
    )
    assert "20일" in jisik.search("연차 며칠", k=1)[0].text

    removed = jisik.remove(info.doc_id)
    assert removed.doc_id == info.doc_id
    assert all(h.doc_id != info.doc_id for h in jisik.search("연차휴가 20일", k=10))
    assert all(d.doc_id != info.doc_id for d in jisik.documents())
    with pytest.raises(NotFoundError):
        jisik.document(info.doc_id)
    assert jisik.stats()["lexical_entries"] == jisik.stats()["chunks"]

    assert jisik.add([leave]).added == 1
    assert jisik.search("연차 20일", k=1)[0].source == str(leave)


def test_bad_files_are_reported_and_the_rest_ingested(jisik, handbook):
    bad = handbook / "bad"
    bad.mkdir()
    (bad / "broken.docx").write_bytes(b"PK\x03\x04 definitely not a docx")
    (bad / "empty.txt").write_bytes(b"")
    (bad / "random.pdf").write_bytes(os.urandom(2048))
    (bad / "notes.xyz").write_text("unsupported", encoding="utf-8")
    (bad / "photo.png").write_bytes(b"\x89PNG")  # ignored inside folders: never a document
    with zipfile.ZipFile(bad / "nosection.hwpx", "w") as archive:
        archive.writestr("mimetype", "application/hwp+zip")
    report = jisik.add([handbook, handbook / "missing.md"])
    assert report.added == 4
    failed = {Path(f.path).name: f.error for f in report.failed}
    assert set(failed) == {
        "broken.docx", "empty.txt", "random.pdf", "notes.xyz", "nosection.hwpx", "missing.md",
    }
    assert "empty" in failed["empty.txt"]
    assert "unsupported" in failed["notes.xyz"]
    assert "no such file" in failed["missing.md"]
    assert all(error.strip() for error in failed.values())


def test_groups_are_stored_and_kept_unless_given(jisik, handbook):
    jisik.add([handbook / "hr"], groups=["hr", "managers"])
    doc_id = _doc_id(jisik, "leave.md")
    assert jisik.document(doc_id)[0].groups == ("hr", "managers")
    (handbook / "hr" / "leave.md").write_text("# 연차\n\n바뀐 내용입니다.\n", encoding="utf-8")
    jisik.add([handbook / "hr"])
    assert jisik.document(doc_id)[0].groups == ("hr", "managers")
    jisik.add([handbook / "security"])
    assert jisik.document(_doc_id(jisik, "password.txt"))[0].groups == ()


def test_abstains_without_evidence(jisik, handbook):
    jisik.add([handbook])
    answer = jisik.ask("화성 탐사선의 발사 일정은 언제인가요?")
    assert answer.abstained and answer.text == ABSTAIN_MESSAGE and not answer.citations


def test_empty_and_punctuation_questions_are_refused(jisik, handbook):
    jisik.add([handbook])
    for question in ("", "   ", "?!...", "ㅡ.ㅡ;"[3:]):
        with pytest.raises(InvalidQueryError):
            jisik.ask(question)


def test_missing_home_is_a_clear_error(tmp_path):
    with pytest.raises(HomeMissingError, match="jisik add"):
        Jisik(load_settings(tmp_path / "nowhere"), create=False)


def test_mismatched_embedder_is_refused_and_reindex_fixes_it(settings, handbook):
    with Jisik(settings) as first:
        first.add([handbook])
    other = load_settings(settings.home, embedder="none")
    with pytest.raises(HomeMismatchError, match="reindex"):
        Jisik(other)
    with Jisik(other, create=False, rebuilding=True) as rebuilt:
        assert rebuilt.reindex() == 4
    with Jisik(load_settings(settings.home), create=False) as reopened:
        assert reopened.stats()["embedder"] is None
        assert reopened.search("비밀번호 변경", k=1)[0].source.endswith("password.txt")


def test_state_survives_reopening(settings, handbook):
    with Jisik(settings) as first:
        first.add([handbook])
        before = [(h.chunk_id, h.text) for h in first.search("연차휴가", k=3)]
    with Jisik(settings) as second:
        assert [(h.chunk_id, h.text) for h in second.search("연차휴가", k=3)] == before
        assert second.add([handbook]).unchanged == 4


def test_dense_and_lexical_modes(jisik, handbook):
    jisik.add([handbook])
    assert jisik.search("비밀번호", k=1, mode="lexical")[0].source.endswith("password.txt")
    dense = jisik.search("비밀번호는 12자 이상", k=1, mode="dense")
    assert dense and dense[0].source.endswith("password.txt")


def test_oversized_files_are_refused_with_the_setting_to_change(tmp_path, handbook):
    settings = load_settings(tmp_path / "home", embedder="hashing", max_file_mb=1)
    big = handbook / "big.txt"
    big.write_text("연차휴가 규정 " * 200_000, encoding="utf-8")
    with Jisik(settings) as service:
        report = service.add([handbook])
    assert report.added == 4
    (failure,) = report.failed
    assert failure.path == str(big) and "max_file_mb" in failure.error


def test_texts_are_ingested_like_files(jisik):
    report = jisik.add_texts(
        [("api:1", "출장 규정", "해외 출장 숙박비는 1박 20만 원까지입니다."), ("api:2", "빈 문서", "  ")]
    )
    assert report.added == 1 and report.failed[0].path == "api:2"
    assert jisik.add_texts([("api:1", "출장 규정", "해외 출장 숙박비는 1박 20만 원까지입니다.")]).unchanged == 1
    hit = jisik.search("해외 출장 숙박비", k=1)[0]
    assert hit.source == "api:1" and hit.title == "출장 규정"


def test_a_parser_bug_on_one_file_is_reported_with_its_type(jisik, handbook, monkeypatch):
    """Files are read in worker processes, where a patch made here does not reach:
    the worker's own step is run here (what the pool does with the reply, and
    that the rest of the batch goes on, is tests/unit/test_workers.py's)."""
    from jisik.ingest import wire
    from jisik.ingest.parsers import markdown
    from jisik.ingest.prepare import file_facts
    from jisik.ingest.worker_main import run_task

    def broken(path):
        raise IndexError("list index out of range")

    monkeypatch.setattr(markdown, "parse", broken)
    path = handbook / "hr" / "leave.md"
    request = {
        "op": "file",
        "path": str(path),
        "facts": wire.facts_json(file_facts(path, 10**6)),
        "chunking": wire.chunking_json(jisik.chunking),
        "guard": None,
    }
    reply = run_task(request, jisik.analyzer)
    assert "IndexError" in reply["error"] and "please report this file" in reply["error"]
    assert "IndexError" in reply["traceback"]


def test_excluded_files_are_counted_and_never_ingested(jisik, handbook):
    (handbook / "security" / ".jisikignore").write_text("*.txt\n", encoding="utf-8")
    report = jisik.add([handbook], exclude=["hr/"])
    assert (report.added, report.excluded, report.failed) == (2, 2, ())
    sources = sorted(Path(d.source).parent.name for d in jisik.documents())
    assert sources == ["expenses", "general"]
    assert all("password" not in h.source for h in jisik.search("비밀번호 변경 주기", k=10))
