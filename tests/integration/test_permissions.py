"""Per-document reader groups, enforced by the service on every read path."""

from __future__ import annotations

import pytest

from jisik.errors import NotFoundError
from jisik.index.base import PUBLIC
from jisik.service import Jisik
from jisik.types import Requester

EVERYONE = Requester("user:everyone", frozenset({PUBLIC}))
HR = Requester("user:hr", frozenset({PUBLIC, "hr"}))
ONLY_HR = Requester("user:only-hr", frozenset({"hr"}))
FINANCE = Requester("user:finance", frozenset({"finance"}))
LEGAL = Requester("user:legal", frozenset({"legal"}))


def _doc_id(jisik: Jisik, name: str) -> str:
    return next(d.doc_id for d in jisik.documents() if d.source.endswith(name))


@pytest.fixture
def mixed(jisik, handbook):
    """leave.md readable by hr only, everything else public."""
    jisik.add([handbook / "hr"], groups=["hr"])
    jisik.add([handbook / "security", handbook / "expenses", handbook / "general"])
    return jisik


def test_search_and_ask_only_see_readable_documents(mixed):
    for mode in ("lexical", "dense", "hybrid"):
        assert all(
            not h.source.endswith("leave.md")
            for h in mixed.search("연차휴가 이월", k=10, mode=mode, who=EVERYONE)
        )
        assert mixed.search("연차휴가 이월", k=1, mode=mode, who=HR)[0].source.endswith("leave.md")
    answer = mixed.ask("쓰지 않은 연차는 이월되나요?", who=EVERYONE)
    assert all(not c.source.endswith("leave.md") for c in answer.citations)
    assert (
        mixed.ask("쓰지 않은 연차는 이월되나요?", who=HR).citations[0].source.endswith("leave.md")
    )


def test_group_only_readers_do_not_see_public_documents(mixed):
    hits = mixed.search("비밀번호 연차", k=10, who=ONLY_HR)
    assert hits and all(h.source.endswith("leave.md") for h in hits)


def test_forbidden_document_reads_exactly_like_a_missing_one(mixed):
    doc_id = _doc_id(mixed, "leave.md")
    assert mixed.document(doc_id, who=HR)[0].doc_id == doc_id
    with pytest.raises(NotFoundError) as forbidden:
        mixed.document(doc_id, who=EVERYONE)
    with pytest.raises(NotFoundError) as missing:
        mixed.document("0" * 16, who=EVERYONE)
    assert str(forbidden.value).replace(doc_id, "ID") == str(missing.value).replace("0" * 16, "ID")
    assert doc_id not in {d.doc_id for d in mixed.documents(who=EVERYONE)}
    assert len(mixed.documents(who=HR)) == 4
    assert [d.doc_id for d in mixed.documents(who=ONLY_HR)] == [doc_id]


def test_changing_groups_takes_effect_in_the_index(mixed, handbook):
    doc_id = _doc_id(mixed, "leave.md")
    mixed.set_groups(doc_id, [])  # now public
    assert mixed.search("연차휴가 이월", k=1, who=EVERYONE)[0].doc_id == doc_id
    mixed.add([handbook / "hr"], groups=["finance"])  # unchanged file, new groups
    assert mixed.document(doc_id)[0].groups == ("finance",)
    assert all(h.doc_id != doc_id for h in mixed.search("연차휴가 이월", k=10, who=HR))
    assert mixed.search("연차휴가 이월", k=1, who=FINANCE)[0].doc_id == doc_id
    # One active version, and the index holds no entry with the old groups.
    assert mixed.stats()["chunks"] == mixed.index.stats()["lexical_entries"]


def test_regrouped_versions_survive_reopening(settings, handbook):
    with Jisik(settings) as jisik:
        jisik.add([handbook / "hr"], groups=["hr"])
        jisik.set_groups(_doc_id(jisik, "leave.md"), ["legal"])
    with Jisik(settings) as reopened:
        assert reopened.search("연차", k=5, who=HR) == []
        assert reopened.search("연차", k=5, who=LEGAL)


def test_reindex_keeps_reader_groups(mixed):
    mixed.reindex()
    assert all(
        not h.source.endswith("leave.md") for h in mixed.search("연차휴가", k=10, who=EVERYONE)
    )
    assert mixed.search("연차휴가", k=1, who=HR)[0].source.endswith("leave.md")


def test_document_lists_page_within_what_the_reader_may_read(mixed):
    everything = mixed.documents(who=HR)
    assert mixed.count_documents(HR) == len(everything) == 4
    assert mixed.count_documents(EVERYONE) == 3
    assert mixed.documents(who=HR, limit=2, offset=1) == everything[1:3]
    assert [d.doc_id for d in mixed.documents(who=EVERYONE, limit=10)] == [
        d.doc_id for d in everything if d.groups == ()
    ]
    assert all(d.chunks > 0 for d in everything)


def test_remove_checks_the_reader_under_the_write_lock(mixed):
    leave = _doc_id(mixed, "leave.md")
    with pytest.raises(NotFoundError, match=f"no document with id '{leave}'"):
        mixed.remove(leave, who=FINANCE)  # regrouped away from finance before the delete ran
    assert mixed.exists(leave)
    assert mixed.remove(leave, who=HR).doc_id == leave
    assert not mixed.exists(leave)
