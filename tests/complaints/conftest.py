"""Fixtures of the complaint tests: reading the stored complaints and their history."""

from __future__ import annotations

from sqlalchemy import select

from ecoute.wiring import Ecoute
from storage.models import Complaint, ComplaintEvent


def complaints(ecoute: Ecoute) -> list[Complaint]:
    """Return every stored complaint, oldest first."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def events(ecoute: Ecoute, complaint_id: int) -> list[ComplaintEvent]:
    """Return a complaint's history, oldest first."""
    with ecoute.db.transaction() as session:
        return list(session.scalars(select(ComplaintEvent)
                                    .where(ComplaintEvent.complaint_id == complaint_id)
                                    .order_by(ComplaintEvent.id)))
