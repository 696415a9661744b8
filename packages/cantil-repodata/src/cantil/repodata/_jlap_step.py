"""The JLAP step of a subdir refresh (SubdirFetcher calls `try_jlap(fetcher, state)`): fetch new patch lines, patch the cached JSON.

`_jlap_fetch` asks for `Range: bytes=<pos>-` when the state knows the position of the footer (else the whole file),
verifies the checksum chain from the saved `iv`, and falls back to the whole file on a 416, a 200, or a broken
chain; a 4xx marks `has_jlap` false. `_try_jlap` applies the patches from our `blake2_256_nominal` to the footer's
`latest`, after checking that the file on disk is the one the state describes (`blake2_256`), writes the result
compactly and records both hashes. Any problem returns None: the caller downloads the full file instead.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

from ._cache import RepodataState, atomic_write
from ._jlap import JlapError, JlapLog, apply_patches, blake2_256, find_patches, parse_jlap
from ._prepared import build_prepared, parse_repodata
from .errors import HTTPError, RepodataCorrupt

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._fetch import SubdirFetcher, SubdirSource

__all__ = ["try_jlap"]


def _jlap_fetch(fetcher: SubdirFetcher, state: RepodataState) -> JlapLog | None:
    url = f"{fetcher.url_c}/{fetcher.fn[: -len('.json')]}.jlap"
    saved_obj = state.get("jlap")
    saved: dict[str, Any] = saved_obj if isinstance(saved_obj, dict) else {}
    pos, iv = saved.get("pos"), saved.get("iv")
    if isinstance(pos, int) and pos > 0 and isinstance(iv, str):
        result = fetcher.t.get_bytes(url, {"Range": f"bytes={pos}-"})
        if result.status == 206:
            with contextlib.suppress(JlapError, ValueError):
                return parse_jlap(result.body, pos=pos, iv=bytes.fromhex(iv))
        elif result.status == 200:
            with contextlib.suppress(JlapError):
                return parse_jlap(result.body)
        elif result.status in (401, 403):
            raise fetcher._fail(url, result)
        elif 400 <= result.status < 500 and result.status != 416:
            state.set_has_format("jlap", False)
            return None
    result = fetcher.t.get_bytes(url)
    if result.status == 200:
        try:
            return parse_jlap(result.body)
        except JlapError:
            state.set_has_format("jlap", False)
            return None
    if result.status in (401, 403):
        raise fetcher._fail(url, result)
    if 400 <= result.status < 500:
        state.set_has_format("jlap", False)
    return None


def try_jlap(fetcher: SubdirFetcher, state: RepodataState) -> SubdirSource | None:
    try:
        log = _jlap_fetch(fetcher, state)
    except HTTPError as err:
        if err.status in (401, 403):
            raise
        return None
    if log is None:
        return None
    have = str(state["blake2_256_nominal"])
    try:
        want = log.latest
        state.set_has_format("jlap", True)
        state["jlap"] = {"iv": log.iv, "pos": log.pos, "footer": log.footer}
        if want == have:
            fetcher.entry.commit(state)
            return fetcher._from_json("not-modified")
        chain = find_patches(log.patches, have, want)
        raw = fetcher.entry.json_path.read_bytes()
        if blake2_256(raw) != state.get("blake2_256"):
            return None   # the file on disk is not the one the state describes
        data = apply_patches(parse_repodata(raw, str(fetcher.entry.json_path)), chain)
        if not isinstance(data, dict):
            return None
    except (JlapError, RepodataCorrupt, OSError):
        return None
    out = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode()
    temp: Path | None = fetcher.entry.temp_path()
    assert temp is not None
    try:
        atomic_write(temp, out)
        st = temp.stat()
        build_prepared(data, fetcher.entry.prepared_path, source_size=st.st_size, source_mtime_ns=st.st_mtime_ns,
                       use_only_tar_bz2=fetcher.s.use_only_tar_bz2)
        state["blake2_256_nominal"] = want
        state["blake2_256"] = blake2_256(out)
        state["etag"] = state["mod"] = ""   # they described the file before the patches
        fetcher.entry.commit(state, temp)
        temp = None
    finally:
        if temp is not None:
            with contextlib.suppress(OSError):
                temp.unlink()
    return fetcher._from_json("jlap", data)
