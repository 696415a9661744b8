"""RFC 6902 JSON Patch (add, remove, replace, move, copy, test) over RFC 6901 JSON Pointers, applied in place.

Traps: `~1` decodes to `/` and `~0` to `~`, in that order; `-` as the last array token means "append" (add only);
array indices have no leading zeros; `add` on an object member replaces it, on an array inserts before the index;
`move` may not move a value into one of its own children; `test` compares with JSON equality (1 == 1.0 but
True != 1). Any failure raises PatchError and the caller must treat the document as garbage (patch a copy, or re-read).
"""

from __future__ import annotations

from collections.abc import Sequence

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["PatchError", "apply_patch"]


class PatchError(ValueError):
    """A patch operation that cannot be applied: the message names the op and the pointer."""


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PatchError(f"invalid JSON pointer {pointer!r}: must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(token: str, size: int, *, allow_end: bool, pointer: str) -> int:
    if token == "-" and allow_end:
        return size
    if not token.isdigit() or (len(token) > 1 and token[0] == "0"):
        raise PatchError(f"invalid array index {token!r} in {pointer!r}")
    idx = int(token)
    if idx > size or (idx == size and not allow_end):
        raise PatchError(f"array index {idx} out of range in {pointer!r}")
    return idx


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PatchError("the whole document cannot be the target here")
    return _walk(doc, tokens[:-1], pointer), tokens[-1]


def _get(doc: Any, pointer: str) -> Any:
    return _walk(doc, _tokens(pointer), pointer)


def _walk(node: Any, tokens: list[str], pointer: str) -> Any:
    """Follow `tokens` from `node`; every step must exist (the pointer is named in errors)."""
    for token in tokens:
        if isinstance(node, dict):
            if token not in node:
                raise PatchError(f"path {pointer!r} does not exist")
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(token, len(node), allow_end=False, pointer=pointer)]
        else:
            raise PatchError(f"path {pointer!r} goes through a scalar")
    return node


def _add(doc: Any, pointer: str, value: Any) -> Any:
    if pointer == "":
        return value
    parent, last = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(last, len(parent), allow_end=True, pointer=pointer), value)
    else:
        raise PatchError(f"cannot add at {pointer!r}: parent is a scalar")
    return doc


def _remove(doc: Any, pointer: str) -> tuple[Any, Any]:
    parent, last = _parent(doc, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise PatchError(f"cannot remove {pointer!r}: it does not exist")
        return doc, parent.pop(last)
    if isinstance(parent, list):
        return doc, parent.pop(_index(last, len(parent), allow_end=False, pointer=pointer))
    raise PatchError(f"cannot remove {pointer!r}: parent is a scalar")


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


def apply_patch(doc: Any, operations: Sequence[Any]) -> Any:
    """Apply `operations` to `doc` IN PLACE and return the (possibly new root) document."""
    if not isinstance(operations, list):
        raise PatchError("a JSON patch must be a list of operations")
    for op in operations:
        if not isinstance(op, dict) or not isinstance(op.get("op"), str) or not isinstance(op.get("path"), str):
            raise PatchError(f"malformed operation {op!r}")
        kind, path = op["op"], op["path"]
        if kind in ("add", "replace", "test") and "value" not in op:
            raise PatchError(f"{kind} at {path!r} has no value")
        if kind == "add":
            doc = _add(doc, path, op["value"])
        elif kind == "remove":
            doc, _ = _remove(doc, path)
        elif kind == "replace":
            if path == "":
                doc = op["value"]
            else:
                _get(doc, path)
                doc, _ = _remove(doc, path)
                doc = _add(doc, path, op["value"])
        elif kind in ("move", "copy"):
            src = op.get("from")
            if not isinstance(src, str):
                raise PatchError(f"{kind} to {path!r} has no 'from'")
            if kind == "move":
                if src == path:
                    continue
                if path.startswith(src + "/"):
                    raise PatchError(f"cannot move {src!r} into its own child {path!r}")
                doc, value = _remove(doc, src)
            else:
                import copy
                value = copy.deepcopy(_get(doc, src))
            doc = _add(doc, path, value)
        elif kind == "test":
            if not _equal(_get(doc, path), op["value"]):
                raise PatchError(f"test failed at {path!r}")
        else:
            raise PatchError(f"unknown operation {kind!r}")
    return doc
