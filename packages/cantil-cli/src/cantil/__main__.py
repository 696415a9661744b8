"""`python -m cantil`: the same as the `cantil` command."""

from cantil.cli.__main__ import entry

entry()
