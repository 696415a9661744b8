"""Build real conda packages (.conda and .tar.bz2) from a description: see docs/tools.md."""

from __future__ import annotations

from cantil_tools._build import FORMATS, build_package
from cantil_tools._describe import CLASSIC_PLACEHOLDER, PLACEHOLDER, PREFIX_TOKEN, PackageDescription

__all__ = ["CLASSIC_PLACEHOLDER", "FORMATS", "PLACEHOLDER", "PREFIX_TOKEN", "PackageDescription", "build_package"]
