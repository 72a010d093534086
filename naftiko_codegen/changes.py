"""A difference between the public surfaces of two versions of a capability (``diff``)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True)
class Change:
    """One difference between the two surfaces."""

    breaking: bool
    kind: str
    """A stable identifier of the kind of change (``tool-removed``, ``type-narrowed``...)."""
    name: str
    """The element changed (``tool list-executions argument limit``)."""
    message: str
    location: str
    """``file:line:col`` in the new spec where the element exists there, else in the old."""

    def to_json(self) -> dict[str, str]:
        """The JSON form of ``diff --format json``."""
        return {
            "kind": self.kind,
            "name": self.name,
            "message": self.message,
            "location": self.location,
        }
