import json
from pathlib import Path

import pytest

from jisik.errors import ConfigError, HomeMismatchError, UnsupportedFormatError
from jisik.home import HomeLayout, check_manifest
from jisik.ingest.parsers import parse
from jisik.settings import load_settings


def test_precedence_flags_over_env_over_file(tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('mode = "lexical"\ndense_weight = 0.3\n', encoding="utf-8")
    assert load_settings(home).mode == "lexical"
    monkeypatch.setenv("JISIK_DENSE_WEIGHT", "0.5")
    assert load_settings(home).dense_weight == 0.5
    assert load_settings(home, dense_weight=0.1).dense_weight == 0.1


def test_bad_settings_name_the_problem(tmp_path: Path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text("colour = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="colour"):
        load_settings(home)
    (home / "config.toml").write_text("mode = [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(home)
    (home / "config.toml").unlink()
    with pytest.raises(ConfigError, match="mode must be one of"):
        load_settings(home, mode="magic")
    monkeypatch.setenv("JISIK_CANDIDATES", "many")
    with pytest.raises(ConfigError, match="candidates"):
        load_settings(home)


def test_home_remembers_its_embedder(tmp_path: Path):
    home = tmp_path / "home"
    home.mkdir()
    (home / "manifest.json").write_text(
        json.dumps({"embedder": {"name": "hashing", "id": "x", "dim": 8}}), encoding="utf-8"
    )
    assert load_settings(home).embedder == "hashing"
    assert load_settings(home, embedder="none").embedder == "none"


def test_the_environment_picks_the_embedder_of_new_homes_only(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("JISIK_EMBEDDER", "use")
    assert load_settings(tmp_path / "new").embedder == "use"
    home = tmp_path / "home"
    home.mkdir()
    (home / "manifest.json").write_text(
        json.dumps({"embedder": {"name": "hashing", "id": "x", "dim": 8}}), encoding="utf-8"
    )
    assert load_settings(home).embedder == "hashing"
    (home / "config.toml").write_text('embedder = "e5"\n', encoding="utf-8")
    assert load_settings(home).embedder == "e5"  # a deliberate change: the mismatch says how


def test_manifest_mismatch_messages_say_how_to_fix(tmp_path: Path):
    base = {"schema_version": 1, "analyzer": {"a": 1}, "embedder": None, "index_backend": "embedded"}
    check_manifest(base, dict(base), tmp_path)
    with pytest.raises(HomeMismatchError, match="jisik reindex"):
        check_manifest({**base, "analyzer": {"a": 2}}, base, tmp_path)
    with pytest.raises(HomeMismatchError, match="embedder"):
        check_manifest(base, {**base, "embedder": {"id": "use", "dim": 512}}, tmp_path)
    with pytest.raises(HomeMismatchError, match="newer jisik"):
        check_manifest({**base, "schema_version": 99}, base, tmp_path)
    with pytest.raises(HomeMismatchError, match="interrupted"):
        check_manifest({**base, "reindex_in_progress": True}, base, tmp_path)


def test_write_lock_is_reentrant_across_sequential_uses(tmp_path: Path):
    layout = HomeLayout(tmp_path / "h")
    with layout.write_lock():
        pass
    with layout.write_lock():
        assert (tmp_path / "h" / ".write.lock").exists()


def test_unsupported_extension_names_the_supported_ones(tmp_path: Path):
    path = tmp_path / "slides.key"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(UnsupportedFormatError, match=r"\.hwpx"):
        parse(path)


def test_the_defaults_are_the_measured_ones(tmp_path: Path, monkeypatch):
    # The suite runs lexical (conftest sets JISIK_EMBEDDER); a user's default is e5,
    # fused at its own measured weight, and abstains below 0.5.
    from jisik.embed.e5 import E5Embedder
    from jisik.search.retriever import DEFAULT_DENSE_WEIGHT, RetrievalOptions

    monkeypatch.delenv("JISIK_EMBEDDER", raising=False)
    settings = load_settings(tmp_path / "home")
    assert settings.embedder == "e5" and settings.abstain_threshold == 0.5
    assert RetrievalOptions.from_settings(settings, E5Embedder()).dense_weight == 0.3
    assert RetrievalOptions.from_settings(settings, object()).dense_weight == DEFAULT_DENSE_WEIGHT
    chosen = load_settings(tmp_path / "home", dense_weight=0.45)
    assert RetrievalOptions.from_settings(chosen, E5Embedder()).dense_weight == 0.45
    with pytest.raises(ConfigError, match="dense_weight"):
        load_settings(tmp_path / "home", dense_weight=-0.5)
