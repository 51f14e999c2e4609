"""The records decide who reads a document, even when the index still says otherwise.

Index entries carry the reader groups they were written with. Between a group change's
two commits (records, then index), or with an index entry left stale by a crash, the
index may offer a chunk to someone the records no longer allow: ``Jisik._search``
re-checks every hit against the records. These tests make the index stale on purpose
by changing groups through ``Records`` alone, so only that re-check stands between the
reader and the document.
"""

from __future__ import annotations

import pytest

from jisik.index.base import PUBLIC
from jisik.service import Jisik
from jisik.settings import load_settings
from jisik.types import Requester
from tests.conftest import write_handbook

EVERYONE = Requester("user:everyone", frozenset({PUBLIC}))
HR = Requester("user:hr", frozenset({PUBLIC, "hr"}))
ONLY_HR = Requester("user:only-hr", frozenset({"hr"}))
LEGAL = Requester("user:legal", frozenset({"legal"}))
QUESTIONS = {
    "leave.md": ("연차휴가 이월", "쓰지 않은 연차는 이월되나요?"),
    "password.txt": ("비밀번호 변경", "비밀번호는 몇 자 이상이어야 하나요?"),
}


@pytest.fixture(scope="module")
def stale(tmp_path_factory):
    """leave.md added for hr, then moved to legal in the records only; password.txt
    added public, then made hr-only in the records only."""
    root = tmp_path_factory.mktemp("stale")
    handbook = write_handbook(root / "handbook")
    with Jisik(load_settings(root / "home", embedder="hashing")) as jisik:
        jisik.add([handbook / "hr"], groups=["hr"])
        jisik.add([handbook / "security"])
        ids = {d.source.rsplit("/", 1)[-1]: d.doc_id for d in jisik.documents()}
        # The index is right before the change: hr reads leave.md, everyone password.txt.
        assert _sources(jisik, "leave.md", HR) and _sources(jisik, "password.txt", EVERYONE)
        jisik.records.set_groups(ids["leave.md"], ["legal"])
        jisik.records.set_groups(ids["password.txt"], ["hr"])
        yield jisik, ids


def _sources(jisik: Jisik, name: str, who: Requester, mode: str | None = None) -> set[str]:
    query = QUESTIONS[name][0]
    return {h.source.rsplit("/", 1)[-1] for h in jisik.search(query, k=10, mode=mode, who=who)}


def _raw_readers(jisik: Jisik, name: str, readers: frozenset[str]) -> bool:
    """Whether the index itself still offers the document's chunks to ``readers``."""
    ranked = jisik.retriever.search(QUESTIONS[name][0], 20, "lexical", readers=readers)
    stored = jisik.records.active_chunks([c for c, _ in ranked])
    return any(c.source.endswith(name) for c in stored.values())


def test_the_index_is_stale_on_purpose(stale):
    jisik, _ = stale
    assert _raw_readers(jisik, "leave.md", HR.readers)  # index: hr may still read it
    assert not _raw_readers(jisik, "leave.md", LEGAL.readers)  # … and legal not yet
    assert _raw_readers(jisik, "password.txt", EVERYONE.readers)


@pytest.mark.parametrize("mode", ["lexical", "dense", "hybrid"])
def test_a_reader_the_records_dropped_never_gets_the_document(stale, mode):
    jisik, _ = stale
    assert "leave.md" not in _sources(jisik, "leave.md", HR, mode)
    assert "leave.md" not in _sources(jisik, "leave.md", ONLY_HR, mode)
    assert "password.txt" not in _sources(jisik, "password.txt", EVERYONE, mode)


def test_ask_never_cites_a_document_the_records_dropped(stale):
    jisik, _ = stale
    for name, who in (("leave.md", HR), ("leave.md", ONLY_HR), ("password.txt", EVERYONE)):
        answer = jisik.ask(QUESTIONS[name][1], who=who)
        assert all(not c.source.endswith(name) for c in answer.citations), (name, answer)
        assert ("이월되지" if name == "leave.md" else "12자") not in answer.text


def test_readers_the_records_allow_still_read_it(stale):
    jisik, ids = stale
    # hr now holds password.txt by the records and by an index entry readable by PUBLIC,
    # which hr holds too: the two agree, so hr gets it.
    assert "password.txt" in _sources(jisik, "password.txt", HR)
    # An unrestricted caller (the CLI) sees everything.
    assert {"leave.md", "password.txt"} <= {
        h.source.rsplit("/", 1)[-1] for h in jisik.search("연차 비밀번호", k=10)
    }
    assert jisik.records.readable(set(ids.values()), HR.readers) == {ids["password.txt"]}
    assert jisik.records.readable(set(ids.values()), LEGAL.readers) == {ids["leave.md"]}
    assert jisik.records.readable(set(ids.values()), EVERYONE.readers) == set()


def test_readable_by_the_records_alone(tmp_path):
    """``Records.readable`` and the SQL clause agree on every combination of groups."""
    handbook = write_handbook(tmp_path / "handbook")
    with Jisik(load_settings(tmp_path / "home")) as jisik:
        jisik.add([handbook / "hr"], groups=["hr", "legal"])
        jisik.add([handbook / "security"], groups=["finance"])
        jisik.add([handbook / "general"])
        ids = {d.source.rsplit("/", 1)[-1]: d.doc_id for d in jisik.documents()}
        leave, password, intro = ids["leave.md"], ids["password.txt"], ids["intro.html"]
        expected = {
            frozenset(): set(),
            frozenset({PUBLIC}): {intro},
            frozenset({"hr"}): {leave},
            frozenset({"legal"}): {leave},
            frozenset({"finance"}): {password},
            frozenset({"hr", "finance"}): {leave, password},
            frozenset({PUBLIC, "legal"}): {leave, intro},
            frozenset({PUBLIC, "hr", "finance"}): {leave, password, intro},
            frozenset({"sales"}): set(),
        }
        for readers, wanted in expected.items():
            assert jisik.records.readable({leave, password, intro}, readers) == wanted, readers
            listed = {d.doc_id for d in jisik.records.documents(readers)}
            assert listed == wanted, readers
            assert jisik.records.count_documents(readers) == len(wanted), readers
            for doc_id in (leave, password, intro):
                found = jisik.records.document(doc_id, readers)
                assert (found is not None) == (doc_id in wanted), (readers, doc_id)
        assert jisik.records.readable(set(), frozenset({PUBLIC})) == set()
