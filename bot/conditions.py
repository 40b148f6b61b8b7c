"""The small, safe branching language of survey files.

A condition is one expression over earlier answers, for example
``score <= 6``, ``7 <= score <= 8``, ``reason in ["price", "delay"]`` or
``not (recommend == "yes") and score > 3``. It is parsed with :mod:`ast` and
only a whitelist of nodes is accepted: names of earlier questions, literals,
comparisons, ``and``/``or``/``not``, lists for ``in``. Nothing is ever passed to
``eval``; calls, attributes, subscripts and arithmetic are refused on load.

:func:`check_types` then refuses, when the survey loads, a condition that could
not be evaluated on the answers it reads (scores are numbers; choices, yes/no
and text are strings): ``score < "7"``, ``reason in [1, 2]``, ``-"a" < 3``. A
condition that loads never raises when someone reaches it.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum

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


class ValueType(StrEnum):
    """The type of a value in a condition: an answer's, a literal's or a test's."""

    NUMBER = "a number"
    STRING = "a string"
    BOOLEAN = "a boolean"
    NOTHING = "nothing"


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
    lists = _lists_after_in(tree)
    for node in ast.walk(tree):
        _check(node, source)
        if isinstance(node, ast.List | ast.Tuple) and id(node) not in lists:
            raise ConditionError(f"condition {source!r}: a list only goes after 'in' or 'not in'")
        if isinstance(node, ast.Name):
            names.add(node.id)
    return Condition(source, tree, frozenset(names))


def _lists_after_in(tree: ast.AST) -> set[int]:
    """Return the ids of the lists right of an ``in`` or ``not in`` (the only place for one)."""
    return {id(right) for node in ast.walk(tree) if isinstance(node, ast.Compare)
            for op, right in zip(node.ops, node.comparators, strict=True)
            if isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.List | ast.Tuple)}


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
    if negation and _literal_type(node.operand) is not ValueType.NUMBER:  # type: ignore[attr-defined]
        raise ConditionError(f"condition {source!r}: '-' only goes before a number")
    if isinstance(node, ast.Constant) and _literal_type(node) is None:
        raise ConditionError(f"condition {source!r} uses the constant {ast.unparse(node)}, "
                             "which is not allowed (numbers, strings, True, False, None)")


def _literal_type(node: ast.AST) -> ValueType | None:
    """Return the type of a literal (None for anything else, or a constant not allowed)."""
    if not isinstance(node, ast.Constant):
        return None
    value = node.value
    if isinstance(value, bool):
        return ValueType.BOOLEAN
    if isinstance(value, int | float):
        return ValueType.NUMBER
    if isinstance(value, str):
        return ValueType.STRING
    return ValueType.NOTHING if value is None else None


def check_types(condition: Condition, types: Mapping[str, ValueType]) -> None:
    """Refuse a condition that could not be evaluated on answers of these types (by name)."""
    _type_of(condition.tree.body, types, condition.source)


def _type_of(node: ast.AST, types: Mapping[str, ValueType], source: str) -> ValueType | None:
    """Check a node and return its type (None when it may be of several, as ``a or b``)."""
    if isinstance(node, ast.Name):
        return types[node.id]
    if isinstance(node, ast.UnaryOp):
        _type_of(node.operand, types, source)
        return ValueType.BOOLEAN if isinstance(node.op, ast.Not) else ValueType.NUMBER
    if isinstance(node, ast.BoolOp):
        found = {_type_of(value, types, source) for value in node.values}
        return found.pop() if len(found) == 1 else None
    if isinstance(node, ast.Compare):
        left = node.left
        for op, right in zip(node.ops, node.comparators, strict=True):
            _check_pair(left, op, right, types, source)
            left = right
        return ValueType.BOOLEAN
    return _literal_type(node)


def _check_pair(left: ast.expr, op: ast.cmpop, right: ast.expr,
                types: Mapping[str, ValueType], source: str) -> None:
    """Refuse one comparison whose two sides cannot be compared that way."""
    left_type = _type_of(left, types, source)

    def refuse(verb: str, joint: str, right_text: str) -> None:
        """Raise the error naming both sides and their types."""
        raise ConditionError(f"condition {source!r} {verb} {ast.unparse(left)} "
                             f"({_named(left_type)}) {joint} {right_text}")

    if isinstance(right, ast.List | ast.Tuple):
        elements = {_type_of(element, types, source) for element in right.elts}
        if elements - {left_type, ValueType.NOTHING} or left_type is None:
            kinds = " and ".join(sorted(_plural(t) for t in elements))
            refuse("looks for", "in", f"a list of {kinds}")
        return
    right_type = _type_of(right, types, source)
    right_text = f"{ast.unparse(right)} ({_named(right_type)})"
    if isinstance(op, ast.In | ast.NotIn):
        if left_type is not ValueType.STRING or right_type is not ValueType.STRING:
            refuse("looks for", "in", right_text)
    elif isinstance(op, ast.Eq | ast.NotEq):
        if left_type != right_type and ValueType.NOTHING not in (left_type, right_type):
            refuse("compares", "with", right_text)
    elif {left_type, right_type} & {ValueType.NOTHING, ValueType.BOOLEAN, None}:
        refuse("orders", "and", right_text)
    elif left_type != right_type:
        refuse("compares", "with", right_text)


def _named(kind: ValueType | None) -> str:
    """Say a type in words."""
    return kind.value if kind is not None else "of more than one type"


def _plural(kind: ValueType | None) -> str:
    """Say a type in words, in the plural (for a list's elements)."""
    plurals = {ValueType.NUMBER: "numbers", ValueType.STRING: "strings",
               ValueType.BOOLEAN: "booleans", ValueType.NOTHING: "None"}
    return plurals[kind] if kind is not None else "mixed values"


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
