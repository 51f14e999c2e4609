"""Evaluation pieces without a home: metrics, the BM25 baseline, the guard, the
question file, the HTML report."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

from jisik.errors import ConfigError, JisikError
from jisik.eval.answers import all_answers, contains_answer, span_answers
from jisik.eval.baselines import BM25
from jisik.eval.dataset import Query
from jisik.eval.guard import EXPECTED_DIR, expected_record, regressions
from jisik.eval.metrics import dedupe_documents, mrr_at, ndcg_at, recall_at, summarize
from jisik.eval.modes import choose_modes
from jisik.eval.own_questions import (
    QuestionFileError,
    load_questions,
    resolve_questions,
)
from jisik.eval.report import (
    latency_histogram_svg,
    nice_step,
    recall_curve_svg,
    render_html,
)
from jisik.eval.results import (
    EvalResult,
    Preview,
    QueryResult,
    RunResult,
    gold_rank,
    measure,
    percentile,
)
from jisik.types import DocumentInfo

# --- ranking metrics ----------------------------------------------------------


def test_rank_metrics_on_hand_computed_cases():
    ranked = ["a", "b", "c", "d"]
    assert recall_at(ranked, {"c"}, 1) == 0.0
    assert recall_at(ranked, {"c"}, 5) == 1.0
    assert recall_at(ranked, {"a", "z"}, 10) == 0.5
    assert mrr_at(ranked, {"c"}) == pytest.approx(1 / 3)
    assert mrr_at(ranked, {"z"}) == 0.0
    assert mrr_at(ranked, {"c"}, k=2) == 0.0
    # One relevant at rank 2: dcg = 1/log2(3), ideal = 1.
    assert ndcg_at(ranked, {"b"}) == pytest.approx(1 / math.log2(3))
    assert ndcg_at(ranked, {"a", "b"}) == pytest.approx(1.0)


def test_summarize_means_and_dedupe_keeps_first_occurrence():
    runs = [(["a", "b"], {"a"}), (["b", "a"], {"a"})]
    summary = summarize(runs)
    assert summary["recall@1"] == 0.5 and summary["mrr@10"] == pytest.approx(0.75)
    assert set(summary) == {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"}
    assert summarize([]) == {}
    assert dedupe_documents(["x", "y", "x", "z", "y"]) == ["x", "y", "z"]


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.95) == 95
    assert percentile([7.0], 0.95) == 7.0
    assert percentile([], 0.5) == 0.0


def test_answers_match_across_case_spacing_and_unicode_form():
    assert contains_answer("설립 연도는  1989년 2월\n15일 입니다", ["1989년 2월 15일"])
    assert contains_answer("The VPN needs MFA", ["mfa"])
    # Decomposed jamo (NFD, as some Mac files have) still match the composed answer.
    import unicodedata

    assert contains_answer(unicodedata.normalize("NFD", "한빛테크"), ["한빛테크"])
    assert not contains_answer("", ["x"]) and not contains_answer("text", [" "])


def test_only_short_answers_are_scored():
    prose = "총급여 1억2천만원 초과시 근로소득세액공제가 66 ~ 50만원에서 축소됩니다."
    query = Query("q", "질문", ("15일", prose, " "), frozenset({"d"}))
    assert span_answers(query) == ("15일",)  # a dataset's prose reference answer is not a span
    assert all_answers(query) == ("15일", prose)  # a user's answers are all scored


def _result(qid: str, ranked: tuple[str, ...], relevant: set[str], **kw) -> QueryResult:
    return QueryResult(Query(qid, f"질문 {qid}", kw.pop("answers", ()), frozenset(relevant)), ranked, **kw)


def test_measure_reports_answer_metrics_only_when_measured():
    results = [
        _result("1", ("a", "b"), {"a"}, latency_ms=10.0, answer_hit=True, answer_correct=False),
        _result("2", ("b", "a"), {"a"}, latency_ms=30.0, answer_hit=False, answer_correct=None),
        _result("3", (), {"a"}, latency_ms=20.0),
    ]
    metrics = measure(results)
    assert metrics["recall@1"] == pytest.approx(1 / 3, abs=1e-4)
    assert metrics["answer_hit@10"] == 0.5 and metrics["answer_sentence@1"] == 0.0
    assert metrics["p50_ms"] == 20.0 and metrics["p95_ms"] == 30.0
    bare = measure([_result("1", ("a",), {"a"}, latency_ms=1.0)], latency=False)
    assert "answer_hit@10" not in bare and "p50_ms" not in bare


def test_failures_worst_first_and_recall_curve():
    run = RunResult(
        "lexical",
        {},
        (
            _result("hit", ("a",), {"a"}, latency_ms=1.0),
            _result("second", ("x", "a"), {"a"}, latency_ms=1.0),
            _result("missing", ("x", "y"), {"a"}, latency_ms=1.0),
        ),
    )
    assert [r.query.id for r in run.failures()] == ["missing", "second"]
    assert gold_rank(run.results[1]) == 2 and gold_rank(run.results[2]) is None
    curve = run.recall_curve()
    assert len(curve) == 10
    assert curve[0] == pytest.approx(1 / 3) and curve[1] == pytest.approx(2 / 3) == curve[-1]


def test_modes_all_without_embedder_is_lexical_and_named_modes_are_checked():
    assert choose_modes("all", True) == ("lexical", "dense", "hybrid")
    assert choose_modes("all", False) == ("lexical",)
    assert choose_modes("lexical,hybrid", True) == ("lexical", "hybrid")
    with pytest.raises(ConfigError, match="needs an embedder"):
        choose_modes("dense", False)
    with pytest.raises(ConfigError, match="must be"):
        choose_modes("fuzzy", True)


# --- the BM25 baseline ----------------------------------------------------------


def test_bm25_ranks_by_term_weight_and_length():
    docs = [
        ["휴가", "규정", "연차"],
        ["비밀번호", "변경", "규정"],
        ["비밀번호", "비밀번호", "변경", "주기", "보안", "규정"],
        ["식대", "한도"],
    ]
    bm25 = BM25(docs)
    assert bm25.top(["비밀번호"]) == [2, 1]  # two occurrences beat one, despite the length
    assert bm25.top(["식대"]) == [3]
    assert bm25.top(["없는말"]) == []
    # "규정" is in three of four documents: rare terms decide the order.
    assert bm25.top(["규정", "연차"])[0] == 0
    # Hand computation for one document: idf * tf * (k1+1) / (tf + k1 * (1 - b + b * dl/avgdl)).
    n, df, tf, dl, avgdl = 4, 1, 1, 2, 14 / 4
    expected = math.log(1 + (n - df + 0.5) / (df + 0.5)) * tf * 2.5 / (tf + 1.5 * (0.25 + 0.75 * dl / avgdl))
    scores = {}
    ids, weights = bm25._weights["식대"]
    scores.update(zip(ids.tolist(), weights.tolist()))
    assert scores[3] == pytest.approx(expected)


def test_bm25_ties_keep_corpus_order_and_repeated_query_terms_count():
    bm25 = BM25([["a", "b"], ["a", "c"], ["b", "c"]])
    assert bm25.top(["a"]) == [0, 1]
    assert bm25.top(["b", "c", "c"])[0] in (1, 2)
    assert bm25.top(["b", "c", "c"]) == [2, 1, 0]
    assert BM25([]).top(["a"]) == []


# --- the regression guard ---------------------------------------------------------


def test_regressions_flag_drops_beyond_tolerance_and_vanished_metrics():
    expected = {"modes": {"hybrid": {"recall@1": 0.9, "mrr@10": 0.95, "answer_sentence@1": 0.8}}}
    fine = {"modes": {"hybrid": {"recall@1": 0.8905, "mrr@10": 0.99, "answer_sentence@1": 0.8, "p50_ms": 900}}}
    assert regressions(fine, expected) == []
    worse = {"modes": {"hybrid": {"recall@1": 0.85, "mrr@10": 0.99}}}
    problems = regressions(worse, expected)
    assert len(problems) == 2
    assert any("recall@1" in p for p in problems) and any("not measured" in p for p in problems)


def test_expected_record_rounds_down_and_skips_thin_answer_metrics():
    measured = {
        "dataset": "set", "split": "test", "queries": 300, "answer_queries": 300,
        "modes": {"hybrid": {"recall@1": 0.93679, "mrr@10": 0.9999, "answer_sentence@1": 0.8, "p50_ms": 30.0}},
    }
    record = expected_record(measured, 300)
    assert record["modes"] == {"hybrid": {"recall@1": 0.936, "mrr@10": 0.999, "answer_sentence@1": 0.8}}
    assert (record["split"], record["limit"], record["queries"]) == ("test", 300, 300)
    thin = expected_record({**measured, "answer_queries": 2}, None)
    assert thin["modes"] == {"hybrid": {"recall@1": 0.936, "mrr@10": 0.999}}


def test_expected_files_are_well_formed():
    files = sorted(EXPECTED_DIR.glob("*.json"))
    assert files, "expected scores are missing"
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        assert data["dataset"] == path.stem
        assert data["modes"]
        for metrics in data["modes"].values():
            for name, value in metrics.items():
                assert 0.0 <= value <= 1.0, (path.name, name)
                assert round(value, 3) == value  # rounded down to 3 decimals


# --- the question file --------------------------------------------------------------


def test_csv_with_bom_and_extra_columns(tmp_path: Path):
    path = tmp_path / "q.csv"
    text = "Question,Document,Answer,note\n연차는 며칠?,hr/leave.md,15일,x\n\n비밀번호 주기?,abc123def456,,\n"
    path.write_bytes("\ufeff".encode() + text.encode("utf-8"))
    questions = load_questions(path)
    assert [(q.line, q.question, q.documents, q.answers) for q in questions] == [
        (2, "연차는 며칠?", ("hr/leave.md",), ("15일",)),
        (4, "비밀번호 주기?", ("abc123def456",), ()),
    ]


def test_csv_saved_by_korean_excel_in_cp949(tmp_path: Path):
    path = tmp_path / "q.csv"
    path.write_bytes("question,document\n식대 한도는?,meals.csv\n".encode("cp949"))
    assert load_questions(path)[0].question == "식대 한도는?"


def test_jsonl_allows_lists_of_documents_and_answers(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    rows = [
        {"question": "연차는?", "document": ["a.md", "b.md"], "answer": ["15일", "십오일"]},
        {"question": "보안 신고는?", "doc_id": "0123456789abcdef"},
    ]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    first, second = load_questions(path)
    assert first.documents == ("a.md", "b.md") and first.answers == ("15일", "십오일")
    assert second.documents == ("0123456789abcdef",) and second.line == 2


def test_question_file_errors_name_every_bad_line(tmp_path: Path):
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"question": "좋은 질문", "document": "a.md"}\n'
        "{not json\n"
        '{"question": "", "document": "a.md"}\n'
        '{"question": "문서 없음"}\n'
        '["a list"]\n',
        encoding="utf-8",
    )
    with pytest.raises(QuestionFileError) as caught:
        load_questions(path)
    message = str(caught.value)
    assert "4 problems" in message
    for line in ("line 2", "line 3", "line 4", "line 5"):
        assert line in message
    assert "\n" not in message


def test_csv_header_and_type_errors(tmp_path: Path):
    missing = tmp_path / "m.csv"
    missing.write_text("질문,문서\n가,나\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="line 1: the header needs the column"):
        load_questions(missing)
    extra = tmp_path / "e.csv"
    extra.write_text("question,document\n가,나,다\n", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="line 2: more cells than columns"):
        load_questions(extra)
    other = tmp_path / "q.xlsx"
    other.write_text("x", encoding="utf-8")
    with pytest.raises(QuestionFileError, match="use .csv, .tsv or .jsonl"):
        load_questions(other)
    with pytest.raises(QuestionFileError, match="does not exist"):
        load_questions(tmp_path / "nope.csv")
    assert issubclass(QuestionFileError, JisikError)


def _doc(doc_id: str, source: str) -> DocumentInfo:
    return DocumentInfo(doc_id, Path(source).stem, source, "md", "h", 1, 0.0, 0.0, 1, 1, ())


def test_expected_documents_resolve_by_id_path_or_path_end(tmp_path: Path):
    docs = [
        _doc("aaaaaaaaaaaaaaaa", str(tmp_path / "corpus" / "hr" / "leave.md")),
        _doc("bbbbbbbbbbbbbbbb", str(tmp_path / "corpus" / "it" / "leave.md")),
        _doc("cccccccccccccccc", str(tmp_path / "corpus" / "security" / "password.txt")),
    ]
    path = tmp_path / "q.csv"
    path.write_text(
        "question,document\n"
        "a,aaaaaaaaaaaaaaaa\n"
        "b,hr/leave.md\n"
        "c,./corpus/security/password.txt\n"
        f"d,{tmp_path / 'corpus' / 'it' / 'leave.md'}\n"
        "e,bbbbbbb\n",
        encoding="utf-8",
    )
    queries = resolve_questions(load_questions(path), docs, path)
    assert [min(q.relevant)[0] for q in queries] == ["a", "a", "c", "b", "b"]
    assert queries[0].id == "line 2"

    bad = tmp_path / "bad.csv"
    bad.write_text("question,document\nx,leave.md\ny,missing.pdf\n", encoding="utf-8")
    with pytest.raises(QuestionFileError) as caught:
        resolve_questions(load_questions(bad), docs, bad)
    message = str(caught.value)
    assert "line 2: 'leave.md' matches 2 documents" in message
    assert "line 3: no document in the home matches 'missing.pdf'" in message
    with pytest.raises(QuestionFileError, match="holds no documents"):
        resolve_questions(load_questions(bad), [], bad)


# --- the HTML report ---------------------------------------------------------------


def _eval_result() -> EvalResult:
    evil = "<script>alert('x')</script> & 질문"
    results = (
        _result("q1", ("p1", "p2"), {"p1"}, latency_ms=12.0, answer_hit=True, answer_correct=True,
                answer="정답 문장", answers=("정답",)),
        _result("q2", ("p3", "p1"), {"p1"}, latency_ms=40.0, answer_hit=False, answer_correct=False,
                answer="", answers=("정답",),
                shown=(Preview("p3", "<b>틀린</b> 문서", "엉뚱한 내용"), Preview("p1", "정답 문서", "정답 내용"))),
        QueryResult(Query("q3", evil, (), frozenset({"p2"})), (), 5.0, shown=()),
    )
    modes = {
        "lexical": RunResult("lexical", measure(results), results),
        "hybrid": RunResult("hybrid", measure(results), results),
    }
    base = {"whitespace_bm25": RunResult("whitespace_bm25", measure(results, latency=False), results)}
    gold = {"p1": Preview("p1", "정답 문서", "정답이 들어 있는 <passage>"), "p2": Preview("p2", "둘", "둘째")}
    return EvalResult("tiny<set>", "test", 3, 2, 1.5, modes, base, gold, {"embedder": "hashing"})


def test_report_is_self_contained_and_escapes_everything():
    page = render_html(_eval_result())
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page  # the question's script tag is text, not markup
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; 질문" in page
    assert "tiny&lt;set&gt;" in page and "&lt;b&gt;틀린&lt;/b&gt; 문서" in page
    assert "정답이 들어 있는 &lt;passage&gt;" in page
    # Nothing to fetch: the only URL is the SVG namespace, which is never loaded.
    urls = set(re.findall(r"https?://[^\s\"'<>]+", page))
    assert urls <= {"http://www.w3.org/2000/svg"}
    assert page.count("<svg") == 2
    assert "gold not in the top 10" in page and "gold at rank 2" in page
    assert "(abstained)" in page
    assert "lexical: 2 of 3 queries missed at rank 1" in page


def test_plots_draw_one_line_per_run_and_one_row_per_mode():
    result = _eval_result()
    runs = [*result.modes.values(), *result.baselines.values()]
    curve = recall_curve_svg(runs)
    assert curve.count("<polyline") == 3 and "stroke-dasharray" in curve
    histogram = latency_histogram_svg(list(result.modes.values()))
    assert histogram.count("p50") == 2 and histogram.count("<rect") == 2 * 24
    empty = latency_histogram_svg([])
    assert "no queries" in empty


def test_nice_steps_for_axis_ticks():
    assert [nice_step(v) for v in (0.7, 3, 12, 48, 230)] == [1, 5, 20, 50, 500]
    assert nice_step(0) == 1.0
