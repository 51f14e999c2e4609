"""``llm_path`` settings, without the extra: the error names the fix."""

from __future__ import annotations

import importlib.util

import pytest

from jisik.compose import generator_for
from jisik.errors import ConfigError
from jisik.settings import load_settings


def test_a_model_server_and_a_local_file_are_exclusive(tmp_path):
    with pytest.raises(ConfigError, match="either llm_base_url .* or llm_path"):
        load_settings(
            tmp_path, llm_base_url="http://127.0.0.1:1/v1", llm_model="m", llm_path="/x.gguf"
        )


@pytest.mark.skipif(
    importlib.util.find_spec("llama_cpp") is not None, reason="the extra is installed"
)
def test_without_the_extra_the_error_says_how_to_install_it(tmp_path):
    with pytest.raises(ConfigError, match=r"jisik\[local-llm\]"):
        generator_for(load_settings(tmp_path, llm_path=str(tmp_path / "m.gguf")))
