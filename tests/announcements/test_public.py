"""The public page and its Atom feed show published improvements, and nothing personal."""

from __future__ import annotations

from xml.etree import ElementTree

from flask import Flask

from bot import announcements
from ecoute.wiring import Ecoute
from tests.announcements.conftest import Feedback, improvement_for


def test_the_page_and_the_feed_show_what_was_published_without_anyone_s_words(
        app: Flask, served: Ecoute, feedback: Feedback) -> None:
    ana = feedback("ana", words="my private complaint about Bob")
    shown = improvement_for(served, [ana], we_did="We hired <two> agents & trained them")
    improvement_for(served, [ana], we_did="A draft nobody sees yet")
    with served.db.transaction() as session:
        announcements.publish(session, shown, actor="staff:1", now=served.engine.clock())
    client = app.test_client()
    page = client.get("/you-said-we-did?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page and "Vous avez dit, nous avons fait" in page
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "We hired &lt;two&gt; agents &amp; trained them" in page
    assert "A draft nobody sees yet" not in page and "private complaint" not in page
    english = client.get("/you-said-we-did", headers={"Accept-Language": "en-GB"})
    assert "You said, we did" in english.get_data(as_text=True)
    feed = client.get("/you-said-we-did.atom")
    assert feed.mimetype == "application/atom+xml"
    root = ElementTree.fromstring(feed.get_data())
    atom = "{http://www.w3.org/2005/Atom}"
    titles = [entry.findtext(f"{atom}title") for entry in root.iter(f"{atom}entry")]
    assert titles == ["We hired <two> agents & trained them"]
    assert "private complaint" not in feed.get_data(as_text=True)
