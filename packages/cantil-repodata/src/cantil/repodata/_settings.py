"""RepodataSettings: everything the fetcher and the downloader need, passed explicitly (never read from the env).

`local_repodata_ttl` follows conda: `1` or `True` honours the server's `Cache-Control: max-age`; `0` or `False`
revalidates on every use; any other `N` keeps a cached file fresh for `N` seconds.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["RepodataSettings"]


@dataclass(frozen=True)
class RepodataSettings:
    """Explicit configuration of cantil-repodata; the CLI builds it from its settings cascade."""

    cache_dir: Path
    local_repodata_ttl: int | bool = 1
    offline: bool = False
    repodata_threads: int | None = None
    repodata_fn: str = "repodata.json"
    use_only_tar_bz2: bool = False
    ssl_verify: bool | str = True
    proxy_servers: Mapping[str, str] = field(default_factory=dict)
    remote_max_retries: int = 3
    remote_backoff_factor: float = 0.2
    timeout: float = 30.0
    use_netrc: bool = True
    user_agent: str = "cantil"
    shards: bool = True
    jlap: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache_dir", Path(self.cache_dir))

    def max_age(self, cache_control: str) -> int:
        """Seconds a cached file stays fresh given the server's Cache-Control value (conda's rule)."""
        ttl = int(self.local_repodata_ttl)
        if ttl > 1:
            return ttl
        if ttl == 1:
            return max_age_of(cache_control)
        return 0


def max_age_of(cache_control: str | None) -> int:
    """`max-age=N` from a Cache-Control value, else 0."""
    for part in (cache_control or "").split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "max-age":
            try:
                return max(0, int(value.strip().strip('"')))
            except ValueError:
                return 0
    return 0
