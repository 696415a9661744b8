"""Local channels: `load_channel(dir) -> RecordSource`, and `python -m cantil_tools.channel build DESCRIPTION OUTDIR`."""

from __future__ import annotations

from cantil_tools._channel import LocalChannels, load_channel

__all__ = ["LocalChannels", "load_channel"]

if __name__ == "__main__":
    import sys

    from cantil_tools._cli import main

    sys.exit(main())
