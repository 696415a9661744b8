"""`python -m cantil_tools.channel build DESCRIPTION OUTDIR` and `... serve DIR`.

DESCRIPTION is a JSON or YAML file holding one package description, a list of them, or `{"packages": [...]}`;
the word `sample` names the bundled sample ecosystem. Errors print one `error:` line and exit 1.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cantil_tools.errors import ToolsError

__all__ = ["load_descriptions", "main"]


def load_descriptions(source: str | Path) -> list[dict[str, Any]]:
    """Package descriptions from a JSON/YAML file (or `sample`)."""
    if str(source) == "sample":
        from cantil_tools.sample import sample_channel_description

        return sample_channel_description()
    return _read_descriptions(Path(source))


def _read_descriptions(path: Path) -> list[dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise ToolsError(f"cannot read {path}: {err.strerror}") from err
    data: Any
    if path.suffix in (".yaml", ".yml"):
        try:
            from ruamel.yaml import YAML
        except ImportError as err:
            raise ToolsError(f"{path}: reading YAML needs ruamel.yaml (or give a .json file)") from err
        data = YAML(typ="safe").load(text)
    else:
        try:
            data = json.loads(text)
        except ValueError as err:
            raise ToolsError(f"{path}: invalid JSON: {err}") from err
    if isinstance(data, dict) and "packages" in data:
        data = data["packages"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ToolsError(f"{path}: expected a description, a list of them, or {{'packages': [...]}}")
    return [dict(d) for d in data]


def build_channel(descriptions: Sequence[Any], outdir: Path, *, formats: Sequence[str] = ("conda", "tar.bz2"),
                  **index_options: Any) -> Path:
    """Build every description into `outdir` and index it; return `outdir`."""
    from cantil_tools.build import build_package
    from cantil_tools.index import index_channel

    for desc in descriptions:
        build_package(desc, outdir, formats=formats)
    index_channel(outdir, **index_options)
    return outdir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cantil_tools.channel", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build packages from a description file and index the channel")
    b.add_argument("description", help="JSON/YAML description file, or 'sample'")
    b.add_argument("outdir", type=Path)
    b.add_argument("--formats", default="conda,tar.bz2", help="comma-separated: conda,tar.bz2")
    for fmt in ("shards", "jlap", "zst", "bz2", "current", "channeldata"):
        b.add_argument(f"--no-{fmt}", action="store_true", help=f"do not write {fmt}")
    b.add_argument("--base-url", default=None, help="write info.base_url (CEP 15)")
    s = sub.add_parser("serve", help="serve a channel folder on 127.0.0.1 until interrupted")
    s.add_argument("directory", type=Path)
    s.add_argument("--token", default=None)
    i = sub.add_parser("index", help="(re-)index a channel folder")
    i.add_argument("directory", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            options = {fmt: not getattr(args, f"no_{fmt}") for fmt in ("shards", "jlap", "zst", "bz2", "current",
                                                                         "channeldata")}
            build_channel(load_descriptions(args.description), args.outdir,
                          formats=[f for f in args.formats.split(",") if f], base_url=args.base_url, **options)
            print(f"built and indexed {args.outdir}")
        elif args.command == "index":
            from cantil_tools.index import index_channel

            index_channel(args.directory)
        else:
            from cantil_tools.server import ChannelServer

            with ChannelServer(args.directory, token=args.token) as server:
                print(f"serving {args.directory} at {server.url} (Ctrl-C to stop)", flush=True)
                try:
                    server._thread.join()
                except KeyboardInterrupt:
                    return 130
    except ToolsError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0
