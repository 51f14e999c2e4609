"""The demo corpus: a fictional Korean company handbook for ``jisik demo`` and the tests."""
