"""Korean-aware text analysis shared by indexing and querying."""

from jisik.text.analyzer import Analyzer, AnalyzerConfig, AnalyzedText

__all__ = ["Analyzer", "AnalyzerConfig", "AnalyzedText"]
