"""Korean-aware text analysis shared by indexing and querying."""

from jisik.text.analyzer import AnalyzedText, Analyzer, AnalyzerConfig

__all__ = ["AnalyzedText", "Analyzer", "AnalyzerConfig"]
