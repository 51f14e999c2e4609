from jisik.search.fusion import convex, min_max, reciprocal_rank, top


def test_rrf_weights_and_ranks():
    fused = reciprocal_rank([[1, 2, 3], [3, 1]], [1.0, 0.5], k=60)
    assert fused[1] == 1 / 61 + 0.5 / 62
    assert top(fused, 1)[0][0] == 1


def test_convex_with_zero_dense_weight_keeps_lexical_order():
    lexical = {1: 9.0, 2: 5.0, 3: 1.0}
    dense = {3: 0.9, 2: 0.1, 4: 0.8}
    assert [k for k, _ in top(convex(lexical, dense, 0.0), 3)] == [1, 2, 3]


def test_convex_mixes_normalised_scores():
    fused = convex({1: 10.0, 2: 0.0}, {1: 0.0, 2: 1.0}, 0.7)
    assert fused[2] > fused[1]


def test_min_max_of_constant_scores():
    assert min_max({1: 3.0, 2: 3.0}) == {1: 1.0, 2: 1.0}
    assert min_max({}) == {}
