"""Regular expressions compiled on first use, so that ``import cantil.specs`` does not load ``re``.

``X = lazy_regex(globals(), "X", pattern, "search")`` binds a stub that compiles the pattern on its first call and
then replaces the module global with the compiled method: later calls cost nothing extra.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["lazy_regex"]


def lazy_regex(namespace: dict[str, Any], name: str, pattern: str, method: str) -> Callable[..., Any]:
    compiled: Callable[..., Any] | None = None

    def first_use(*args: Any) -> Any:
        nonlocal compiled
        if compiled is None:
            import re

            compiled = getattr(re.compile(pattern), method)
            namespace[name] = compiled
        return compiled(*args)

    return first_use
