"""Browser fixtures: Debian's Chromium driven by Playwright, Écoute served on loopback.

One browser for the whole session (the first launch costs seconds); each test
gets its own app, SQLite store and real HTTP server on 127.0.0.1, port 0. The
browser may resolve no outside host. A customer's "shop" page with hostile CSS,
served by a second loopback server on another origin (``localhost`` rather than
``127.0.0.1``), embeds the widget the way a real site would, so CORS is
exercised for real.

``tests/conftest.py`` loads this module as a plugin, so a browser test in any folder
shares the one Playwright and the one Chromium of the session (a second Playwright
started while the first runs fails: its sync API refuses to start inside a loop).
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from bot import staff
from ecoute.config import PACKAGED_SURVEYS, Settings, WebSettings
from ecoute.wiring import Ecoute, build
from storage.db import Database
from storage.migrate import upgrade
from web import create_app

CHROMIUM = "/usr/bin/chromium"
NO_OUTSIDE_HOSTS = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TIMEOUT_MS = 10_000  # generous: CI shares two cores with everything else

HOSTILE_SURVEY = """\
key: hostile
title:
  en: 'Hostile <b onmouseover="window.pwned=3">title</b>'
  fr: 'Titre <b onmouseover="window.pwned=3">hostile</b>'
questions:
  - id: shown
    type: yesno
    text:
      en: 'Shown as text? <img src=x onerror="window.pwned=1">'
      fr: 'Affiché comme texte ? <img src=x onerror="window.pwned=1">'
thanks:
  en: 'Thanks <script>window.pwned=2</script>'
  fr: 'Merci <script>window.pwned=2</script>'
"""

HOSTILE_CSS = """
* { font-size: 40px !important; color: red !important; background: yellow !important;
    line-height: 3 !important; box-sizing: content-box !important; margin: 20px !important; }
button { display: none !important; }
div, section, p, span, form { visibility: hidden !important; padding: 60px !important; }
textarea { width: 4px !important; }
ecoute-widget { display: none !important; opacity: 0 !important; }
"""


@dataclass
class Site:
    """Écoute served on loopback: its base URL and its parts."""

    url: str
    ecoute: Ecoute

    @property
    def db(self) -> Database:
        """Return the site's store."""
        return self.ecoute.db


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """Start Playwright once."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Launch Debian's Chromium once for the session, with no outside host resolvable."""
    expect.set_options(timeout=TIMEOUT_MS)
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test.sh (it installs chromium)")
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[NO_OUTSIDE_HOSTS])
    yield browser
    browser.close()


class Shop:
    """A customer's site on its own origin: it serves whatever page a test sets."""

    def __init__(self) -> None:
        self.html = "<!doctype html><title>Shop</title>"
        self._server = make_server("127.0.0.1", 0, self._app)
        self.origin = f"http://localhost:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def _app(self, environ: dict, start_response: Callable) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [self.html.encode()]

    def close(self) -> None:
        """Stop serving."""
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture
def shop() -> Iterator[Shop]:
    """Return the customer's site (a second loopback server, another origin)."""
    server = Shop()
    yield server
    server.close()


@pytest.fixture
def site(tmp_path: Path, shop: Shop) -> Iterator[Site]:
    """Serve a fresh Écoute (SQLite, packaged surveys plus a hostile one) on 127.0.0.1:0."""
    surveys = tmp_path / "surveys"
    shutil.copytree(PACKAGED_SURVEYS, surveys)
    (surveys / "hostile.yaml").write_text(HOSTILE_SURVEY, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'ecoute.db'}"
    database = Database(url)
    upgrade(database.engine)
    settings = replace(Settings.from_env({}), database_url=url, surveys_dir=surveys,
                       allowed_origins=(shop.origin,),
                       web=WebSettings("1000/minute", "1000/minute"))
    ecoute = build(settings, database=database)
    server = make_server("127.0.0.1", 0, create_app(ecoute), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Site(f"http://127.0.0.1:{server.server_port}", ecoute)
    finally:
        server.shutdown()
        thread.join(5)
        ecoute.close()


def shop_page(site: Site, *, survey: str | None = "nps", lang: str | None = None,
              script_lang: str | None = None) -> str:
    """Return a customer's page with hostile CSS, two links, and the one-line embed."""
    html_lang = f' lang="{lang}"' if lang else ""
    data = f' data-survey="{survey}"' if survey else ""
    data += f' data-lang="{script_lang}"' if script_lang else ""
    return f"""<!doctype html><html{html_lang}><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Shop</title><link rel="icon" href="data:,"><style>{HOSTILE_CSS}</style></head>
<body><h1 id="shop-title">The shop</h1><a href="#a">Products</a> <a href="#b">Contact</a>
<script src="{site.url}/widget.js"{data} async></script></body></html>"""


@pytest.fixture
def open_shop(site: Site, shop: Shop) -> Callable[..., Page]:
    """Return a function that opens the shop's page (on its own origin) in a page."""

    def go(page: Page, **options: str | None) -> Page:
        shop.html = shop_page(site, **options)  # type: ignore[arg-type]
        page.goto(f"{shop.origin}/")
        return page

    return go


@pytest.fixture
def problems() -> list[str]:
    """Return the script errors and failed loads the page reported (the test may expect some)."""
    return []


@pytest.fixture
def page(browser: Browser, problems: list[str], site: Site) -> Iterator[Page]:
    """Return a fresh English-speaking page (its own storage, 1280×800) that must not fail.

    A script error or a request the browser blocks (CORS, private network) fails the test.
    The page closes before the site stops, so no request is cut by the shutdown.
    """
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("console", lambda message: problems.append(
        f"{message.text} ({message.location.get('url')})") if message.type == "error" else None)
    yield page
    context.close()
    assert problems == []


STAFF_PASSWORD = "a long staff password"


def sign_in(page: Page, site: Site, role: str = "viewer") -> None:
    """Create a staff account with ``role`` and sign in through the console's form."""
    email = f"{role}@example.com"
    staff.create_account(site.db, email, STAFF_PASSWORD, role, actor=staff.CLI,
                         now=site.ecoute.engine.clock())
    page.goto(f"{site.url}/admin/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()  # where staff land
