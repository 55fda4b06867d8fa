"""The dependency audit fails on a known vulnerability with a fixed release, and never calls skips a pass.

Real pip-audit runs against an OSV-compatible service on loopback (the machine has no route to
api.osv.dev), answering the way OSV does for the advisories each test gives it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.dependency_audit import NOT_AUDITED, Outcome, audit, verdict
from tests.support.ports import free_port


def _advisory(package: str, fixed: str | None) -> dict:
    events = [{"introduced": "0"}, *([{"fixed": fixed}] if fixed else [])]
    return {"id": f"GHSA-test-{package}", "summary": f"a flaw in {package}", "schema_version": "1.6.0",
            "affected": [{"package": {"name": package, "ecosystem": "PyPI"},
                          "ranges": [{"type": "ECOSYSTEM", "events": events}]}]}


@pytest.fixture
def osv() -> Iterator[tuple[str, dict, list]]:
    """A loopback OSV: its URL, the advisories by package, and the packages it was asked about."""
    advisories: dict[str, list[dict]] = {}
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            query = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            name = query["package"]["name"]
            asked.append(name)
            body = json.dumps({"vulns": advisories[name]} if name in advisories else {}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1/query", advisories, asked
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def lock(tmp_path: Path) -> Path:
    path = tmp_path / "requirements.txt"
    path.write_text("flask==3.1.3\nclick==8.5.1\n")
    return path


def test_a_vulnerability_with_a_fixed_release_fails_naming_it(osv, lock: Path, capsys: pytest.CaptureFixture):
    url, advisories, asked = osv
    advisories["flask"] = [_advisory("flask", "3.1.4")]
    assert audit(lock, url) == 1
    out = capsys.readouterr().out
    assert "flask 3.1.3: GHSA-test-flask, fixed in 3.1.4" in out
    assert "click" not in out
    assert sorted(asked) == ["click", "flask"]


def test_a_clean_lock_and_a_vulnerability_without_a_fix_pass(osv, lock: Path, capsys: pytest.CaptureFixture):
    url, advisories, _ = osv
    assert audit(lock, url) == 0
    assert "2 locked packages checked with osv" in capsys.readouterr().out
    advisories["click"] = [_advisory("click", None)]
    assert audit(lock, url) == 0
    assert "click 8.5.1: GHSA-test-click, no fixed release yet" in capsys.readouterr().out


def test_an_unreachable_service_is_not_audited_and_fails_only_when_an_audit_is_required(lock: Path, capsys: pytest.CaptureFixture):
    url = f"http://127.0.0.1:{free_port()}/v1/query"  # nothing listens there
    assert audit(lock, url) == 0
    assert "NOT AUDITED" in capsys.readouterr().out
    assert audit(lock, url, required=True) == NOT_AUDITED


def test_a_fixable_vulnerability_found_by_a_service_that_skipped_packages_still_fails(capsys: pytest.CaptureFixture):
    """A mirror that looks up some packages and skips others: what it did find counts."""
    partial = Outcome("pypi", audited=1, skipped=40, fixable=["jinja2 3.1.5: PYSEC-1, fixed in 3.1.6"])
    assert verdict(Path("lock.txt"), [Outcome("osv", failure="no route"), partial], required=False) == 1
    assert "jinja2 3.1.5: PYSEC-1, fixed in 3.1.6" in capsys.readouterr().out
    skipped_only = Outcome("pypi", audited=1, skipped=40)
    assert verdict(Path("lock.txt"), [skipped_only], required=False) == 0
    assert "NOT AUDITED" in capsys.readouterr().out
    assert verdict(Path("lock.txt"), [skipped_only], required=True) == NOT_AUDITED
