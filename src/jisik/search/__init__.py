"""Retrieval: fusion of ranked lists (pure functions) and the hybrid searcher."""
