"""Who may write what: the rules for replacing a document and changing its readers.

Checked twice for an upload: when the server accepts it (a fast, friendly refusal) and
again when the job writer activates the new version, in the same transaction
(``Records.activate``) — between the two, another editor's upload of the same name may
have landed, and the second check is the one that counts.

The rules, for anyone but an admin:

* an existing document may be replaced or regrouped only by someone who may read it;
* reader groups added to a document may only be groups the writer belongs to;
* a group-only document may not be made readable by everyone (that widens its readers
  beyond the writer's own groups; an admin may). A new document may be public.
"""

from __future__ import annotations

from dataclasses import dataclass

from jisik.index.base import PUBLIC

# A document's reader groups; () means everyone may read it.
Groups = tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Writer:
    """Someone writing documents, with what they may read and give."""

    user: str
    readers: frozenset[str] | None  # None: an admin, unrestricted
    groups: frozenset[str] = frozenset()

    def refusal(self, current: Groups | None, new: Groups | None) -> str:
        """Why this writer may not turn a document with readers ``current`` (None: it does
        not exist yet) into one with readers ``new`` (None: keep them); "" if they may."""
        return self.replace_refusal(current) or self.readers_refusal(current, new)

    def replace_refusal(self, current: Groups | None) -> str:
        """Why this writer may not replace a document with readers ``current``."""
        if self.readers is None or current is None or _readable(current, self.readers):
            return ""
        return (
            "a document with this name exists and you may not read it, so you cannot "
            "replace it; upload it under another name"
        )

    def readers_refusal(self, current: Groups | None, new: Groups | None) -> str:
        """Why this writer may not give a document readers ``new``."""
        if self.readers is None or new is None:
            return ""
        # Groups that already read the document may stay; new ones must be the writer's.
        foreign = sorted(set(new) - self.groups - set(current or ()))
        if foreign:
            return (
                "you may only give documents to groups you belong to; not a member of: "
                + ", ".join(foreign)
            )
        if not new and current:
            return (
                "making a group-only document readable by everyone needs the admin role; "
                "keep its groups or ask an admin"
            )
        return ""


def _readable(groups: Groups, readers: frozenset[str]) -> bool:
    return bool(set(groups) & readers) if groups else PUBLIC in readers
