"""cantil.repodata: fetch, cache and query conda repodata (CEP 16 shards, JLAP, .zst), and download package files.

    Index(channels, subdirs, settings)      a cantil.specs.RecordSource over every channel subdir
    Downloader(settings)                    downloader(url, dest, size=, sha256=, md5=) for package files
    RepodataSettings                        explicit configuration (cache_dir, ttl, offline, threads, TLS, proxies)
    Reporter                                progress hooks that do nothing by default

Errors: see cantil.repodata.errors (RepodataError and its tree).
"""

# Names are imported on first use (PEP 562), so that importing the package costs almost nothing: the CLI
# pays only for the modules a command reaches.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.repodata._cache import cache_fn_url
    from cantil.repodata._download import Downloader
    from cantil.repodata._index import Index
    from cantil.repodata._reporter import Reporter
    from cantil.repodata._settings import RepodataSettings
    from cantil.repodata.errors import (
        CacheNotWritable,
        ChannelNotFound,
        ChecksumMismatch,
        HTTPError,
        OfflineError,
        RepodataCorrupt,
        RepodataError,
        UnavailableInvalidChannel,
    )
del TYPE_CHECKING

__all__ = [
    "CacheNotWritable",
    "ChannelNotFound",
    "ChecksumMismatch",
    "Downloader",
    "HTTPError",
    "Index",
    "OfflineError",
    "RepodataCorrupt",
    "RepodataError",
    "RepodataSettings",
    "Reporter",
    "UnavailableInvalidChannel",
    "cache_fn_url",
]

_WHERE = {
    "CacheNotWritable": "cantil.repodata.errors",
    "ChannelNotFound": "cantil.repodata.errors",
    "ChecksumMismatch": "cantil.repodata.errors",
    "Downloader": "cantil.repodata._download",
    "HTTPError": "cantil.repodata.errors",
    "Index": "cantil.repodata._index",
    "OfflineError": "cantil.repodata.errors",
    "RepodataCorrupt": "cantil.repodata.errors",
    "RepodataError": "cantil.repodata.errors",
    "RepodataSettings": "cantil.repodata._settings",
    "Reporter": "cantil.repodata._reporter",
    "UnavailableInvalidChannel": "cantil.repodata.errors",
    "cache_fn_url": "cantil.repodata._cache",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cantil.repodata' has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
