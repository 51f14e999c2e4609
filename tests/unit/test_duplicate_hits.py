"""The same text under two names is one hit that knows both sources."""

from jisik.search.duplicates import collapse_duplicates
from jisik.types import Hit


def hit(chunk_id: int, doc_id: str, source: str, text: str, score: float) -> Hit:
    return Hit(chunk_id, doc_id, 1, "제목", source, "§ 1", 0, len(text), text, score)


def test_identical_text_collapses_into_the_best_ranked_hit():
    hits = [
        hit(1, "a", "/docs/leave.md", "연차는 15일입니다.", 3.0),
        hit(2, "b", "/docs/other.md", "다른 내용입니다.", 2.5),
        hit(3, "c", "/backup/leave-cp949.md", "연차는  15일입니다.\n", 2.9),
    ]
    out = collapse_duplicates(hits)
    assert [h.chunk_id for h in out] == [1, 2]
    assert out[0].also_sources == ("/backup/leave-cp949.md",)
    assert out[1].also_sources == ()


def test_the_same_document_twice_adds_no_source_and_order_is_kept():
    hits = [
        hit(1, "a", "/docs/a.md", "같은 문장.", 2.0),
        hit(5, "a", "/docs/a.md", "같은 문장.", 1.0),
        hit(2, "b", "/docs/b.md", "다른 문장.", 1.5),
    ]
    out = collapse_duplicates(hits)
    assert [h.chunk_id for h in out] == [1, 2]
    assert out[0].also_sources == ()
