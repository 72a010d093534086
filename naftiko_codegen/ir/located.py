"""A read-only attribute of an IR class: the items of one of its tuple fields that sit at
one location (``path``, ``query``, ``header``, ``cookie``, ``body``)."""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar, overload


class _Placed(Protocol):
    @property
    def location(self) -> str: ...


T = TypeVar("T", bound=_Placed)


class Located(Generic[T]):
    """``Located[X]("params", "path")``: the items of the field ``params`` (a tuple of
    ``X``, each with a ``location``) whose ``location`` is ``path``, in order."""

    def __init__(self, field: str, location: str) -> None:
        self.field = field
        self.location = location

    @overload
    def __get__(self, owner: None, kind: type[Any]) -> Located[T]: ...

    @overload
    def __get__(self, owner: object, kind: type[Any] | None = None) -> tuple[T, ...]: ...

    def __get__(
        self, owner: object | None, kind: type[Any] | None = None
    ) -> Located[T] | tuple[T, ...]:
        if owner is None:
            return self
        items: tuple[T, ...] = getattr(owner, self.field)
        return tuple(item for item in items if item.location == self.location)
