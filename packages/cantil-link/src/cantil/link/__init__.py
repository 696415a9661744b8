"""cantil.link: the package cache, verified extraction, and transactions that never leave a broken environment.

See docs/link.md and docs/contracts.md.
"""

# Names are imported on first use (PEP 562), so that importing the package costs almost nothing: the CLI
# pays only for the modules a command reaches.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from cantil.link._archive import extract_package
    from cantil.link._cache import PackageCache
    from cantil.link._fs import PrefixLock
    from cantil.link._history import History, register_environment, unregister_environment
    from cantil.link._prefix import PrefixData, Problem
    from cantil.link._recover import recover
    from cantil.link._settings import LinkSettings, Reporter
    from cantil.link._transaction import Transaction
    from cantil.link.errors import (
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
del TYPE_CHECKING

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

_WHERE = {
    "CacheError": "cantil.link.errors",
    "ChecksumMismatch": "cantil.link.errors",
    "ClobberError": "cantil.link.errors",
    "CorruptPackage": "cantil.link.errors",
    "DownloadError": "cantil.link.errors",
    "History": "cantil.link._history",
    "InsufficientSpace": "cantil.link.errors",
    "JournalError": "cantil.link.errors",
    "LinkError": "cantil.link.errors",
    "LinkSettings": "cantil.link._settings",
    "NotWritable": "cantil.link.errors",
    "PackageCache": "cantil.link._cache",
    "PrefixData": "cantil.link._prefix",
    "PrefixLock": "cantil.link._fs",
    "PrefixLocked": "cantil.link.errors",
    "PrefixTooLong": "cantil.link.errors",
    "Problem": "cantil.link._prefix",
    "Reporter": "cantil.link._settings",
    "ScriptError": "cantil.link.errors",
    "Transaction": "cantil.link._transaction",
    "TransactionFailed": "cantil.link.errors",
    "UnsafeArchive": "cantil.link.errors",
    "VerificationError": "cantil.link.errors",
    "extract_package": "cantil.link._archive",
    "recover": "cantil.link._recover",
    "register_environment": "cantil.link._history",
    "unregister_environment": "cantil.link._history",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cantil.link' has no attribute {name!r}")
    value = getattr(__import__(module, fromlist=[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
