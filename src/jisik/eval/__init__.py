"""Measuring retrieval and answer quality on BEIR-layout datasets."""
