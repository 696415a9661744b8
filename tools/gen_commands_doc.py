"""Write docs/commands.md from cantil's argparse parsers (run after changing a command's options).

Usage: python tools/gen_commands_doc.py [--check]   (--check: exit 1 when the file is out of date)
"""

from __future__ import annotations

import sys
from pathlib import Path

DOC = Path(__file__).resolve().parents[1] / "docs" / "commands.md"


def main(argv: list[str]) -> int:
    from cantil.cli._reference import render

    text = render()
    if "--check" in argv:
        current = DOC.read_text() if DOC.exists() else ""
        if current != text:
            print(f"{DOC} is out of date: run python tools/gen_commands_doc.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text)
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
