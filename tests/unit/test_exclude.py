"""What gets added (issue 10, item 7): `--exclude GLOB` and `.jisikignore` files, in
.gitignore's pattern language; excluded entries are counted, never read."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jisik.errors import InvalidInputError
from jisik.ingest.discover import discover


def _tree(root: Path) -> Path:
    files = [
        "a.md",
        "notes.txt",
        "drafts/b.md",
        "old/c.txt",
        "old/notes.txt",
        "sub/keep.md",
        "sub/skip.md",
        "sub/deep/d.md",
    ]
    for name in files:
        path = root / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(name, encoding="utf-8")
    return root / "docs"


def _read(found, root: Path) -> list[str]:
    return sorted(
        f.path.relative_to(root).as_posix() for f in found if not f.problem and not f.excluded
    )


def _excluded(found, root: Path) -> list[str]:
    return sorted(f.path.relative_to(root).as_posix() for f in found if f.excluded)


@pytest.mark.parametrize(
    ("patterns", "excluded"),
    [
        (["drafts/"], ["drafts"]),  # a folder: not walked, counted once
        (["*.txt"], ["notes.txt", "old/c.txt", "old/notes.txt"]),
        (["/notes.txt"], ["notes.txt"]),  # anchored to the folder given
        (["notes.txt"], ["notes.txt", "old/notes.txt"]),  # any depth
        (["sub/**/*.md"], ["sub/deep/d.md", "sub/keep.md", "sub/skip.md"]),
        (
            ["old", "*.md", "!a.md"],
            ["drafts/b.md", "old", "sub/deep/d.md", "sub/keep.md", "sub/skip.md"],
        ),
        ([], []),
    ],
)
def test_exclude_patterns_leave_out_what_they_match(tmp_path, patterns, excluded):
    docs = _tree(tmp_path)
    found = list(discover([docs], exclude=patterns))
    assert _excluded(found, docs) == excluded
    everything = sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file())
    left_out = tuple(e + "/" for e in excluded)
    expected = [p for p in everything if p not in excluded and not p.startswith(left_out)]
    assert _read(found, docs) == expected


def test_ignore_files_apply_below_their_folder_and_deeper_ones_override(tmp_path):
    docs = _tree(tmp_path)
    (docs / ".jisikignore").write_text("# drafts and notes\n*.md\n!keep.md\nold/\n", "utf-8")
    (docs / "sub" / ".jisikignore").write_text("!skip.md\n", "utf-8")
    found = list(discover([docs]))
    assert _read(found, docs) == ["notes.txt", "sub/keep.md", "sub/skip.md"]
    assert _excluded(found, docs) == ["a.md", "drafts/b.md", "old", "sub/deep/d.md"]


def test_the_commands_patterns_win_over_an_ignore_file(tmp_path):
    docs = _tree(tmp_path)
    (docs / "sub" / ".jisikignore").write_text("!keep.md\n", "utf-8")
    found = list(discover([docs], exclude=["keep.md"]))
    assert "sub/keep.md" in _excluded(found, docs)


def test_a_file_named_on_the_command_line_is_matched_by_its_name(tmp_path):
    docs = _tree(tmp_path)
    found = list(discover([docs / "notes.txt", docs / "a.md"], exclude=["*.txt"]))
    assert [(f.path.name, f.excluded) for f in found] == [("notes.txt", True), ("a.md", False)]


def test_an_unreadable_ignore_file_is_reported_and_excludes_nothing(tmp_path):
    docs = _tree(tmp_path)
    (docs / "old" / ".jisikignore").write_bytes(b"\xff\xfe*.txt\x80\n")
    (docs / "sub" / ".jisikignore").write_text("!\n", "utf-8")  # not a valid pattern
    found = list(discover([docs]))
    problems = {f.path.relative_to(docs).as_posix(): f.problem for f in found if f.problem}
    assert set(problems) == {"old/.jisikignore", "sub/.jisikignore"}
    assert all("nothing in this folder was excluded by it" in p for p in problems.values())
    assert _excluded(found, docs) == []
    assert "old/c.txt" in _read(found, docs)


@pytest.mark.parametrize("pattern", ["!", "docs\\"])
def test_an_invalid_pattern_is_refused_with_the_fix(tmp_path, pattern):
    docs = _tree(tmp_path)
    with pytest.raises(InvalidInputError, match="is not a valid pattern.*'drafts/'"):
        list(discover([docs], exclude=[pattern]))


_SEGMENT = st.sampled_from(["a", "b", "x.md", "y.txt", "z.md"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    files=st.lists(st.lists(_SEGMENT, min_size=1, max_size=3), min_size=1, max_size=12),
    patterns=st.lists(
        st.sampled_from(["*.md", "a/", "/b", "b/*.txt", "**/x.md", "!z.md", "a/**"]), max_size=3
    ),
)
def test_nothing_matched_is_read_and_nothing_else_is_lost(tmp_path_factory, files, patterns):
    from pathspec import GitIgnoreSpec

    root = tmp_path_factory.mktemp("tree")
    written = set()
    for parts in files:
        *folders, name = parts
        if not name.endswith((".md", ".txt")):
            name += ".md"
        path = root.joinpath(*folders, name)
        if any(p.is_file() for p in [path, *path.parents] if p != root and p.is_relative_to(root)):
            continue  # a file where a folder should be
        if path.is_dir():
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
        written.add(path.relative_to(root).as_posix())
    spec = GitIgnoreSpec.from_lines(patterns)

    def matched(relative: str) -> bool:  # the file or any folder above it, as git decides
        parts = relative.split("/")
        folders = ["/".join(parts[:i]) + "/" for i in range(1, len(parts))]
        return any(spec.match_file(f) for f in folders) or spec.match_file(relative)

    found = list(discover([root], exclude=patterns))
    assert set(_read(found, root)) == {p for p in written if not matched(p)}


def test_an_ignore_file_that_links_outside_is_never_read(tmp_path):
    docs = _tree(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2 \\\n", encoding="utf-8")  # not a valid pattern either
    (docs / ".jisikignore").symlink_to(secret)
    (docs / "sub" / ".jisikignore").write_text("*.md\nsecret-line \\\n", encoding="utf-8")
    found = list(discover([docs]))
    problems = {f.path.relative_to(docs).as_posix(): f.problem for f in found if f.problem}
    assert "symbolic link" in problems[".jisikignore"]
    assert "line 2 is not a valid pattern" in problems["sub/.jisikignore"]
    assert not any("hunter2" in p or "secret-line" in p for p in problems.values())
