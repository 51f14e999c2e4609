"""`jisik eval` end to end: the regression guard on the shared Korean sets, and
the command on small corpora and question files written by the tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from jisik.cli.eval import register
from jisik.eval.guard import EXPECTED_DIR, expected_record, load_expected, regressions
from jisik.eval.runner import evaluate_dataset
from jisik.service import Jisik
from jisik.settings import load_settings
from tests.conftest import SHARED_DATA, write_handbook

METRIC_KEYS = {"recall@1", "recall@5", "recall@10", "mrr@10", "ndcg@10"}


def _app() -> typer.Typer:
    """The eval command on its own app (a callback keeps it a subcommand)."""
    app = typer.Typer(pretty_exceptions_enable=False)

    @app.callback()
    def _root() -> None:
        pass

    register(app)
    return app


def _eval(*args: str):
    return CliRunner().invoke(_app(), ["eval", *map(str, args)])


# --- regression guard -------------------------------------------------------------

# The fast subsets guarded (a few minutes on 2 cores, most of it embedding the
# corpora and answering korquad's questions). Their expected scores live in
# src/jisik/eval/expected/<dataset>.json; after an intended change, refresh them:
#   JISIK_UPDATE_EXPECTED=1 python -m pytest tests/integration/test_eval.py -k regress
SUBSETS = {
    "korquad1": {"split": "test", "limit": 300, "modes": ("lexical", "hybrid")},
    "autorag-ko": {"split": "test", "limit": None, "modes": ("lexical", "hybrid")},
}


@pytest.mark.slow
@pytest.mark.shared_data
@pytest.mark.parametrize("dataset", list(SUBSETS))
def test_quality_does_not_regress(dataset: str):
    """Default settings plus the offline USE embedder (so hybrid is exercised too);
    fails when any metric drops more than 0.01 below its expected value."""
    if not (SHARED_DATA / dataset).is_dir():
        pytest.skip(f"shared data not found at {SHARED_DATA / dataset}")
    subset = SUBSETS[dataset]
    result = evaluate_dataset(
        SHARED_DATA / dataset,
        split=subset["split"],
        limit=subset["limit"],
        mode=",".join(subset["modes"]),
        embedder="use",
        baselines=False,  # reference points, not guarded
    )
    measured = result.to_json()
    if os.environ.get("JISIK_UPDATE_EXPECTED"):
        path = EXPECTED_DIR / f"{dataset}.json"
        record = expected_record(measured, subset["limit"])
        path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"wrote {path}")
    expected = load_expected(dataset)
    # A stale file (other subset or split) would compare apples with pears.
    assert (expected["split"], expected["limit"], expected["queries"]) == (
        measured["split"], subset["limit"], measured["queries"]
    )
    assert set(expected["modes"]) == set(subset["modes"])
    problems = regressions(measured, expected)
    assert not problems, f"{dataset} regressed: " + "; ".join(problems) + (
        f"\nmeasured: {json.dumps(measured['modes'])}"
    )


# --- a small BEIR folder written here --------------------------------------------

PASSAGES = [
    ("p1", "연차휴가", "입사 첫해에는 한 달 개근할 때마다 1일의 유급휴가가 생깁니다. 2년차부터는 연 15일이 부여됩니다."),
    ("p2", "정보보안", "비밀번호는 12자 이상이어야 하며 90일마다 변경해야 합니다."),
    ("p3", "출장비", "국내 출장 숙박비는 서울 지역 1박 10만 원까지 실비로 지급합니다."),
    ("p4", "복리후생", "모든 직원은 매년 건강검진을 받고 자기계발비로 연 100만 원을 지원받습니다."),
    ("p5", "회사 소개", "한빛테크는 2009년에 설립된 소프트웨어 회사입니다."),
]
QUESTIONS = [
    ("q1", "2년차 직원의 연차는 며칠인가요?", ["15일"], "p1", "test"),
    ("q2", "비밀번호는 며칠마다 바꿔야 하나요?", ["90일"], "p2", "test"),
    ("q3", "서울 출장 숙박비 한도는?", ["10만 원"], "p3", "tune"),
    ("q4", "자기계발비는 얼마나 지원되나요?", ["100만 원"], "p4", "test"),
    ("q5", "한빛테크는 언제 설립되었나요?", ["2009년"], "p5", "test"),
]


def _write_dataset(folder: Path) -> Path:
    folder.mkdir(parents=True)
    with open(folder / "corpus.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps({"id": pid, "title": title, "text": text}, ensure_ascii=False) + "\n" for pid, title, text in PASSAGES)
    with open(folder / "queries.jsonl", "w", encoding="utf-8") as out:
        out.writelines(json.dumps({"id": qid, "text": text, "answers": answers}, ensure_ascii=False) + "\n" for qid, text, answers, _, _ in QUESTIONS)
    (folder / "qrels.tsv").write_text(
        "query-id\tcorpus-id\tscore\n" + "".join(f"{q[0]}\t{q[3]}\t1\n" for q in QUESTIONS),
        encoding="utf-8",
    )
    (folder / "split.tsv").write_text(
        "query-id\tsplit\n" + "".join(f"{q[0]}\t{q[4]}\n" for q in QUESTIONS), encoding="utf-8"
    )
    return folder


def test_eval_dataset_json_contract_and_report(tmp_path: Path):
    folder = _write_dataset(tmp_path / "tiny")
    report = tmp_path / "report.html"
    result = _eval(folder, "--embedder", "hashing", "--json", "--report", report)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["dataset"], data["split"], data["queries"]) == ("tiny", "test", 4)
    assert data["ingest_seconds"] > 0
    assert set(data["modes"]) == {"lexical", "dense", "hybrid"}
    for mode, metrics in data["modes"].items():
        assert METRIC_KEYS | {"answer_hit@10", "p50_ms", "p95_ms"} <= set(metrics), mode
    # ask's answers are measured in the default mode (hybrid) only: they are costly.
    assert "answer_sentence@1" in data["modes"]["hybrid"]
    assert "answer_sentence@1" not in data["modes"]["lexical"]
    assert data["modes"]["lexical"]["recall@1"] == 1.0
    assert set(data["baselines"]) == {"whitespace_bm25", "kiwi_bm25"}
    assert data["baselines"]["kiwi_bm25"]["recall@10"] == 1.0
    assert "p50_ms" not in data["baselines"]["kiwi_bm25"]
    page = report.read_text(encoding="utf-8")
    assert "<svg" in page and "tiny" in page


def test_eval_reuses_a_named_home_and_limits_queries(tmp_path: Path):
    folder = _write_dataset(tmp_path / "tiny")
    home = tmp_path / "home"
    first = _eval(folder, "--home", home, "--embedder", "none", "--json", "--no-baselines")
    assert first.exit_code == 0, first.output
    assert json.loads(first.stdout)["ingest"]["added"] == 5
    again = _eval(folder, "--home", home, "--json", "--split", "tune", "--mode", "lexical", "--limit", "1")
    assert again.exit_code == 0, again.output
    data = json.loads(again.stdout)
    assert data["ingest"] == {"added": 0, "updated": 0, "unchanged": 5}
    assert (data["split"], data["queries"], list(data["modes"])) == ("tune", 1, ["lexical"])
    assert data["baselines"]["kiwi_bm25"]["recall@1"] == 1.0


def test_answer_metrics_quoted_and_generated_side_by_side(tmp_path: Path):
    from tests.llm_server import FakeChatServer, Reply

    folder = _write_dataset(tmp_path / "tiny")
    llm = FakeChatServer().start()
    try:
        # The generated answers, in question order: one right and cited, one that cites
        # a passage for a number it does not hold, the rest the fake's abstention.
        llm.replies.extend(
            [
                Reply("입사 첫해에는 한 달 개근할 때마다 1일이 생깁니다 [1]."),
                Reply("비밀번호는 16자 이상이어야 합니다 [1]. 90일마다 변경합니다 [1]."),
            ]
        )
        result = evaluate_dataset(
            folder,
            split=None,
            mode="lexical",
            embedder="none",
            baselines=False,
            answers=True,
            overrides={"llm_base_url": llm.url, "llm_model": llm.model, "llm_timeout_s": 3},
        )
    finally:
        llm.stop()
    quoted, generated = result.answers["extractive"], result.answers["generative"]
    assert quoted["questions"] == generated["questions"] == 5
    for metrics in (quoted, generated):
        assert 0.0 <= metrics["exact_match"] <= metrics["char_f1"] <= 1.0
        assert {"rouge_l", "citation_precision", "abstention", "fallback", "p50_ms"} <= set(metrics)
    assert quoted["char_f1"] > 0 and quoted["citation_precision"] == 1.0
    # The invented "16자" sentence was removed by the check and counts against precision.
    assert 0.0 < generated["citation_precision"] < 1.0
    assert json.loads(json.dumps(result.to_json()))["answers"]["generative"] == generated


def test_eval_errors_are_one_line(tmp_path: Path):
    folder = _write_dataset(tmp_path / "tiny")
    for args, needle in [
        ((), "give either a dataset folder or --questions"),
        ((tmp_path / "absent",), "is not a folder"),
        ((tmp_path,), "is not a BEIR-layout dataset"),
        ((folder, "--embedder", "none", "--mode", "dense"), "needs an embedder"),
        ((folder, "--split", "nope", "--embedder", "none"), "no queries"),
    ]:
        result = _eval(*args)
        assert result.exit_code == 2, (args, result.output)
        assert needle in result.output and "Traceback" not in result.output
        assert result.output.strip().count("\n") == 0, result.output


# --- the user's own questions ----------------------------------------------------


@pytest.fixture
def handbook_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    with Jisik(load_settings(home, embedder="hashing")) as jisik:
        report = jisik.add([write_handbook(tmp_path / "handbook")])
        assert report.added == 4
    return home


def test_own_questions_csv_and_jsonl(tmp_path: Path, handbook_home: Path):
    csv_file = tmp_path / "questions.csv"
    csv_file.write_text(
        "question,document,answer\n"
        "비밀번호는 며칠마다 바꿔야 하나요?,security/password.txt,90일\n"
        "보안 사고는 어디로 신고하나요?,password.txt,4000번\n"
        '"식대 한도는 얼마인가요?",expenses/meals.csv,"12000원"\n'
        "입사 첫해 연차는 어떻게 생기나요?,hr/leave.md,\n",
        encoding="utf-8",
    )
    report = tmp_path / "own.html"
    result = _eval("--questions", csv_file, "--home", handbook_home, "--json", "--report", report)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["dataset"], data["queries"], data["answer_queries"]) == ("questions.csv", 4, 3)
    assert set(data["modes"]) == {"lexical", "dense", "hybrid"}
    assert data["modes"]["lexical"]["recall@5"] == 1.0
    assert data["modes"]["hybrid"]["answer_hit@10"] == 1.0
    assert 0.0 <= data["modes"]["hybrid"]["answer_sentence@1"] <= 1.0
    assert data["home"] == str(handbook_home)
    assert set(data["baselines"]) == {"whitespace_bm25", "kiwi_bm25"}
    assert "<svg" in report.read_text(encoding="utf-8")
    with Jisik(load_settings(handbook_home), create=False) as jisik:
        exports = [e.payload["out"] for e in jisik.audit.events(actions=["eval.export"])]
    assert exports == [str(report.resolve())]  # a report quoting the home is an export

    # The same questions as JSONL, documents by id, several answers allowed.
    with Jisik(load_settings(handbook_home), create=False) as jisik:
        ids = {Path(d.source).name: d.doc_id for d in jisik.documents()}
    jsonl_file = tmp_path / "questions.jsonl"
    jsonl_file.write_text(
        json.dumps({"question": "비밀번호 변경 주기는?", "document": ids["password.txt"], "answer": ["90일", "3개월"]}, ensure_ascii=False)
        + "\n"
        + json.dumps({"question": "건강검진은 언제 받나요?", "document": [ids["intro.html"], "leave.md"]}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    result = _eval("--questions", jsonl_file, "--home", handbook_home, "--mode", "lexical")
    assert result.exit_code == 0, result.output
    assert "questions.jsonl" in result.stdout and "kiwi_bm25" in result.stdout


def test_own_questions_errors_name_the_line(tmp_path: Path, handbook_home: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "question,document\n비밀번호 주기?,password.txt\n없는 문서?,nothing.pdf\n,hr/leave.md\n",
        encoding="utf-8",
    )
    result = _eval("--questions", bad, "--home", handbook_home)
    assert result.exit_code == 2
    assert "line 4: the question is empty" in result.output
    assert "Traceback" not in result.output
    bad.write_text("question,document\n비밀번호 주기?,password.txt\n없는 문서?,nothing.pdf\n", encoding="utf-8")
    result = _eval("--questions", bad, "--home", handbook_home)
    assert result.exit_code == 2
    assert "line 3: no document in the home matches 'nothing.pdf'" in result.output
    missing_home = _eval("--questions", bad, "--home", tmp_path / "nohome")
    assert missing_home.exit_code == 2 and "no jisik home" in missing_home.output
