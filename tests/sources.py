"""Reading the project's own source files for tests of house rules, without ``ast``.

CPython 3.11.7 (these machines) sometimes raises "SystemError: AST constructor
recursion depth mismatch" from ``ast.parse`` of a large file late in a long test
session (fixed upstream in 3.11.8), so these helpers use ``tokenize`` instead.
"""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

IMPORT = re.compile(r"^\s*import\s+([\w.]+(?:\s*,\s*[\w.]+)*)")
FROM = re.compile(r"^\s*from\s+(\w[\w.]*)\s+import\b")
SKIP = {tokenize.ENCODING, tokenize.NL, tokenize.NEWLINE, tokenize.COMMENT}


def imported_modules(path: Path) -> set[str]:
    """Return the top-level names of every module a file imports (absolute imports)."""
    names: set[str] = set()
    for line in _code_lines(path):
        if match := IMPORT.match(line):
            names.update(n.strip().split(".")[0] for n in match.group(1).split(","))
        elif match := FROM.match(line):
            names.add(match.group(1).split(".")[0])
    return names


def has_docstring(path: Path) -> bool:
    """Tell whether a module starts with a docstring."""
    with path.open("rb") as source:
        for token in tokenize.tokenize(source.readline):
            if token.type not in SKIP:
                return token.type == tokenize.STRING
    return False


def _code_lines(path: Path) -> list[str]:
    """Return the file's lines with strings and comments blanked (so docs don't count)."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
        if token.type in (tokenize.STRING, tokenize.COMMENT):
            (row, col), (end_row, end_col) = token.start, token.end
            for r in range(row, end_row + 1):
                start = col if r == row else 0
                stop = end_col if r == end_row else len(lines[r - 1])
                line = lines[r - 1]
                lines[r - 1] = line[:start] + " " * (stop - start) + line[stop:]
    return lines
