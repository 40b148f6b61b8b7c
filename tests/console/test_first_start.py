"""First start with no account: ``ecoute serve`` prints a link to the first-admin form."""

from __future__ import annotations

import threading
import urllib.request

import pytest

from ecoute.wiring import Ecoute
from tests.test_processes import eventually, free_port, running


def test_serve_prints_a_working_setup_link(ecoute: Ecoute,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setenv("ECOUTE_BASE_URL", base)
    monkeypatch.setenv("ECOUTE_SECRET_KEY", "first-start-secret")
    with running("serve", "--no-worker", "--port", str(port), url=ecoute.db.url) as serve:
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(serve.stderr), daemon=True)  # type: ignore[arg-type]
        reader.start()
        assert eventually(lambda: any("/admin/setup/" in line for line in lines)), lines
        link = next(line.strip() for line in lines if "/admin/setup/" in line)
        assert link.startswith(f"{base}/admin/setup/")
        with urllib.request.urlopen(link, timeout=5) as page:
            assert page.status == 200 and b"Create the first admin" in page.read()
