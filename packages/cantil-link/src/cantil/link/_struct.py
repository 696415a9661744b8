"""Struct: the base of the small record classes (what @dataclass would generate: repr and equality over the slots,
unhashable), written by hand because importing dataclasses costs ~8 ms (inspect, ast, dis) at every start."""

from __future__ import annotations


class Struct:  # noqa: PLW1641  (unhashable on purpose, as a dataclass with eq=True)
    __slots__: tuple[str, ...] = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, f) for f in self.__slots__)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{f}={getattr(self, f)!r}' for f in self.__slots__)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self._values() == other._values()

