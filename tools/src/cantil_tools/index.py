"""Index a channel folder into repodata.json and the other files clients read: see docs/tools.md."""

from __future__ import annotations

from cantil_tools._index import index_channel
from cantil_tools._jlap import repodata_hash
from cantil_tools._jlap import verify as verify_jlap
from cantil_tools._shards import read_shards

__all__ = ["index_channel", "read_shards", "repodata_hash", "verify_jlap"]
