"""Files outside what was added (issue 9, defect 13): symbolic links that leave the
added tree are reported, not followed (unless asked); the jisik home is never read."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jisik.home import HomeLayout
from jisik.ingest.discover import discover


def _tree(root: Path) -> tuple[Path, Path]:
    """``root/added`` with a few files and ``root/outside`` with a secret."""
    added, outside = root / "added", root / "outside"
    (added / "sub").mkdir(parents=True)
    outside.mkdir()
    (added / "a.txt").write_text("a")
    (added / "sub" / "b.md").write_text("b")
    (outside / "secret.txt").write_text("secret")
    return added, outside


def test_links_out_of_the_tree_are_reported_and_not_followed(tmp_path: Path):
    added, outside = _tree(tmp_path)
    (added / "secret.txt").symlink_to(outside / "secret.txt")
    (added / "elsewhere").symlink_to(outside, target_is_directory=True)
    found = list(discover([added]))
    read = sorted(f.path.name for f in found if not f.problem)
    assert read == ["a.txt", "b.md"]
    problems = {f.path.name: f.problem for f in found if f.problem}
    assert set(problems) == {"secret.txt", "elsewhere"}
    assert "a symbolic link to a file outside the folder being added" in problems["secret.txt"]
    assert "--follow-symlinks" in problems["secret.txt"]
    assert "a symbolic link to a folder outside" in problems["elsewhere"]


def test_follow_symlinks_reads_them_once_and_survives_loops(tmp_path: Path):
    added, outside = _tree(tmp_path)
    (added / "secret.txt").symlink_to(outside / "secret.txt")
    (added / "elsewhere").symlink_to(outside, target_is_directory=True)
    (added / "sub" / "loop").symlink_to(added, target_is_directory=True)
    found = list(discover([added], follow_symlinks=True))
    assert not [f for f in found if f.problem]
    paths = [f.path for f in found]
    assert len(paths) == len(set(paths)) == 3
    assert outside / "secret.txt" in paths


def test_links_inside_the_tree_are_read_once_by_their_own_name(tmp_path: Path):
    added, _ = _tree(tmp_path)
    (added / "again.txt").symlink_to(added / "a.txt")
    (added / "subagain").symlink_to(added / "sub", target_is_directory=True)
    (added / "dangling.txt").symlink_to(added / "gone.txt")
    found = list(discover([added]))
    assert sorted(f.path.name for f in found if not f.problem) == ["a.txt", "b.md"]
    assert [(f.path.name, f.problem) for f in found if f.problem] == [
        ("dangling.txt", "a broken symbolic link")
    ]


def test_a_link_named_on_the_command_line_is_read(tmp_path: Path):
    _, outside = _tree(tmp_path)
    link = tmp_path / "link.txt"
    link.symlink_to(outside / "secret.txt")
    assert [(f.path, f.problem) for f in discover([link])] == [(outside / "secret.txt", "")]


def test_the_homes_own_files_are_never_read_but_a_named_staged_upload_is(tmp_path: Path):
    added, _ = _tree(tmp_path)
    home = HomeLayout(added / "jisik-home")
    (home.root / "secrets").mkdir(parents=True)
    (home.root / "secrets" / "pseudonym.key.txt").write_text("key")
    (home.root / "config.toml").write_text("x = 1")
    (home.root / "jisik.db-wal.txt").write_text("wal")
    staged = home.uploads / "job" / "00000" / "leave.md"
    staged.parent.mkdir(parents=True)
    staged.write_text("upload")
    handbook = home.root / "demo-corpus" / "hr" / "leave.txt"  # the user's, not jisik's
    handbook.parent.mkdir(parents=True)
    handbook.write_text("handbook")
    (added / "key.txt").symlink_to(home.root / "secrets" / "pseudonym.key.txt")
    found = list(discover([added], home=home))
    assert sorted(f.path.name for f in found if not f.problem) == ["a.txt", "b.md", "leave.txt"]
    problems = {f.path.name: f.problem for f in found if f.problem}
    assert set(problems) == {"secrets", "config.toml", "jisik.db-wal.txt", "uploads", "key.txt"}
    assert all("part of the jisik home" in p for p in problems.values())
    named = list(discover([home.root / "config.toml", staged, handbook], home=home))
    assert [bool(f.problem) for f in named] == [True, False, False]
    whole_home = {f.path.name: bool(f.problem) for f in discover([home.root], home=home)}
    assert whole_home == {
        "leave.txt": False, "secrets": True, "config.toml": True, "jisik.db-wal.txt": True,
        "uploads": True,
    }
    walked_staging = list(discover([home.uploads], home=home))
    assert [bool(f.problem) for f in walked_staging] == [True]


_NAMES = st.sampled_from(["a", "b", "c", "d"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    links=st.lists(
        st.tuples(_NAMES, st.sampled_from(["in-file", "in-dir", "out-file", "out-dir", "up"])),
        max_size=6,
    ),
    follow=st.booleans(),
)
def test_without_following_nothing_outside_the_tree_is_ever_read(tmp_path_factory, links, follow):
    root = tmp_path_factory.mktemp("tree")
    added, outside = _tree(root)
    targets = {
        "in-file": added / "a.txt",
        "in-dir": added / "sub",
        "out-file": outside / "secret.txt",
        "out-dir": outside,
        "up": root,
    }
    for n, (name, kind) in enumerate(links):
        link = added / "sub" / f"{name}{n}.txt"
        os.symlink(targets[kind], link, target_is_directory=kind.endswith(("dir", "up")))
    found = list(discover([added], follow_symlinks=follow))
    read = [f.path for f in found if not f.problem]
    assert len(read) == len(set(read))  # each file once, links or not
    if not follow:
        assert all(added in p.parents for p in read)
        escaping = sum(kind.startswith(("out", "up")) for _, kind in links)
        assert sum("outside the folder" in f.problem for f in found) == escaping
