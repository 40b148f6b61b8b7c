"""The dialogue turn's statements, run straight on the DBAPI cursor once SQLAlchemy compiled them.

A turn is four or five small statements. Profiled under gunicorn, SQLAlchemy's work
around each execution (an execution context, event checks, parameter and result
objects) took a fifth of a widget worker's CPU, several times the database's own
share. The statements here stay SQLAlchemy Core constructs: each is compiled by
SQLAlchemy once per dialect and set of parameters, its values are converted by the
columns' own types (their ``bind_processor`` and ``result_processor``), and a
database error is raised as SQLAlchemy's exception (an ``IntegrityError`` is still
how the engine recognises a replayed event). They run inside the connection's own
transaction; only the execution step is skipped.

``ECOUTE_PREPARED=0`` (also ``false``, ``no``, ``off``; read once, when this module
is imported) runs the very same statements through SQLAlchemy's ordinary execution
instead (``connection.execute(statement, params)``: events, execution context,
expanding ``IN``, every type's conversion), with the same results for :meth:`run`,
:meth:`first` and :meth:`scalar`. CI runs the engine and storage tests both ways on
both stores (``scripts/test.sh``), so a column type or a construct the cursor path
does not handle shows up as a failing test rather than as a wrong value. The
switch costs nothing but one flag test per statement; the ordinary path is slower.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.expression import Executable

Processor = Callable[[Any], Any] | None


def on_cursor(environ: Mapping[str, str]) -> bool:
    """Tell whether ``environ`` lets statements run on the cursor (``ECOUTE_PREPARED`` not off)."""
    return environ.get("ECOUTE_PREPARED", "1").strip().lower() not in {"0", "false", "no", "off"}


ON_CURSOR = on_cursor(os.environ)


@dataclass(frozen=True)
class _Plan:
    """A statement compiled for one dialect and one set of parameter names."""

    sql: str
    names: tuple[str, ...]
    fixed: dict[str, Any]  # values written in the statement itself (e.g. status = 'active')
    processors: tuple[Processor, ...]
    positional: bool
    results: tuple[Processor, ...]


class Prepared:
    """A Core statement compiled once per driver and set of parameter names, run on the cursor."""

    def __init__(self, statement: Executable) -> None:
        self.statement = statement
        self._plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}

    def execute(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement with ``params`` in the connection's transaction; return the cursor."""
        if not ON_CURSOR:
            return connection.execute(self.statement, params)
        return self._execute(connection, params)[0]

    def _execute(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, _Plan]:
        """Run the statement on the DBAPI cursor with its cached plan; return cursor and plan."""
        dialect = connection.dialect
        plan = self._plans.get((dialect.dialect_description, tuple(params)))
        if plan is None:
            plan = self._plan(dialect, params)
        given = {**plan.fixed, **params} if plan.fixed else params
        values = [value if process is None else process(value)
                  for value, process in zip((given[n] for n in plan.names),
                                            plan.processors, strict=True)]
        arguments = tuple(values) if plan.positional else dict(zip(plan.names, values, strict=True))
        cursor = connection.connection.cursor()
        try:
            cursor.execute(plan.sql, arguments)
        except dialect.loaded_dbapi.Error as error:
            raise exc.DBAPIError.instance(plan.sql, arguments, error,
                                          dialect.loaded_dbapi.Error, dialect=dialect) from error
        return cursor, plan

    def run(self, connection: Connection, params: Mapping[str, Any]) -> None:
        """Run a statement whose result is not needed (an INSERT, an UPDATE)."""
        self.execute(connection, params).close()

    def first(self, connection: Connection, params: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run the statement and return its first row, its values converted by their types."""
        if not ON_CURSOR:
            found = connection.execute(self.statement, params).first()
            return None if found is None else tuple(found)
        cursor, plan = self._execute(connection, params)
        row = cursor.fetchone()
        cursor.close()
        if row is None:
            return None
        return tuple(value if process is None else process(value)
                     for value, process in zip(row, plan.results, strict=True))

    def scalar(self, connection: Connection, params: Mapping[str, Any]) -> Any:
        """Run the statement and return the first column of its first row (or None)."""
        row = self.first(connection, params)
        return None if row is None else row[0]

    def _plan(self, dialect: Dialect, params: Mapping[str, Any]) -> _Plan:
        compiled = self.statement.compile(dialect=dialect, column_keys=list(params))
        names = tuple(compiled.positiontup or ()) if compiled.positional else tuple(compiled.binds)
        binds = compiled.binds
        fixed = {n: binds[n].effective_value for n in names
                 if n not in params and not binds[n].required}
        missing = set(names) - set(params) - set(fixed)
        if missing:
            raise ValueError(f"no value for {sorted(missing)} in {compiled.string!r}")
        processors = tuple(binds[n].type.dialect_impl(dialect).bind_processor(dialect)
                           for n in names)
        plan = _Plan(compiled.string, names, fixed, processors, compiled.positional,
                     _result_processors(self.statement, dialect))
        self._plans[(dialect.dialect_description, tuple(params))] = plan
        return plan


def _result_processors(statement: Executable, dialect: Dialect) -> tuple[Processor, ...]:
    """Return the converters of the statement's result columns (none for plain DML)."""
    columns: Sequence[Any] = list(getattr(statement, "exported_columns", ()))
    return tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
