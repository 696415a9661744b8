"""The cantil-cli version (hatch reads it from here; `cantil --version` prints it without importlib.metadata)."""

__version__ = "0.1.0"
