"""The public API: __all__ is honest, errors carry data and read as one line."""

from __future__ import annotations

from cantil import link
from cantil.link import ClobberError, LinkError, PrefixLocked, UnsafeArchive


def test_all_lists_exactly_the_public_names():
    public = {n for n in dir(link) if not n.startswith("_")} - {"errors"}
    assert set(link.__all__) == public
    for name in link.__all__:
        assert getattr(link, name).__module__.startswith("cantil.link")


def test_errors_are_one_line_with_hints():
    errs = [UnsafeArchive("x.conda", "../a", "contains a '..' component"),
            ClobberError("bin/f", "a-1-0", "b"), PrefixLocked("/p", 42, 1.5)]
    for e in errs:
        assert isinstance(e, LinkError) and "\n" not in str(e)
    assert errs[1].hint and "path_conflict" in errs[1].hint
    assert "process 42" in str(errs[2])
