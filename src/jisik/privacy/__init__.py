"""Personal-data protection: detection of Korean PII (more to come: policies, erasure)."""

from jisik.privacy.detect import PII_TYPES, Finding, PiiDetector, default_detector

__all__ = ["PII_TYPES", "Finding", "PiiDetector", "default_detector"]
