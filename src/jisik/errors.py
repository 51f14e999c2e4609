"""The one root exception and its few specific children.

Library code raises these; the CLI and the API translate them at the edge.
Every message names the problem and, where there is one, the fix.
"""


class JisikError(Exception):
    """Root of every error jisik raises on purpose."""


class ConfigError(JisikError):
    """Settings are invalid or do not match the home they are used with."""


class HomeMismatchError(ConfigError):
    """The home was built with a different analyzer, embedder or schema."""


class ParseError(JisikError):
    """A file could not be turned into text (corrupt, encrypted, empty, unsupported …)."""


class UnsupportedFormatError(ParseError):
    """No parser is registered for the file's extension."""


class MissingExtraError(JisikError):
    """An optional dependency is not installed; the message names the extra."""


class NotFoundError(JisikError):
    """A document, version or other record does not exist."""


class InvalidQueryError(JisikError):
    """A query or question is empty or has nothing searchable in it."""


class ProviderError(JisikError):
    """A remote provider (embeddings, generator) failed or answered nonsense."""


class InvalidInputError(JisikError):
    """A name, role or other value given by the caller is not acceptable."""


class ForbiddenError(JisikError):
    """The caller may not do this (a rule of who may write what); the message says why."""


class ConflictError(JisikError):
    """The record already exists, or the change would break a rule (the last admin)."""


class BusyError(JisikError):
    """Another writer holds the home; trying again later will work."""
