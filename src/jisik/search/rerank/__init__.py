"""Rerankers as services: a cross-encoder the user runs scores the top candidates."""
