"""Errors raised by cantil.link; every one carries the data a caller needs to word its own message.

    LinkError
    ├── CacheError
    │   ├── ChecksumMismatch         a download or cached archive whose size/sha256/md5 disagrees with the record
    │   ├── UnsafeArchive            a member escaping the target (absolute, `..`, links pointing out, empty link)
    │   ├── CorruptPackage           an archive that cannot be read, or lacks info/ metadata
    │   └── DownloadError            the download callable failed
    ├── VerificationError            conda's safety_checks found a problem (size, sha256, softlink target)
    ├── ClobberError                 two packages (or a package and an unmanaged file) want one path
    ├── PrefixTooLong                a binary prefix placeholder shorter than the target prefix
    ├── NotWritable                  the prefix (or a directory in it) cannot be written
    ├── InsufficientSpace            not enough free disk space for the files to copy
    ├── PrefixLocked                 another process holds conda-meta/.cantil.lock
    ├── ScriptError                  a pre-link or post-link script exited non-zero
    ├── TransactionFailed            execution failed and was rolled back; `.cause` is the first error
    └── JournalError                 a journal that cannot be read or acted on
"""

from __future__ import annotations

from pathlib import Path


class LinkError(Exception):
    """Root of every cantil.link error. `hint` is an optional second line for the user."""

    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if hint is not None:
            self.hint = hint

    def __str__(self) -> str:
        return self.message


class CacheError(LinkError):
    pass


class ChecksumMismatch(CacheError):
    def __init__(self, what: str, kind: str, expected: str, actual: str) -> None:
        self.what, self.kind, self.expected, self.actual = what, kind, expected, actual
        super().__init__(f"{kind} mismatch for {what}: expected {expected}, got {actual}")


class UnsafeArchive(CacheError):
    def __init__(self, package: str, member: str, reason: str) -> None:
        self.package, self.member, self.reason = package, member, reason
        super().__init__(f"refusing to extract {package}: member {member!r} {reason}")


class CorruptPackage(CacheError):
    def __init__(self, package: str, reason: str) -> None:
        self.package, self.reason = package, reason
        super().__init__(f"corrupt package {package}: {reason}")


class DownloadError(CacheError):
    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"download of {url} failed: {reason}")


class VerificationError(LinkError):
    def __init__(self, package: str, path: str, reason: str) -> None:
        self.package, self.path, self.reason = package, path, reason
        super().__init__(f"package {package} in the cache appears corrupted: {path!r} {reason}")


class ClobberError(LinkError):
    def __init__(self, path: str, incoming: str, existing: str | None) -> None:
        self.path, self.incoming, self.existing = path, incoming, existing
        owner = f"package {existing}" if existing else "a file not owned by any package"
        super().__init__(f"{incoming} would overwrite {path!r}, which belongs to {owner}",
                         hint="set path_conflict to 'warn' or 'clobber' to allow it")


class PrefixTooLong(LinkError):
    def __init__(self, package: str, path: str, placeholder: str, prefix: str) -> None:
        self.package, self.path, self.placeholder, self.prefix = package, path, placeholder, prefix
        super().__init__(
            f"the prefix {prefix!r} ({len(prefix)} characters) is longer than the binary placeholder of "
            f"{package} in {path!r} ({len(placeholder)} characters)",
            hint="choose a shorter environment path",
        )


class NotWritable(LinkError):
    def __init__(self, path: Path | str, reason: str = "permission denied") -> None:
        self.path = Path(path)
        super().__init__(f"cannot write to {self.path}: {reason}")


class InsufficientSpace(LinkError):
    def __init__(self, path: Path | str, needed: int, free: int) -> None:
        self.path, self.needed, self.free = Path(path), needed, free
        super().__init__(f"not enough disk space in {self.path}: {needed} bytes needed, {free} free")


class PrefixLocked(LinkError):
    def __init__(self, prefix: Path | str, pid: int | None, waited: float) -> None:
        self.prefix, self.pid, self.waited = Path(prefix), pid, waited
        who = f"process {pid}" if pid else "another process"
        super().__init__(f"prefix {self.prefix} is locked by {who} (waited {waited:g} s)",
                         hint="wait for the other command to finish, then try again")


class ScriptError(LinkError):
    def __init__(self, package: str, action: str, script: Path | str, returncode: int, output: str = "") -> None:
        self.package, self.action, self.script, self.returncode, self.output = (
            package, action, Path(script), returncode, output)
        super().__init__(f"{action} script failed for package {package} (exit code {returncode}): {script}")


class TransactionFailed(LinkError):
    def __init__(self, cause: BaseException, rollback_errors: list[BaseException] | None = None) -> None:
        self.cause = cause
        self.rollback_errors = rollback_errors or []
        extra = f"; rollback had {len(self.rollback_errors)} error(s)" if self.rollback_errors else ""
        super().__init__(f"{cause} (the transaction was rolled back{extra})",
                         hint=getattr(cause, "hint", None))


class JournalError(LinkError):
    def __init__(self, path: Path | str, reason: str) -> None:
        self.path, self.reason = Path(path), reason
        super().__init__(f"unusable transaction journal {self.path}: {reason}")
