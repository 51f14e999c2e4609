"""jisik (지식): a self-hosted, Korean-first knowledge assistant with cited answers."""

__version__ = "0.1.0"
