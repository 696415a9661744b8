"""cantil.repodata: fetch, cache and query conda repodata (CEP 16 shards, JLAP, .zst), and download package files.

    Index(channels, subdirs, settings)      a cantil.specs.RecordSource over every channel subdir
    Downloader(settings)                    downloader(url, dest, size=, sha256=, md5=) for package files
    RepodataSettings                        explicit configuration (cache_dir, ttl, offline, threads, TLS, proxies)
    Reporter                                progress hooks that do nothing by default

Errors: see cantil.repodata.errors (RepodataError and its tree).
"""

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
