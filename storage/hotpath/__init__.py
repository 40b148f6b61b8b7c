"""The performance layer of the store: what it trades, and for what.

A dialogue turn is four or five small statements; run through SQLAlchemy's
ordinary execution and ORM unit of work, the library's own bookkeeping cost
several times the database's work. Three things here buy that time back, each
at a price written in its module:

- :mod:`storage.hotpath.prepared`: Core statements compiled once and run on the
  DBAPI cursor (the price: only the statements built with :class:`Prepared` get
  it, and a column type SQLAlchemy converts in its execution step must convert
  in its ``bind_processor``). ``ECOUTE_PREPARED=0`` runs the very same statements
  through SQLAlchemy's ordinary execution, and CI runs the engine and storage
  tests both ways on both stores.
- :mod:`storage.hotpath.tracked`: plain change-tracking rows instead of ORM
  instances (the price: a turn saves them explicitly with :func:`save`).
- :mod:`storage.hotpath.writers`: SQLite's writers queue on a file lock instead of
  SQLite's sleeping busy handler (the price: one lock file beside the database).

Nothing outside ``storage/`` uses this package directly except through the
entity modules' functions and the row types they hand out.
"""
