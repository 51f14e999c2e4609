"""Answering: extractive (no model) or generative, always with verified citations."""
