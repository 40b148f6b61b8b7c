"""The small, safe branching language of survey files.

A condition is one expression over earlier answers, for example
``score <= 6``, ``7 <= score <= 8``, ``reason in ["price", "delay"]`` or
``not (recommend == "yes") and score > 3``. It is parsed with :mod:`ast` and
only a whitelist of nodes is accepted: names of earlier questions, literals,
comparisons, ``and``/``or``/``not``, lists for ``in``. Nothing is ever passed to
``eval``; calls, attributes, subscripts and arithmetic are refused on load.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Value = int | float | str | bool | None

_COMPARE: dict[type[ast.cmpop], Callable[[object, object], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,  # type: ignore[operator]
    ast.NotIn: lambda a, b: a not in b,  # type: ignore[operator]
}


class ConditionError(ValueError):
    """A condition that does not parse or uses something outside the language."""


@dataclass(frozen=True)
class Condition:
    """A parsed condition; :meth:`evaluate` it against the answers given so far."""

    source: str
    tree: ast.Expression
    names: frozenset[str]

    def evaluate(self, answers: Mapping[str, Value]) -> bool:
        """Return the condition's truth; an unanswered question makes comparisons false."""
        return bool(_eval(self.tree.body, answers))


def parse(source: str) -> Condition:
    """Parse ``source`` into a :class:`Condition` or raise :class:`ConditionError`."""
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as exc:
        raise ConditionError(f"cannot parse condition {source!r}: {exc.msg}") from exc
    names: set[str] = set()
    for node in ast.walk(tree):
        _check(node, source)
        if isinstance(node, ast.Name):
            names.add(node.id)
    return Condition(source, tree, frozenset(names))


_ALLOWED = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.Compare,
    ast.Name,
    ast.Load,
    ast.Constant,
    ast.List,
    ast.Tuple,
    *_COMPARE,
)


def _check(node: ast.AST, source: str) -> None:
    """Refuse any node outside the language."""
    if not isinstance(node, _ALLOWED):
        raise ConditionError(
            f"condition {source!r} uses {type(node).__name__}, which is not allowed "
            "(only comparisons, and/or/not, names of earlier questions and literals)"
        )
    negation = isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
    if negation and not isinstance(node.operand, ast.Constant):  # type: ignore[attr-defined]
        raise ConditionError(f"condition {source!r}: '-' only goes before a number")
    if isinstance(node, ast.Name) and node.id in {"True", "False", "None"}:
        return


def _eval(node: ast.AST, answers: Mapping[str, Value]) -> object:
    """Evaluate a checked node."""
    if isinstance(node, ast.BoolOp):
        values = (_eval(v, answers) for v in node.values)
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.UnaryOp):
        value = _eval(node.operand, answers)
        return (not value) if isinstance(node.op, ast.Not) else -value  # type: ignore[operator]
    if isinstance(node, ast.Compare):
        return _compare(node, answers)
    if isinstance(node, ast.Name):
        return answers.get(node.id)
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List | ast.Tuple):
        return [_eval(e, answers) for e in node.elts]
    raise ConditionError(f"unexpected {type(node).__name__}")  # pragma: no cover


def _compare(node: ast.Compare, answers: Mapping[str, Value]) -> bool:
    """Evaluate a (possibly chained) comparison; None or mismatched types compare false."""
    left = _eval(node.left, answers)
    for op, right_node in zip(node.ops, node.comparators, strict=True):
        right = _eval(right_node, answers)
        if left is None or right is None:
            return False
        try:
            if not _COMPARE[type(op)](left, right):
                return False
        except TypeError:
            return False
        left = right
    return True
