"""The bundle importer as it was before it streamed (commit 0aa0439: read and validate the whole
bundle in memory, then write it), loaded from git as a bench-only package, so bench/registry.py can
time it beside this tree's streaming importer in the same run, on the same data and database server.

The old modules import each other as `tiewatch.registry.importers.*`; those imports are pointed at
the loaded package instead, and everything else (models, audit snapshots, the core input layer) is
this tree's, so only the importer itself differs. The schema of the tables it writes is unchanged
since that commit (later migrations added other tables).
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
BEFORE_STREAMING = "0aa0439"
MODULES = ("__init__", "readers", "validate", "writer")
PACKAGE = "baseline_importers"


def load(ref: str = BEFORE_STREAMING) -> ModuleType:
    """The old `tiewatch.registry.importers` package (call after django.setup())."""
    folder = Path(tempfile.mkdtemp(prefix="tiewatch-baseline-importer-")) / PACKAGE
    folder.mkdir()
    for name in MODULES:
        source = subprocess.run(["git", "-C", str(REPO), "show", f"{ref}:tiewatch/registry/importers/{name}.py"],
                                check=True, capture_output=True, text=True).stdout
        source = source.replace("tiewatch.registry.importers.", f"{PACKAGE}.")
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder.parent))
    return importlib.import_module(PACKAGE)
