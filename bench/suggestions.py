"""Improvements at scale: suggestions and links by filter, beside ``SELECT count(*)``.

Usage::

    .venv/bin/python -m bench.generate --url sqlite:////tmp/big.db --answers 300000
    .venv/bin/python -m bench.suggestions --url sqlite:////tmp/big.db

On a store already filled (``bench.generate``), in one run, each figure printed
beside the median of a plain ``SELECT count(*) FROM answer`` measured in the
same run:

1. **Suggestions** (:func:`bot.improvements.suggest`): the candidate query (the
   latest :data:`~bot.suggestions.MAX_CANDIDATES` free texts and complaint
   descriptions of the year) and the ranking (TF-IDF over letters and the
   lexicon's concepts), apart and together. The cost is bounded by the cap, not
   by the size of the store (the issue sets no time; the console's suggestions page
   waits for it).
2. **Links by filter** (:func:`bot.improvements.link_by_filter`): every detractor
   of the year linked in one ``INSERT … SELECT``, on a new improvement each time;
   the number of links written is printed beside the time.

The bench adds draft improvements (and their links) to the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from bench.responses import count_baseline, median_ms
from bot import improvements
from bot.improvements import Draft, Known
from bot.suggestions import MAX_CANDIDATES, Candidate, rank
from storage import improvement_links as links
from storage.db import Database
from storage.filters import Band, ResponseFilter

NOTHING = Known(frozenset(), frozenset(), frozenset(), frozenset())
SAID = "Vos colis arrivaient en retard et le service client ne répondait pas"


def draft(db: Database, now: datetime) -> int:
    """Store a draft improvement for the bench."""
    return improvements.create(db, Draft(SAID, "Nouveau transporteur", "fr"), NOTHING,
                               actor="bench", now=now)


def suggestions(db: Database, now: datetime, repeat: int) -> dict[str, float]:
    """Time the candidate query, the ranking, and both (ms)."""
    improvement_id = draft(db, now)
    scope = links.Scope(since=now - timedelta(days=365))
    with db.reading() as connection:
        pool = links.candidates(connection, improvement_id, scope, limit=MAX_CANDIDATES)
    documents = [Candidate(c.target, c.id, c.text, c.language) for c in pool]

    def query() -> None:
        with db.reading() as connection:
            links.candidates(connection, improvement_id, scope, limit=MAX_CANDIDATES)

    return {"candidates": float(len(pool)), "query": median_ms(query, repeat),
            "rank": median_ms(lambda: rank(SAID, documents), repeat),
            "suggest": median_ms(lambda: improvements.suggest(db, improvement_id, now=now),
                                 repeat)}


def filtered(db: Database, now: datetime, repeat: int) -> tuple[float, int]:
    """Time linking every detractor of the year to a new improvement (ms), and how many."""
    wanted = ResponseFilter(since=now - timedelta(days=365), band=Band.DETRACTOR)
    times, added = [], 0
    for _ in range(repeat):
        improvement_id = draft(db, now)
        start = time.perf_counter()
        added = improvements.link_by_filter(db, improvement_id, wanted, actor="bench", now=now)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), added


def main(argv: Iterable[str] | None = None) -> int:
    """Run the bench on a filled store and print the figures."""
    parser = argparse.ArgumentParser(prog="python -m bench.suggestions",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--url", required=True, help="a store filled by bench.generate")
    parser.add_argument("--repeat", type=int, default=5, help="runs per figure (default 5)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    db = Database(args.url)
    now = datetime.now(UTC)
    with db.reading() as connection:
        answers = connection.execute(text("SELECT count(*) FROM answer")).scalar()
    baseline = count_baseline(db, args.repeat)
    print(f"store: {answers:,} answers; baseline SELECT count(*) FROM answer: {baseline:.1f} ms")
    found = suggestions(db, now, args.repeat)
    for name in ("query", "rank", "suggest"):
        print(f"suggestions, {name}: {found[name]:.0f} ms ({found[name] / baseline:.1f}× the "
              f"baseline of {baseline:.1f} ms) over {found['candidates']:,.0f} candidates")
    took, added = filtered(db, now, args.repeat)
    print(f"link by filter (every detractor of the year): {added:,} links in {took:.0f} ms "
          f"({took / baseline:.1f}× the baseline of {baseline:.1f} ms)")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
