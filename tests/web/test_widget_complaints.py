"""A visitor files a complaint in the widget: the ``complaint`` survey key, or after a low score."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from storage.db import Database
from storage.models import Complaint
from tests.web.widget_client import Visitor


def stored(db: Database) -> list[Complaint]:
    """Return the stored complaints."""
    with db.transaction() as session:
        return list(session.scalars(select(Complaint).order_by(Complaint.id)))


def test_the_complaint_key_files_a_complaint_with_a_reference(ana: Visitor,
                                                             db: Database) -> None:
    assert ana.start("complaint").status_code == 200
    assert ana.texts() == [("What is your complaint about?\n"
        "A complaint is filed under your name, never anonymously.")]
    ana.taps("delivery")
    ana.types("The parcel was left at the wrong address")
    ana.taps("answer:skip")
    ana.taps("annoying")
    assert ana.texts() == ["May we contact you here about this complaint?"], "no photo here"
    ana.taps("yes")
    [filed] = ana.texts()
    assert filed.startswith("Your complaint is registered under the reference R-2026-0001.")
    assert ana.types("status R-2026-0001").get_json()["messages"][-1]["text"].startswith(
        "Complaint R-2026-0001: received. Next step by")
    [complaint] = stored(db)
    assert (complaint.channel, complaint.category, complaint.priority) == (
        "web", "delivery", "high")


def test_a_low_score_offer_continues_in_the_complaint_conversation(bruno: Visitor,
                                                                   db: Database) -> None:
    bruno.start("csat")
    first = bruno.conversation
    bruno.taps("1")
    bruno.types("Personne ne répond au téléphone")
    bruno.taps("consent:no")
    assert bruno.texts()[-1].startswith(
        "Souhaitez-vous que nous traitions ceci comme une réclamation ?")
    assert bruno.conversation != first, "the reply names the complaint's conversation"
    bruno.taps("yes")
    bruno.taps("service")
    bruno.taps("answer:skip")
    bruno.taps("minor")
    bruno.taps("no")
    assert bruno.texts()[0].startswith("Votre réclamation est enregistrée sous la référence")
    [complaint] = stored(db)
    assert complaint.description == "Personne ne répond au téléphone"


def test_the_complaint_has_its_own_page(client: FlaskClient) -> None:
    page = client.get("/s/complaint?lang=fr").get_data(as_text=True)
    assert "<h1>Déposer une réclamation</h1>" in page
    assert 'data-mode="page" data-survey="complaint" data-lang="fr"' in page
