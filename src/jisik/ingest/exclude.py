"""What a user asked not to ingest: ``--exclude`` patterns and ``.jisikignore`` files.

Both use .gitignore's pattern language (``*.tmp``, ``drafts/``, ``/build``, ``**/old``,
``!keep.md``), read by ``pathspec``. A ``.jisikignore`` applies to the folder it is in
and everything below; a deeper one can re-include what a shallower one excluded, as in
git. ``--exclude`` patterns are matched relative to each folder given on the command
line, and against the name of a file given by itself, and always win: a file the
command excludes is never read, whatever an ignore file says.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pathspec import GitIgnoreSpec

from jisik.errors import InvalidInputError

IGNORE_FILE = ".jisikignore"
MAX_IGNORE_BYTES = 1_000_000  # a pattern file, not a document


def compile_patterns(patterns: Sequence[str]) -> GitIgnoreSpec | None:
    """The command's patterns, or a clear error naming the one that cannot be read."""
    cleaned = [p for p in patterns if p.strip()]
    if not cleaned:
        return None
    for pattern in cleaned:
        try:
            GitIgnoreSpec.from_lines([pattern])
        except ValueError as exc:
            raise InvalidInputError(
                f"--exclude {pattern!r} is not a valid pattern ({exc}); use .gitignore "
                "syntax such as '*.tmp' or 'drafts/'"
            ) from exc
    return GitIgnoreSpec.from_lines(cleaned)


@dataclass(frozen=True, slots=True)
class Scope:
    """The patterns in force inside one folder of a walk: the command's, relative to the
    folder given, and each ignore file's above it, relative to where it lies."""

    root: Path
    given: GitIgnoreSpec | None
    files: tuple[tuple[Path, GitIgnoreSpec], ...] = ()

    def entered(self, folder: Path) -> tuple[Scope, str]:
        """The scope inside ``folder`` (its own ignore file added) and a problem with
        that file, if it could not be read."""
        ignore = folder / IGNORE_FILE
        if ignore.is_symlink():
            # A link could make jisik read (and quote back) a file outside the tree.
            return self, _unusable("it is a symbolic link; make it a plain file")
        if not ignore.is_file():
            return self, ""
        try:
            if ignore.stat().st_size > MAX_IGNORE_BYTES:
                return self, _unusable(f"it is over {MAX_IGNORE_BYTES:,} bytes")
            lines = ignore.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            return self, _unusable(f"it cannot be read as UTF-8 text: {type(exc).__name__}")
        for number, line in enumerate(lines, start=1):
            try:
                GitIgnoreSpec.from_lines([line])
            except ValueError:
                return self, _unusable(f"line {number} is not a valid pattern")
        spec = GitIgnoreSpec.from_lines(lines)
        return Scope(self.root, self.given, (*self.files, (folder, spec))), ""

    def excludes(self, path: Path, is_dir: bool) -> bool:
        suffix = "/" if is_dir else ""
        if self.given is not None and self.given.match_file(_relative(path, self.root) + suffix):
            return True
        excluded = False
        for base, spec in self.files:  # shallow to deep: the deepest match decides
            verdict = spec.check_file(_relative(path, base) + suffix).include
            if verdict is not None:
                excluded = verdict
        return excluded


def _unusable(why: str) -> str:
    return (
        f"cannot use this {IGNORE_FILE} ({why}); fix it or remove it — nothing in this "
        "folder was excluded by it"
    )


def excluded_by_name(given: GitIgnoreSpec | None, path: Path) -> bool:
    """A file named on the command line, checked against the command's patterns."""
    return given is not None and given.match_file(path.name)


def _relative(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()
