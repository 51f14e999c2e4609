"""The question path's shortcuts keep their promises: a cached PII policy still
changes at once, citations are checked against the passages quoted, commands that
need no analyzer never load Kiwi, and ``--verbose`` says where the time went."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import textwrap

import pytest
from typer.testing import CliRunner

from jisik.answer.citations import CitationError, verify_in_hits
from jisik.cli.main import app
from jisik.errors import JisikError
from jisik.privacy.policy import MASK, PolicyStore
from jisik.store.database import migrate, open_engine, sqlite_url
from jisik.store.records import Records, StoredChunk, _chunk_select
from jisik.store.version_writes import NewVersion
from jisik.types import Chunk, Citation, Hit

PHONE = "담당자 연락처는 010-2345-6789 입니다."


def test_a_policy_changed_elsewhere_applies_at_the_next_read(tmp_path):
    # Two engines on one file: the server's cache and the CLI that changes a policy.
    url = sqlite_url(tmp_path / "jisik.db")
    server_engine, cli_engine = open_engine(url), open_engine(url)
    migrate(server_engine)
    server, cli = PolicyStore(server_engine), PolicyStore(cli_engine)
    assert server.for_reader(None).action("phone") != MASK  # the default shows phones
    cli.set("phone", MASK)
    assert server.for_reader(None).action("phone") == MASK
    assert server.for_reader(["hr"]).action("phone") == MASK
    cli.set("phone", "allow", "hr")
    assert server.for_reader(["hr"]).action("phone") == "allow"
    cli.reset("hr")
    assert server.for_reader(["hr"]).action("phone") == MASK


def test_a_search_shows_what_the_new_policy_allows(jisik):
    jisik.add_texts([("contact", "연락처", PHONE)])
    assert "010-2345-6789" in jisik.search("담당자 연락처")[0].text
    PolicyStore(open_engine(sqlite_url(jisik.layout.database))).set("phone", MASK)
    assert "010-2345-6789" not in jisik.search("담당자 연락처")[0].text


def _hit(text="연차는 15일입니다. 이월되지 않습니다.", start=100):
    return Hit(1, "doc1", 2, "휴가", "hr.md", "", start, start + len(text), text, 1.0)


def test_a_citation_is_checked_against_the_passage_it_quotes():
    hit = _hit()
    quoted = "이월되지 않습니다"
    at = 100 + hit.text.index(quoted)
    good = Citation(1, "doc1", 2, "휴가", "hr.md", "", at, at + len(quoted), quoted)
    verify_in_hits(good, [hit])
    for forged in (
        dataclasses.replace(good, start=good.start + 1, end=good.end + 1),
        dataclasses.replace(good, text="이월되어 쌓입니다"),
        dataclasses.replace(good, version=3),
        dataclasses.replace(good, doc_id="doc2"),
        dataclasses.replace(good, start=90, end=99, text="x" * 9),  # before the passage
        dataclasses.replace(good, end=hit.end + 1),  # past its end
    ):
        with pytest.raises(CitationError):
            verify_in_hits(forged, [hit])


def test_a_chunk_that_is_not_its_text_is_never_stored(tmp_path):
    engine = open_engine(sqlite_url(tmp_path / "jisik.db"))
    migrate(engine)
    text = "첫 문장입니다. 둘째 문장입니다."
    new = NewVersion(
        "d1", "a.md", "a", "md", "h", 1, 0.0, text, (), (Chunk(0, 0, 8, "", "", "첫 문장입니다!"),)
    )
    with pytest.raises(JisikError, match="does not match"):
        Records(engine).write_pending(new)


def test_stored_chunks_are_read_by_position_in_field_order():
    columns = [c.name for c in _chunk_select().selected_columns]
    renamed = {"document_id": "doc_id", "number": "version"}
    assert [renamed.get(c, c) for c in columns] == [
        f.name for f in dataclasses.fields(StoredChunk)
    ]


def test_commands_that_need_no_analyzer_do_not_load_kiwi(jisik):
    jisik.add_texts([("a", "연차", "연차는 15일입니다.")])
    home = jisik.layout.root
    probe = textwrap.dedent(
        f"""
        from typer.testing import CliRunner
        from jisik.cli.main import app
        from jisik.text.analyzer import _shared
        for command in (["docs", "list"], ["stats"], ["audit", "verify"], ["registry", "export"]):
            result = CliRunner().invoke(app, [*command, "--home", {str(home)!r}])
            assert result.exit_code in (0, 1), (command, result.output)
        print(sum(a._kiwi is not None for a in _shared.values()))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True
    )
    assert done.stdout.strip().splitlines()[-1] == "0"


def test_verbose_says_how_long_loading_and_the_question_took(jisik):
    jisik.add_texts([("a", "연차", "연차는 15일입니다.")])
    result = CliRunner().invoke(
        app, ["search", "연차", "--home", str(jisik.layout.root), "--verbose", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert "load analyzer" in result.output and "search" in result.output
