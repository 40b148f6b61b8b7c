"""Reading the project's own source files as syntax trees, for tests of house rules.

CPython 3.11.7 (these machines) can raise "SystemError: AST constructor recursion
depth mismatch" from ``ast.parse`` once an earlier test in the same thread has left
its recursion counter off (fixed in 3.11.8). Parsing in a fresh thread sidesteps it.
"""

from __future__ import annotations

import ast
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path


def parse(path: Path) -> ast.Module:
    """Return the syntax tree of a Python file, parsed in a thread of its own."""
    source = path.read_text(encoding="utf-8")
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(ast.parse, source).result()
