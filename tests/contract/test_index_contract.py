"""The suite every Index backend must pass. A new backend adds itself to BACKENDS."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from jisik.index.base import PUBLIC, IndexEntry, LexicalQuery
from jisik.index.registry import open_index

BACKENDS = ["embedded"]
DIM = 8


def _vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def _entry(chunk_id: int, version_id: int, terms: str, title: str = "") -> IndexEntry:
    return IndexEntry(
        chunk_id, version_id, tuple(terms.split()), tuple(title.split()), _vector(chunk_id)
    )


def _query(terms: str, title_boost: float = 0.5) -> LexicalQuery:
    return LexicalQuery(tuple((t, 1.0) for t in terms.split()), title_boost)


@pytest.fixture(params=BACKENDS)
def index(request, tmp_path: Path):
    idx = open_index(request.param, tmp_path / "index", DIM)
    yield idx
    idx.close()


@pytest.fixture
def filled(index):
    index.add(
        [
            _entry(1, 10, "연차 휴가 연차휴가 15일", "인사 규정"),
            _entry(2, 10, "이월 수당 정산"),
            _entry(3, 20, "비밀번호 12자 90일 변경", "보안"),
            _entry(4, 30, "vpn mfa 접속"),
        ]
    )
    index.commit()
    return index


def test_lexical_ranks_matching_chunks(filled):
    hits = filled.search_lexical(_query("비밀번호 변경"), 10)
    assert hits[0][0] == 3
    assert all(score > 0 for _, score in hits)
    assert {c for c, _ in filled.search_lexical(_query("연차"), 10)} == {1}


def test_title_terms_count_only_with_a_title_boost(filled):
    assert [c for c, _ in filled.search_lexical(_query("보안"), 10)] == [3]
    assert filled.search_lexical(_query("보안", title_boost=0.0), 10) == []


def test_unknown_terms_and_empty_queries_find_nothing(filled):
    assert filled.search_lexical(_query("없는단어"), 10) == []
    assert filled.search_lexical(LexicalQuery(()), 10) == []


def test_dense_nearest_and_exact_scores(filled):
    hits = filled.search_dense(_vector(3), 2)
    assert hits[0][0] == 3 and hits[0][1] == pytest.approx(1.0, abs=1e-2)
    scores = filled.dense_scores(_vector(3), [3, 4, 99])
    assert set(scores) == {3, 4}
    assert scores[3] == pytest.approx(1.0, abs=1e-2)


def test_deletes_apply_on_commit_and_are_idempotent(filled):
    filled.delete([3, 12345])
    filled.commit()
    assert all(c != 3 for c, _ in filled.search_lexical(_query("비밀번호 변경 vpn"), 10))
    assert all(c != 3 for c, _ in filled.search_dense(_vector(3), 10))
    assert filled.dense_scores(_vector(3), [3]) == {}
    filled.delete([3])
    filled.commit()
    assert filled.stats()["lexical_entries"] == 3
    assert filled.stats()["dense_entries"] == 3


def test_rollback_drops_uncommitted_writes(filled):
    filled.add([_entry(5, 40, "출장 숙박비")])
    filled.delete([1])
    filled.rollback()
    filled.commit()
    assert filled.search_lexical(_query("숙박비"), 10) == []
    assert filled.search_lexical(_query("연차"), 10)[0][0] == 1


def test_document_frequencies(filled):
    total, freqs = filled.document_frequencies(["연차", "이월", "없음"])
    assert total == 4
    assert freqs == {"연차": 1, "이월": 1, "없음": 0}


def test_survives_reopening(filled, tmp_path):
    filled.close()
    reopened = open_index("embedded", tmp_path / "index", DIM)
    assert reopened.search_lexical(_query("비밀번호"), 10)[0][0] == 3
    assert reopened.search_dense(_vector(2), 1)[0][0] == 2
    reopened.close()


def _restricted(chunk_id: int, readers: tuple[str, ...], terms: str = "공통 규정") -> IndexEntry:
    return IndexEntry(
        chunk_id, chunk_id, tuple(terms.split()), (), _vector(chunk_id), readers=readers
    )


@pytest.fixture
def shared(index):
    """Twelve chunks sharing terms: 0-3 public, 4-7 for hr, 8-11 for hr and finance."""
    index.add(
        [_restricted(i, (PUBLIC,)) for i in range(4)]
        + [_restricted(i, ("hr",)) for i in range(4, 8)]
        + [_restricted(i, ("finance", "hr")) for i in range(8, 12)]
    )
    index.commit()
    return index


@pytest.mark.parametrize(
    ("readers", "expected"),
    [
        (None, set(range(12))),
        (frozenset({PUBLIC}), set(range(4))),
        (frozenset({PUBLIC, "hr"}), set(range(12))),
        (frozenset({"finance"}), set(range(8, 12))),
        (frozenset({"legal"}), set()),
        (frozenset(), set()),
    ],
)
def test_reader_filter_applies_inside_both_searches(shared, readers, expected):
    lexical = {c for c, _ in shared.search_lexical(_query("공통 규정"), 20, readers)}
    dense = {c for c, _ in shared.search_dense(_vector(5), 20, readers)}
    assert lexical == expected
    assert dense == expected


def test_reader_filter_fills_top_k_with_readable_chunks(shared):
    # The filter is part of the query: k=3 gives 3 finance chunks, not the top 3
    # overall minus the forbidden ones.
    readers = frozenset({"finance"})
    assert len(shared.search_lexical(_query("공통"), 3, readers)) == 3
    assert len(shared.search_dense(_vector(1), 3, readers)) == 3


def test_reader_filter_does_not_change_scores(shared):
    everyone = dict(shared.search_lexical(_query("공통 규정"), 20))
    public = dict(shared.search_lexical(_query("공통 규정"), 20, frozenset({PUBLIC})))
    assert all(abs(public[c] - everyone[c]) < 1e-6 for c in public)


def test_rewrite_keeps_live_entries_and_leaves_no_deleted_terms(filled):
    filled.delete([3])
    filled.commit()
    assert filled.term_present("비밀번호")  # a deleted entry's terms linger
    live = [
        _entry(1, 10, "연차 휴가 연차휴가 15일", "인사 규정"),
        _entry(2, 10, "이월 수당 정산"),
        _entry(4, 30, "vpn mfa 접속"),
    ]
    filled.rewrite(live)
    assert not filled.term_present("비밀번호")
    assert [c for c, _ in filled.search_lexical(_query("연차"), 10)] == [1]
    assert filled.search_lexical(_query("비밀번호"), 10) == []
    assert {c for c, _ in filled.search_dense(_vector(4), 10)} == {1, 2, 4}
    assert filled.entries_present([1, 3, 4]) == {"lexical": 2, "dense": 2}
