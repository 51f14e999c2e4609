"""Turning files into documents: discovery, parsing and chunking."""
