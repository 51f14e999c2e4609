"""Right to erasure end to end: a person in five documents (three formats) and in the
query log is found, erased physically, and the signed receipt verifies."""

from __future__ import annotations

import json
from pathlib import Path

import docx

from jisik.privacy.erasure import erase, verify
from jisik.privacy.locate import locate
from jisik.privacy.receipts import check_signature
from jisik.privacy.subject import Subject
from jisik.service import Jisik

NAME, PHONE, EMAIL = "김민준", "010-2345-6789", "minjun.kim@hanbit.example"
IDENTIFIERS = (NAME, PHONE, "01023456789", "2345-6789", EMAIL)


def _seed(folder: Path) -> list[Path]:
    folder.mkdir(parents=True)
    files = []
    for i, team in enumerate(("영업", "인사", "보안")):
        path = folder / f"team-{i}.md"
        path.write_text(
            f"# {team}팀 연락처\n\n{team}팀 담당자는 {NAME} 과장입니다. 전화 {PHONE}, "
            f"메일 {EMAIL}로 연락하세요.\n\n다른 담당자는 이서연 대리입니다.\n",
            encoding="utf-8",
        )
        files.append(path)
    document = docx.Document()
    document.add_heading("출장 보고서", 1)
    document.add_paragraph(f"작성자: {NAME} (연락처 {PHONE.replace('-', ' ')})")
    document.add_paragraph("출장 기간은 3일이며 숙박비는 10만 원입니다.")
    files.append(folder / "trip.docx")
    document.save(files[-1])
    csv = folder / "staff.csv"
    csv.write_text(
        f"이름,부서,전화\n{NAME},영업,{PHONE}\n이서연,인사,010-9876-5432\n", encoding="utf-8"
    )
    files.append(csv)
    (folder / "unrelated.md").write_text("# 식당\n\n사내 식당은 12시에 엽니다.\n", encoding="utf-8")
    return files


def _shows_identifier(text: str) -> bool:
    return any(i in text for i in IDENTIFIERS)


def test_erasure_removes_a_person_everywhere_and_the_receipt_verifies(settings, tmp_path):
    folder = tmp_path / "docs"
    _seed(folder)
    subject = Subject.of(name=[NAME], phone=[PHONE], email=[EMAIL])
    with Jisik(settings) as jisik:
        assert jisik.add([folder]).added == 6
        asked = jisik.ask(f"{NAME}의 연락처는?")
        assert _shows_identifier(asked.text)  # before: the answer names them
        jisik.search(f"{NAME} 전화번호")
        export = tmp_path / "audit.jsonl"
        export.write_text(
            "\n".join(json.dumps(e.as_json(), ensure_ascii=False) for e in jisik.audit.events()),
            encoding="utf-8",
        )
        jisik.audit.append("audit.export", "cli:test", out=str(export))

        found = locate(jisik.erasure_context(), subject).counts()
        assert found["documents"] == 5
        assert found["chunks"] >= 5 and found["lexical_entries"] >= 5
        assert found["vector_entries"] >= 5  # the hashing embedder keeps vectors
        assert found["audit_events"] >= 2 and found["answer_hashes"] >= 1
        assert found["exports"] >= 2

        erased = erase(jisik.erasure_context(), subject, actor="cli:dpo")
        receipt = erased.receipt
        assert all(v == 0 for v in receipt["probe_after"].values()), receipt["probe_after"]
        assert len(receipt["removed"]["documents_redacted"]) == 5
        assert check_signature(receipt, jisik.public_key()).valid

    with Jisik(settings) as reopened:  # no resurrection after reopening
        # (checked before the probing questions below, which are new log entries)
        for event in reopened.audit.events():
            assert not _shows_identifier(json.dumps(event.payload, ensure_ascii=False))
        assert reopened.audit.verify().ok
        raw = b"".join(p.read_bytes() for p in settings.home.glob("jisik.db*"))
        assert NAME.encode() not in raw and EMAIL.encode() not in raw
        for question in (f"{NAME}의 연락처", NAME, PHONE, EMAIL, "영업팀 담당자 전화번호"):
            for hit in reopened.search(question, k=10):
                assert not _shows_identifier(hit.text)
            answer = reopened.ask(question)
            assert not _shows_identifier(answer.text)
            assert not any(_shows_identifier(c.text) for c in answer.citations)
        for info in reopened.documents():
            assert not _shows_identifier(reopened.document(info.doc_id)[1])
            assert not _shows_identifier(info.title + info.source)
        assert not _shows_identifier(export.read_text(encoding="utf-8"))
        # The rest of each document is still there and answers.
        assert any("이서연 대리" in h.text for h in reopened.search("인사팀 다른 담당자", k=3))
        saved = json.loads(erased.path.read_text(encoding="utf-8"))
        assert saved == receipt
        assert NAME not in json.dumps(saved, ensure_ascii=False)  # hashes only
        checked = verify(saved, reopened.public_key(), subject, reopened.erasure_context())
        # The probing questions above are new log entries naming the person; the
        # stores that held their data are empty.
        assert checked["signature_valid"] and checked["identifiers_match"], checked
        assert all(
            v == 0
            for k, v in checked["found"].items()
            if k not in ("audit_events", "database_file")
        )
        tampered = {**saved, "issued_at": "2020-01-01T00:00:00Z"}
        assert not verify(tampered, reopened.public_key())["signature_valid"]
        other = Subject.of(name=["이서연"])
        assert not verify(saved, reopened.public_key(), other, reopened.erasure_context())["ok"]  # not the person it was issued for
