"""The contract every Index backend must meet (``jisik.index.contract``), run for each
registered backend: the core for all, each capability's suite where the backend has it.
A new backend adds itself to BACKENDS."""

from __future__ import annotations

from pathlib import Path

import pytest

from jisik.index.base import Index, Rewritable, capabilities
from jisik.index.contract import DIM, all_checks, checks_for
from jisik.index.registry import open_index

BACKENDS = ["embedded"]


def _factory(backend: str):
    return lambda path, dim: open_index(backend, path, dim)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize(
    "needs,check", list(all_checks()), ids=[c.__name__ for _, c in all_checks()]
)
def test_contract(backend, needs, check, tmp_path: Path):
    probe: Index = open_index(backend, tmp_path / "probe", DIM)
    applies = check.__name__ in dict(checks_for(probe))
    probe.close()
    if not applies:
        pytest.skip(f"{backend} lacks the {needs.__name__} capability")
    check(_factory(backend), tmp_path)


def test_the_embedded_backend_has_every_capability(tmp_path: Path):
    index = open_index("embedded", tmp_path / "index", DIM)
    assert capabilities(index) == ("term statistics", "forensics", "rewrite", "late vectors")
    index.close()


class _LexicalOnly:
    """A backend with the core only: erasure must refuse it by name, not crash."""

    def __init__(self, inner: Index) -> None:
        self.inner = inner

    def __getattr__(self, name):
        if name in ("rewrite", "entries_present", "term_present", "add_vectors", "dense_ids"):
            raise AttributeError(name)
        return getattr(self.inner, name)


def test_a_missing_capability_is_refused_with_its_name(tmp_path: Path):
    from jisik.errors import ConfigError
    from jisik.index.base import require

    bare = _LexicalOnly(open_index("embedded", tmp_path / "index", DIM))
    assert not isinstance(bare, Rewritable)
    assert [name for name, _ in checks_for(bare)][-1] == "check_document_frequencies"
    with pytest.raises(ConfigError, match="_LexicalOnly cannot rewrite.*Rewritable"):
        require(bare, Rewritable, "rewrite")
    bare.inner.close()
