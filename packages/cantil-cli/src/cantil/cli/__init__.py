"""cantil.cli: the `cantil` command line (see docs/contracts.md, docs/commands.md).

`main(argv)` runs one command and returns its exit code. Importing this package costs nothing: the activation path
and `load_settings` users go through it, so `main` is resolved on first use.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.cli.__main__ import main

__all__ = ["main"]


def __getattr__(name: str) -> object:
    if name == "main":
        from cantil.cli.__main__ import main

        return main
    raise AttributeError(f"module 'cantil.cli' has no attribute {name!r}")
