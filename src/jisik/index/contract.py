"""The contract every index backend must meet, importable so a new backend can run it.

Each check takes a factory ``make(path, dim) -> Index`` and an empty directory, and
raises ``AssertionError`` on a breach. ``CORE`` is for every backend; each capability
of ``jisik.index.base`` has its own suite, run only where the backend has it::

    from jisik.index.contract import checks_for
    for name, check in checks_for(MyIndex(tmp, 8)):
        check(lambda path, dim: MyIndex(path, dim), fresh_dir())

jisik's own tests run them for every registered backend (tests/contract).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from jisik.index.base import (
    PUBLIC,
    Forensics,
    Index,
    IndexEntry,
    LateVectors,
    LexicalQuery,
    Rewritable,
    TermStatistics,
)

DIM = 8
Factory = Callable[[Path, int], Index]
Check = Callable[[Factory, Path], None]


def vector(seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(DIM).astype(np.float32)
    return v / np.linalg.norm(v)


def entry(chunk_id: int, version_id: int, terms: str, title: str = "", **kw) -> IndexEntry:
    kw.setdefault("vector", vector(chunk_id))
    return IndexEntry(chunk_id, version_id, tuple(terms.split()), tuple(title.split()), **kw)


def query(terms: str, title_boost: float = 0.5) -> LexicalQuery:
    return LexicalQuery(tuple((t, 1.0) for t in terms.split()), title_boost)


FOUR = (
    (1, 10, "연차 휴가 연차휴가 15일", "인사 규정"),
    (2, 10, "이월 수당 정산", ""),
    (3, 20, "비밀번호 12자 90일 변경", "보안"),
    (4, 30, "vpn mfa 접속", ""),
)


def filled(make: Factory, path: Path) -> Index:
    index = make(path / "index", DIM)
    index.add([entry(*row) for row in FOUR])
    index.commit()
    return index


def shared(make: Factory, path: Path) -> Index:
    """Twelve chunks sharing terms: 0-3 public, 4-7 for hr, 8-11 for hr and finance."""
    index = make(path / "index", DIM)
    readers = [(PUBLIC,)] * 4 + [("hr",)] * 4 + [("finance", "hr")] * 4
    index.add([entry(i, i, "공통 규정", readers=r) for i, r in enumerate(readers)])
    index.commit()
    return index


def _ids(hits) -> list[int]:
    return [chunk_id for chunk_id, _ in hits]


def _close(a: float, b: float, tolerance: float = 1e-2) -> bool:
    return abs(a - b) <= tolerance


# --- core ---------------------------------------------------------------------


def check_lexical_ranks_matching_chunks(make: Factory, path: Path) -> None:
    index = filled(make, path)
    hits = index.search_lexical(query("비밀번호 변경"), 10)
    assert hits and hits[0][0] == 3, hits
    assert all(score > 0 for _, score in hits)
    assert set(_ids(index.search_lexical(query("연차"), 10))) == {1}
    index.close()


def check_title_terms_count_only_with_a_title_boost(make: Factory, path: Path) -> None:
    index = filled(make, path)
    assert _ids(index.search_lexical(query("보안"), 10)) == [3]
    assert index.search_lexical(query("보안", title_boost=0.0), 10) == []
    index.close()


def check_unknown_terms_and_empty_queries_find_nothing(make: Factory, path: Path) -> None:
    index = filled(make, path)
    assert index.search_lexical(query("없는단어"), 10) == []
    assert index.search_lexical(LexicalQuery(()), 10) == []
    index.close()


def check_dense_nearest_and_exact_scores(make: Factory, path: Path) -> None:
    index = filled(make, path)
    hits = index.search_dense(vector(3), 2)
    assert hits[0][0] == 3 and _close(hits[0][1], 1.0), hits
    scores = index.dense_scores(vector(3), [3, 4, 99])
    assert set(scores) == {3, 4} and _close(scores[3], 1.0), scores
    index.close()


def check_deletes_apply_on_commit_and_are_idempotent(make: Factory, path: Path) -> None:
    index = filled(make, path)
    index.delete([3, 12345])
    index.commit()
    assert 3 not in _ids(index.search_lexical(query("비밀번호 변경 vpn"), 10))
    assert 3 not in _ids(index.search_dense(vector(3), 10))
    assert index.dense_scores(vector(3), [3]) == {}
    index.delete([3])
    index.commit()
    stats = index.stats()
    assert stats["lexical_entries"] == 3 and stats["dense_entries"] == 3, stats
    index.close()


def check_rollback_drops_uncommitted_writes(make: Factory, path: Path) -> None:
    index = filled(make, path)
    index.add([entry(5, 40, "출장 숙박비")])
    index.delete([1])
    index.rollback()
    index.commit()
    assert index.search_lexical(query("숙박비"), 10) == []
    assert index.search_lexical(query("연차"), 10)[0][0] == 1
    index.close()


def check_survives_reopening(make: Factory, path: Path) -> None:
    filled(make, path).close()
    reopened = make(path / "index", DIM)
    assert reopened.search_lexical(query("비밀번호"), 10)[0][0] == 3
    assert reopened.search_dense(vector(2), 1)[0][0] == 2
    reopened.close()


_READER_CASES = (
    (None, set(range(12))),
    (frozenset({PUBLIC}), set(range(4))),
    (frozenset({PUBLIC, "hr"}), set(range(12))),
    (frozenset({"finance"}), set(range(8, 12))),
    (frozenset({"legal"}), set()),
    (frozenset(), set()),
)


def check_reader_filter_applies_inside_both_searches(make: Factory, path: Path) -> None:
    index = shared(make, path)
    for readers, expected in _READER_CASES:
        lexical = set(_ids(index.search_lexical(query("공통 규정"), 20, readers)))
        dense = set(_ids(index.search_dense(vector(5), 20, readers)))
        assert lexical == expected, (readers, lexical)
        assert dense == expected, (readers, dense)
    index.close()


def check_reader_filter_fills_top_k_with_readable_chunks(make: Factory, path: Path) -> None:
    # The filter is part of the query: k=3 gives 3 finance chunks, not the top 3
    # overall minus the forbidden ones.
    index = shared(make, path)
    readers = frozenset({"finance"})
    assert len(index.search_lexical(query("공통"), 3, readers)) == 3
    assert len(index.search_dense(vector(1), 3, readers)) == 3
    index.close()


def check_reader_filter_does_not_change_scores(make: Factory, path: Path) -> None:
    index = shared(make, path)
    everyone = dict(index.search_lexical(query("공통 규정"), 20))
    public = dict(index.search_lexical(query("공통 규정"), 20, frozenset({PUBLIC})))
    assert public and all(_close(public[c], everyone[c], 1e-6) for c in public)
    index.close()


CORE: tuple[Check, ...] = (
    check_lexical_ranks_matching_chunks,
    check_title_terms_count_only_with_a_title_boost,
    check_unknown_terms_and_empty_queries_find_nothing,
    check_dense_nearest_and_exact_scores,
    check_deletes_apply_on_commit_and_are_idempotent,
    check_rollback_drops_uncommitted_writes,
    check_survives_reopening,
    check_reader_filter_applies_inside_both_searches,
    check_reader_filter_fills_top_k_with_readable_chunks,
    check_reader_filter_does_not_change_scores,
)


# --- capabilities -------------------------------------------------------------


def check_document_frequencies(make: Factory, path: Path) -> None:
    index = filled(make, path)
    total, freqs = index.document_frequencies(["연차", "이월", "없음"])
    assert total == 4 and freqs == {"연차": 1, "이월": 1, "없음": 0}, (total, freqs)
    index.close()


def check_forensics_see_live_entries_and_lingering_terms(make: Factory, path: Path) -> None:
    index = filled(make, path)
    assert index.entries_present([1, 3, 99]) == {"lexical": 2, "dense": 2}
    index.delete([3])
    index.commit()
    assert index.entries_present([1, 3]) == {"lexical": 1, "dense": 1}
    assert not index.term_present("없는단어")
    index.close()


def check_rewrite_keeps_live_entries_and_leaves_no_deleted_terms(make: Factory, path: Path) -> None:
    index = filled(make, path)
    index.delete([3])
    index.commit()
    assert index.term_present("비밀번호")  # a deleted entry's terms linger until a rewrite
    index.rewrite([entry(*row) for row in FOUR if row[0] != 3])
    assert not index.term_present("비밀번호")
    assert _ids(index.search_lexical(query("연차"), 10)) == [1]
    assert index.search_lexical(query("비밀번호"), 10) == []
    assert set(_ids(index.search_dense(vector(4), 10))) == {1, 2, 4}
    assert index.entries_present([1, 3, 4]) == {"lexical": 2, "dense": 2}
    index.close()


def check_late_vectors_join_their_lexical_entries(make: Factory, path: Path) -> None:
    index = make(path / "index", DIM)
    index.add([entry(7, 70, "출장 숙박비", vector=None, readers=("hr",))])
    index.commit()
    assert index.dense_ids([7]) == set()
    index.add_vectors([7], vector(7)[None, :], [("hr",)])
    index.commit()
    assert index.dense_ids([7, 8]) == {7}
    assert _ids(index.search_dense(vector(7), 5, frozenset({"hr"}))) == [7]
    assert index.search_dense(vector(7), 5, frozenset({PUBLIC})) == []
    index.close()


SUITES: dict[type, tuple[Check, ...]] = {
    TermStatistics: (check_document_frequencies,),
    Forensics: (check_forensics_see_live_entries_and_lingering_terms,),
    Rewritable: (check_rewrite_keeps_live_entries_and_leaves_no_deleted_terms,),
    LateVectors: (check_late_vectors_join_their_lexical_entries,),
}


def all_checks() -> Iterator[tuple[type | None, Check]]:
    """Every check with the capability it needs (None: the core)."""
    for check in CORE:
        yield None, check
    for capability, checks in SUITES.items():
        for check in checks:
            yield capability, check


def checks_for(index: object) -> Iterator[tuple[str, Check]]:
    """The checks that apply to a backend: the core and the suites of its capabilities.
    The rewrite suite also reads the forensics, so it needs both."""
    for capability, check in all_checks():
        if capability is Rewritable and not isinstance(index, Forensics):
            continue
        if capability is None or isinstance(index, capability):
            yield check.__name__, check
