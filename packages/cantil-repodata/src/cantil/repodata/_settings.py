"""RepodataSettings: everything the fetcher and the downloader need, passed explicitly (never read from the env).

`local_repodata_ttl` follows conda: `1` or `True` honours the server's `Cache-Control: max-age`; `0` or `False`
revalidates on every use; any other `N` keeps a cached file fresh for `N` seconds.
"""

from __future__ import annotations

from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["RepodataSettings"]

_FIELDS = ("cache_dir", "local_repodata_ttl", "offline", "repodata_threads", "repodata_fn", "use_only_tar_bz2",
           "ssl_verify", "proxy_servers", "remote_max_retries", "remote_backoff_factor", "timeout", "use_netrc",
           "user_agent", "shards", "jlap")


class RepodataSettings:
    """Explicit configuration of cantil-repodata; the CLI builds it from its settings cascade.

    An immutable value (equal when every field is equal). A plain class rather than a dataclass: `dataclasses`
    imports `inspect`, which costs a command-line start-up more than all of cantil-repodata.
    """

    __slots__ = _FIELDS

    cache_dir: Path
    local_repodata_ttl: int | bool
    offline: bool
    repodata_threads: int | None
    repodata_fn: str
    use_only_tar_bz2: bool
    ssl_verify: bool | str
    proxy_servers: Mapping[str, str]
    remote_max_retries: int
    remote_backoff_factor: float
    timeout: float
    use_netrc: bool
    user_agent: str
    shards: bool
    jlap: bool

    def __init__(
        self,
        cache_dir: Path | str,
        *,
        local_repodata_ttl: int | bool = 1,
        offline: bool = False,
        repodata_threads: int | None = None,
        repodata_fn: str = "repodata.json",
        use_only_tar_bz2: bool = False,
        ssl_verify: bool | str = True,
        proxy_servers: Mapping[str, str] | None = None,
        remote_max_retries: int = 3,
        remote_backoff_factor: float = 0.2,
        timeout: float = 30.0,
        use_netrc: bool = True,
        user_agent: str = "cantil",
        shards: bool = True,
        jlap: bool = True,
    ) -> None:
        values = (Path(cache_dir), local_repodata_ttl, offline, repodata_threads, repodata_fn, use_only_tar_bz2,
                  ssl_verify, dict(proxy_servers or {}), remote_max_retries, remote_backoff_factor, timeout, use_netrc,
                  user_agent, shards, jlap)
        for name, value in zip(_FIELDS, values, strict=True):
            object.__setattr__(self, name, value)

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"RepodataSettings is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"RepodataSettings is immutable: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, RepodataSettings)
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash(tuple(tuple(sorted(v.items())) if isinstance(v, dict) else v for v in self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={getattr(self, name)!r}" for name in _FIELDS)
        return f"RepodataSettings({inner})"

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
