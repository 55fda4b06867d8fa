"""``crosscanal serve`` as a real process: worker processes side by side, one scheduler beside
them, and all of it gone when the server is told to stop."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from hub.config import Settings
from tests.integration.helpers import API
from tests.integration.test_cli_publish import run
from tests.integration.test_publishing import shop  # noqa: F401 - fixture
from tests.support.ports import free_port, wait_until_listening


def children(pid: int) -> list[tuple[int, str]]:
    """The processes whose parent is ``pid``, with their command lines (Linux's /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append((int(entry.name), command))
    return found


def get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=30) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as answer:
        return answer.code, dict(answer.headers), answer.read()


def test_serve_runs_worker_processes_and_one_scheduler_and_stops_them_all(
    shop: dict, settings: Settings, tokens: dict[str, dict[str, str]]  # noqa: F811 - shop first: it installs the adapter
) -> None:
    assert run(settings, "publish", "acme").exit_code == 0
    port = free_port()
    env = {**os.environ, "CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir)}
    server = subprocess.Popen([sys.executable, "-m", "hub.cli", "serve", "--port", str(port), "--workers", "2",
                               "--threads", "2", "--with-scheduler"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        wait_until_listening(port, server, 60)

        def products(_: int) -> int:
            request = urllib.request.Request(f"http://127.0.0.1:{port}{API}/products", headers=tokens["viewer"])
            with urllib.request.urlopen(request, timeout=30) as answer:
                return len(json.load(answer)["items"]) if answer.status == 200 else -1

        with ThreadPoolExecutor(8) as pool:
            assert list(pool.map(products, range(40))) == [5] * 40
        # The feed, whole (handed to the server as a file), then unchanged (304), then gzipped.
        feed = f"http://127.0.0.1:{port}/feeds/acme/acme.csv?token={shop['channel']['feed_token']}"
        status, headers, body = get(feed, {})
        assert status == 200 and int(headers["Content-Length"]) == len(body) and body.startswith(b"sku")
        assert body == (Path(settings.publish_url) / "acme" / "acme.csv").read_bytes()
        assert get(feed, {"If-None-Match": headers["ETag"]})[0] == 304
        status, zipped_headers, zipped = get(feed, {"Accept-Encoding": "gzip"})
        assert status == 200 and zipped_headers["Content-Encoding"] == "gzip" and gzip.decompress(zipped) == body
        deadline = time.monotonic() + 30
        while len(running := children(server.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
        commands = sorted(command.split(" -m hub.cli ", 1)[1].split()[0] for _, command in running)
        assert commands == ["scheduler", "serve", "serve"], running
    finally:
        server.send_signal(signal.SIGTERM)
        output = server.communicate(timeout=60)[0].decode()
    assert server.returncode == 0, output
    assert "2 worker processes, 2 threads each" in output and "scheduler running in its own process" in output
    assert not children(server.pid) and all(not Path(f"/proc/{pid}").exists() for pid, _ in running)
