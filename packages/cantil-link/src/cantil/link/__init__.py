"""cantil.link: the package cache, verified extraction, and transactions that never leave a broken environment.

See docs/link.md and docs/contracts.md.
"""

from ._archive import extract_package
from ._cache import PackageCache
from ._fs import PrefixLock
from ._history import History, register_environment, unregister_environment
from ._prefix import PrefixData, Problem
from ._recover import recover
from ._settings import LinkSettings, Reporter
from ._transaction import Transaction
from .errors import (
    CacheError,
    ChecksumMismatch,
    ClobberError,
    CorruptPackage,
    DownloadError,
    InsufficientSpace,
    JournalError,
    LinkError,
    NotWritable,
    PrefixLocked,
    PrefixTooLong,
    ScriptError,
    TransactionFailed,
    UnsafeArchive,
    VerificationError,
)

__all__ = [
    "CacheError",
    "ChecksumMismatch",
    "ClobberError",
    "CorruptPackage",
    "DownloadError",
    "History",
    "InsufficientSpace",
    "JournalError",
    "LinkError",
    "LinkSettings",
    "NotWritable",
    "PackageCache",
    "PrefixData",
    "PrefixLock",
    "PrefixLocked",
    "PrefixTooLong",
    "Problem",
    "Reporter",
    "ScriptError",
    "Transaction",
    "TransactionFailed",
    "UnsafeArchive",
    "VerificationError",
    "extract_package",
    "recover",
    "register_environment",
    "unregister_environment",
]
