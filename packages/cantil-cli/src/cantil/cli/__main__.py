"""The `cantil` console script and `python -m cantil.cli`.

Activation commands (`shell.*`, `activate`, `deactivate`, `init`) are dispatched before anything heavy is imported:
they run at every shell activation and must start as fast as a bare Python.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing's: importing typing costs the shell commands a few ms
if TYPE_CHECKING:
    from collections.abc import Sequence

SHELL_COMMANDS = frozenset({"activate", "deactivate", "init"})


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and (args[0].startswith("shell.") or args[0] in SHELL_COMMANDS):
        from cantil.cli._shell import main as shell_main

        return shell_main(args)
    from cantil.cli._main import main as full_main

    return full_main(args)


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
