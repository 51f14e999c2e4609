"""Finding the files to ingest under the paths a user gave.

Only what lies inside the given trees is read: a symbolic link inside an added
folder that points outside it (``secrets -> /etc``) is reported and skipped unless
the caller asks to follow links. The jisik home's own files (database, index,
keys, receipts) are never documents, even when a path names them; only files of
its staging folder, where uploads wait to be ingested, may be read when named.
Other folders a user keeps inside the home (the demo's handbook) are documents.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from jisik.home import HomeLayout
from jisik.ingest.exclude import IGNORE_FILE, Scope, compile_patterns, excluded_by_name
from jisik.ingest.parsers import is_supported

# Inside folders these are silently passed over: they are never documents.
IGNORED_SUFFIXES = frozenset(
    ".png .jpg .jpeg .gif .bmp .tif .tiff .webp .svg .ico .heic .mp3 .wav .m4a .mp4 .mov "
    ".avi .mkv .zip .7z .tar .gz .tgz .rar .exe .dll .so .dylib .bin .iso .dmg .ttf .otf "
    ".woff .woff2 .pyc .class .o .db .sqlite .lock .tmp .ds_store".split()
)
FOLLOW_HINT = "add the target itself, or pass --follow-symlinks to follow links"
HOME_REASON = (
    "it is part of the jisik home (database, index, keys, staged uploads), which is never ingested"
)


@dataclass(frozen=True, slots=True)
class Found:
    path: Path
    problem: str = ""  # non-empty: report as failed without reading
    excluded: bool = False  # by --exclude or a .jisikignore: counted, never read


@dataclass(frozen=True, slots=True)
class _Rules:
    follow_symlinks: bool
    home: HomeLayout | None

    def off_limits(self, resolved: Path, named: bool = False) -> bool:
        """One of the home's own entries; a staged upload only when not named itself
        (a folder walk never picks up another job's waiting files)."""
        if self.home is None or not self.home.owns(resolved):
            return False
        if not named:
            return True
        staging = self.home.uploads.resolve()
        return not (resolved.is_file() and staging in resolved.parents)


def discover(
    paths: Iterable[Path],
    *,
    follow_symlinks: bool = False,
    home: HomeLayout | None = None,
    exclude: Sequence[str] = (),
) -> Iterator[Found]:
    """Every file under ``paths``, once, in a stable order; each problem as a Found.
    ``exclude``: .gitignore-style patterns (see ``exclude.py``); an excluded folder is
    not walked and counts as one Found."""
    rules = _Rules(follow_symlinks, home)
    given_patterns = compile_patterns(exclude)
    seen: set[Path] = set()
    for given in paths:
        path = Path(given).expanduser()
        if not path.exists():
            problem = "a broken symbolic link" if path.is_symlink() else "no such file or directory"
            yield Found(path, problem)
            continue
        resolved = path.resolve()
        if rules.off_limits(resolved, named=True):
            yield Found(path, HOME_REASON)
        elif resolved.is_dir():
            yield from _walk(resolved, seen, rules, Scope(resolved, given_patterns))
        elif excluded_by_name(given_patterns, path):
            yield Found(resolved, excluded=True)
        elif resolved not in seen:
            seen.add(resolved)
            yield Found(resolved)


def _walk(root: Path, seen: set[Path], rules: _Rules, top: Scope) -> Iterator[Found]:
    errors: list[OSError] = []
    walked: set[Path] = {root}  # real folders walked: links can make cycles
    scopes: dict[str, Scope] = {str(root): top}
    for directory, subdirs, files in os.walk(
        root, onerror=errors.append, followlinks=rules.follow_symlinks
    ):
        scope, problem = scopes.pop(directory).entered(Path(directory))
        if problem:
            yield Found(Path(directory, IGNORE_FILE), problem)
        kept = []
        for name in sorted(d for d in subdirs if not d.startswith(".")):
            folder = Path(directory, name)
            if scope.excludes(folder, is_dir=True):
                yield Found(folder, excluded=True)
                continue
            problem, real = _vet(folder, root, rules, is_dir=True)
            if problem:
                yield Found(folder, problem)
            elif real is not None and real not in walked:
                walked.add(real)
                kept.append(name)
                scopes[str(folder)] = scope
        subdirs[:] = kept
        for name in sorted(files):
            path = Path(directory, name)
            if name.startswith((".", "~$")) or path.suffix.lower() in IGNORED_SUFFIXES:
                continue
            if scope.excludes(path, is_dir=False):
                yield Found(path, excluded=True)
                continue
            problem, resolved = _vet(path, root, rules, is_dir=False)
            if problem:
                yield Found(path, problem)
                continue
            if resolved is None or resolved in seen:
                continue
            seen.add(resolved)
            if is_supported(path):
                yield Found(resolved)
            else:
                yield Found(resolved, f"unsupported file type '{path.suffix.lower() or '(none)'}'")
    for error in errors:
        yield Found(Path(error.filename or root), f"cannot read folder: {error.strerror or error}")


def _vet(path: Path, root: Path, rules: _Rules, is_dir: bool) -> tuple[str, Path | None]:
    """(problem, real path) of an entry of a walked folder; (\"\", None): pass over it
    silently (a link to a place inside the tree, which is read by its own name)."""
    kind = "folder" if is_dir else "file"
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # missing target, or a loop of links
            return "a broken symbolic link", None
        if rules.off_limits(target):
            return f"a symbolic link into the jisik home; {HOME_REASON}", None
        if not rules.follow_symlinks:
            if _inside(target, root):
                return "", None
            return (
                f"a symbolic link to a {kind} outside the folder being added ({target}); {FOLLOW_HINT}",
                None,
            )
        return "", target
    real = path.resolve()
    if rules.off_limits(real):
        return HOME_REASON, None
    return "", real


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents
