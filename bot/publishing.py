"""Publishing an improvement: its announcement, and the thanks to the ideas behind it.

Staff publish from the console or the API; both call :func:`publish`. The
announcement (:mod:`bot.announcements`) is planned once, in one transaction; then
the employees who signed or supported an idea the improvement was made from hear
"your idea led to this" (:func:`bot.ideas.plan_thanks`), each once however often
this runs, so a retried publish completes what a crash left half done.
"""

from __future__ import annotations

from datetime import datetime

from bot import announcements, ideas
from bot.announcements import Published
from storage.db import Database


def publish(database: Database, improvement_id: int, *, actor: str, now: datetime,
            default_language: str = "en") -> Published:
    """Publish an improvement (once), plan its announcement and the thanks for its ideas."""
    with database.transaction() as session:
        published = announcements.publish(session, improvement_id, actor=actor, now=now)
    ideas.plan_thanks(database, improvement_id, now=now, default_language=default_language)
    return published
