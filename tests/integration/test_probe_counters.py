"""Every counter of the erasure probe sees a leftover planted in its own store.

Issue 9: the vector-entry probe could be made to report 0 and every test still passed,
because no test needed it to see anything. Here each store gets a leftover through that
store's own API (a file under the home, a kept original, a staging folder, a raw
database page, a job record, a version and its chunk, a lexical entry, a vector, an
index term, an active document, an audit event, a registered answer, a conversation
turn, a feedback comment, an export), one at
a time, and the counter for it must go from 0 to more than 0.
"""

from __future__ import annotations

import numpy as np
import pytest

from jisik.index.base import PUBLIC, IndexEntry
from jisik.ingest.prepare import document_id
from jisik.privacy.locate import locate
from jisik.privacy.subject import Subject
from jisik.service import Jisik
from jisik.settings import load_settings
from jisik.store.jobs import JobStore
from jisik.store.version_writes import NewVersion
from jisik.types import Chunk, Span

NAME, PHONE = "김민준", "010-1234-5678"
TEXT = f"# 연락처\n\n담당자 {NAME} 과장: 전화 {PHONE}.\n"


@pytest.fixture
def jisik(tmp_path):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "menu.md").write_text("# 식당\n\n사내 식당은 12시에 엽니다.\n", encoding="utf-8")
    with Jisik(load_settings(tmp_path / "home", embedder="hashing")) as service:
        service.add([docs])
        yield service


def _version(jisik: Jisik) -> tuple[int, int]:
    start = TEXT.index("담당자")
    chunk = Chunk(0, start, len(TEXT), "", "연락처", TEXT[start:])
    new = NewVersion(
        doc_id=document_id("planted/contact.md"),  # as ingest names it (erasure re-derives it)
        source="planted/contact.md",
        title="연락처",
        format="markdown",
        content_hash="f" * 64,
        size_bytes=len(TEXT.encode()),
        modified_at=0.0,
        text=TEXT,
        sections=((Span(0, len(TEXT), ""), "연락처"),),
        chunks=(chunk,),
    )
    version_id, (chunk_id,) = jisik.records.write_pending(new)
    return version_id, chunk_id


