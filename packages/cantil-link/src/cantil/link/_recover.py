"""recover(prefix): finish or roll back a transaction that a crash (SIGKILL, power cut) interrupted.

Run by every Transaction before it reads the prefix, and by the CLI before any command touching a prefix. A committed
journal means every file was in place: the backups are deleted. An uncommitted one is rolled back (see _journal).
"""

from __future__ import annotations

from pathlib import Path

from ._fs import PrefixLock
from ._journal import Journal, rollback
from ._settings import Reporter
from .errors import TransactionFailed

COMPLETED = "completed"
ROLLED_BACK = "rolled back"


def recover(prefix: Path | str, *, reporter: Reporter | None = None, timeout: float = 60.0) -> str | None:
    """Take the prefix lock and recover an interrupted transaction; "completed", "rolled back" or None (nothing)."""
    prefix = Path(prefix)
    if not Journal(prefix).exists():
        return None
    with PrefixLock(prefix, timeout):
        return recover_locked(prefix, reporter or Reporter())


def recover_locked(prefix: Path, reporter: Reporter) -> str | None:
    journal = Journal(prefix)
    if not journal.exists():
        return None
    reporter.phase("recover")
    # an unreadable journal (written atomically, so only damaged by something else) raises JournalError: its
    # backups may hold the only copy of files, so nothing is deleted
    plan, committed = journal.read()
    if committed:
        journal.finish()
        reporter.warning(f"completed an interrupted transaction in {prefix}")
        return COMPLETED
    errors = rollback(journal, plan)
    if errors:
        raise TransactionFailed(errors[0], errors)
    journal.finish()
    reporter.warning(f"rolled back an interrupted transaction in {prefix}")
    return ROLLED_BACK
