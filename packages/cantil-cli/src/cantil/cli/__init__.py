"""cantil.cli: the `cantil` command line (see docs/contracts.md, docs/commands.md).

`main(argv)` runs one command and returns its exit code. Importing this package stays cheap: the activation
commands go through it at every shell activation.
"""

from cantil.cli.__main__ import main

__all__ = ["main"]