def test_each_counter_sees_a_leftover_in_its_own_store(jisik, tmp_path):
    subject = Subject.of(name=[NAME], phone=[PHONE])
    layout = jisik.layout
    counts = locate(jisik.erasure_context(), subject).counts()
    assert not any(counts.values()), counts  # nothing of the person yet: no false alarm
    planted: dict[str, int] = {}

    def plant(key: str, action) -> None:
        nonlocal counts
        assert counts[key] == 0, (key, counts)
        action()
        after = locate(jisik.erasure_context(), subject).counts()
        assert after[key] > 0, (key, after)
        planted[key] = after[key]
        counts = after

    def home_file():
        (layout.root / "memo.txt").write_text(f"메모: {NAME}에게 전화", encoding="utf-8")

    def orphaned_original():
        orphan = layout.originals / "ab" / ("ab" + "0" * 62)
        orphan.parent.mkdir(parents=True, exist_ok=True)
        orphan.write_text("아무 내용", encoding="utf-8")

    def stale_staging():
        staged = layout.uploads / "deadbeef" / "00000" / "old.md"
        staged.parent.mkdir(parents=True)
        staged.write_text("아무 내용", encoding="utf-8")

    jobs = JobStore(jisik.engine)

    def database_page():
        # A row naming the person, then redacted: the record is clean, the old page is
        # still in the database file (or its log) until it is overwritten.
        jobs.create("redactedjob", "erin", None, [f"{NAME}_이력서.md"])
        jobs.redact(lambda s: (s.replace(NAME, "[삭제]"), s.count(NAME)))

    def job_record():
        jobs.create("queuedjob", "erin", None, [f"{NAME}_이력서.md"])

    version_id, chunk_id = 0, 0

    def version_and_chunk():
        nonlocal version_id, chunk_id
        version_id, chunk_id = _version(jisik)

    def lexical_entry():  # an entry for the chunk, without the person's terms or a vector
        jisik.index.add([IndexEntry(chunk_id, version_id, ("식당",), ("연락처",))])
        jisik.index.commit()

    def vector_entry():
        vector = np.zeros((1, jisik.embedder.dim), dtype=np.float32)
        vector[0, 0] = 1.0
        jisik.index.vectors.add([chunk_id], vector, [(PUBLIC,)])
        jisik.index.commit()

    def index_term():  # the name as a term of an entry no chunk row backs
        jisik.index.add([IndexEntry(10**9, version_id, (NAME,), ())])
        jisik.index.commit()

    def document():
        jisik.records.activate(version_id)

    def audit_event():
        jisik.audit.append("search", "user:erin", "trace-planted", query=f"{NAME} 연락처")

    def answer_hash():
        jisik.answers.register("담당자는 과장입니다.", "trace-planted")

    def conversation_turn():
        from jisik.store.conversations import USER, Turn

        store = jisik.conversations.store
        kept = store.create("user:erin", "식당 문의")
        store.append("user:erin", kept.id, [Turn(USER, f"{NAME} 과장 연락처는?")])

    def feedback_comment():
        from jisik.store.feedback import FeedbackStore

        jisik.audit.append("ask", "user:erin", "trace-judged", question="식당은 언제 여나요?")
        FeedbackStore(jisik.engine).give(
            "user:erin", "trace-judged", "wrong", f"{NAME} 과장이 틀렸대요"
        )

    export = tmp_path / "audit-export.jsonl"

    def export_file():
        export.write_text(f'{{"query": "{NAME} 연락처"}}\n{{"query": "식당"}}\n', "utf-8")
        jisik.audit.append("audit.export", "cli:test", out=str(export))

    plant("home_files", home_file)
    plant("orphaned_originals", orphaned_original)
    plant("stale_staging_folders", stale_staging)
    plant("database_file", database_page)
    assert counts["job_records"] == 0  # the redacted job names nobody
    plant("job_records", job_record)
    plant("old_versions", version_and_chunk)
    assert counts["chunks"] == 1 and counts["documents"] == 0
    planted["chunks"] = counts["chunks"]  # a version's chunk comes with it
    assert counts["lexical_entries"] == counts["vector_entries"] == 0
    plant("lexical_entries", lexical_entry)
    assert counts["vector_entries"] == 0 and counts["lexical_terms"] == 0
    plant("vector_entries", vector_entry)
    assert counts["lexical_entries"] == 1 and counts["vector_entries"] == 1
    plant("lexical_terms", index_term)
    assert counts["lexical_entries"] == 1  # that entry backs no chunk naming the person
    plant("documents", document)
    plant("audit_events", audit_event)
    assert counts["answer_hashes"] == 0
    plant("answer_hashes", answer_hash)
    plant("conversation_entries", conversation_turn)
    plant("feedback_comments", feedback_comment)
    plant("exports", export_file)
    assert counts["exports"] == 1  # one line of the two names the person
    # Every place the probe reports was shown to see something.
    assert set(planted) == set(counts)

    # An erasure clears what was planted, and its own probe agrees; a file of the
    # operator's in the home is reported, not deleted (only originals and staged uploads
    # are jisik's to remove).
    receipt = jisik.privacy_erase(subject, actor="cli:dpo").receipt
    left = {k: v for k, v in receipt["probe_after"].items() if v}
    assert left == {"home_files": 1}, receipt["probe_after"]
    assert (layout.root / "memo.txt").exists()
    assert NAME not in export.read_text(encoding="utf-8")


def test_a_real_document_is_counted_in_every_index_part(jisik, tmp_path):
    """Before an erasure the probe counts the person's chunks in the records, the
    lexical index and the vectors alike; afterwards none."""
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(3):
        (folder / f"team-{i}.md").write_text(
            f"# 팀 {i}\n\n담당자 {NAME} 과장: 전화 {PHONE}.\n", encoding="utf-8"
        )
    jisik.add([folder])
    subject = Subject.of(name=[NAME], phone=[PHONE])
    counts = locate(jisik.erasure_context(), subject).counts()
    assert counts["documents"] == 3 and counts["chunks"] >= 3
    assert counts["vector_entries"] == counts["lexical_entries"] == counts["chunks"]
    assert counts["lexical_terms"] >= 1
    receipt = jisik.privacy_erase(subject, actor="cli:dpo").receipt
    assert receipt["probe_after"]["vector_entries"] == 0
    assert not any(receipt["probe_after"].values()), receipt["probe_after"]
