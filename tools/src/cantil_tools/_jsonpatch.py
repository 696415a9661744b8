"""A small RFC 6902 JSON Patch generator and applier (enough for repodata documents).

`diff(old, new)` returns operations that turn `old` into `new`: objects are compared key by key (remove, add,
recurse or replace); arrays and scalars that differ are replaced whole. Keys are escaped as RFC 6901 pointers
(`~` -> `~0`, `/` -> `~1`): package filenames never hold them, but keys in `info` could.
"""

from __future__ import annotations

import copy
from typing import Any

__all__ = ["apply", "diff"]


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def diff(old: Any, new: Any, path: str = "") -> list[dict[str, Any]]:
    if isinstance(old, dict) and isinstance(new, dict):
        ops: list[dict[str, Any]] = []
        for key in sorted(old):
            if key not in new:
                ops.append({"op": "remove", "path": f"{path}/{_escape(key)}"})
        for key in sorted(new):
            sub = f"{path}/{_escape(key)}"
            if key not in old:
                ops.append({"op": "add", "path": sub, "value": new[key]})
            elif old[key] != new[key] or type(old[key]) is not type(new[key]):
                ops.extend(diff(old[key], new[key], sub))
        return ops
    if old == new and type(old) is type(new):
        return []
    return [{"op": "replace", "path": path, "value": new}]


def apply(doc: Any, ops: list[dict[str, Any]]) -> Any:
    """Apply add/remove/replace operations (the ones `diff` writes) to a copy of `doc`."""
    doc = copy.deepcopy(doc)
    for op in ops:
        tokens = [_unescape(t) for t in op["path"].split("/")[1:]]
        if not tokens:
            doc = copy.deepcopy(op["value"])
            continue
        parent = doc
        for token in tokens[:-1]:
            parent = parent[int(token)] if isinstance(parent, list) else parent[token]
        last = tokens[-1]
        if op["op"] == "remove":
            del parent[int(last) if isinstance(parent, list) else last]
        elif op["op"] in ("add", "replace"):
            if isinstance(parent, list):
                if last == "-":
                    parent.append(copy.deepcopy(op["value"]))
                elif op["op"] == "add":
                    parent.insert(int(last), copy.deepcopy(op["value"]))
                else:
                    parent[int(last)] = copy.deepcopy(op["value"])
            else:
                if op["op"] == "replace" and last not in parent:
                    raise KeyError(op["path"])
                parent[last] = copy.deepcopy(op["value"])
        else:
            raise ValueError(f"unsupported JSON patch operation {op['op']!r}")
    return doc
