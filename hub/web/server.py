"""``crosscanal serve``: the app on every core.

One process of Python threads serves about one core's worth of requests (the GIL): with 16
clients, waitress answered no more requests a second than with 2, each only waited longer.
Several worker processes, each with its threads, serve side by side: gunicorn runs them where it
can (Linux, macOS), and each worker builds its own app, engine and pool after it is forked. With
one worker, or where gunicorn does not run (Windows), waitress serves in this process as before.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import threading
from typing import Any, Callable

from flask import Flask

from hub.config import Settings


def default_workers() -> int:
    """One worker per core this process may use."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def serve(settings: Settings, host: str, port: int, workers: int, threads: int, with_scheduler: bool,
          say: Callable[[str], None]) -> None:
    """Serve until stopped. ``with_scheduler``: scheduled publications run beside the server, once
    (a thread of the one process, or a ``crosscanal scheduler`` process beside the workers)."""
    if importlib.util.find_spec("gunicorn") is None:
        workers = 1
    if workers == 1:
        _waitress(settings, host, port, threads, with_scheduler, say)
    else:
        _gunicorn(settings, host, port, workers, threads, with_scheduler, say)


def _waitress(settings: Settings, host: str, port: int, threads: int, with_scheduler: bool,
              say: Callable[[str], None]) -> None:
    from waitress import serve as waitress_serve

    from hub.publishing.scheduler import Scheduler
    from hub.web import create_app

    app = create_app(settings)
    if with_scheduler:
        the_hub = app.extensions["crosscanal"]
        scheduler = Scheduler(the_hub.writers, the_hub.publisher())
        threading.Thread(target=scheduler.run_forever, args=(threading.Event(),), daemon=True, name="scheduler").start()
        say("scheduler running in this process")
    say(f"Crosscanal on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs), one process, {threads} threads")
    waitress_serve(app, host=host, port=port, threads=threads, ident="crosscanal")


def _gunicorn(settings: Settings, host: str, port: int, workers: int, threads: int, with_scheduler: bool,
              say: Callable[[str], None]) -> None:
    from gunicorn.app.base import BaseApplication

    scheduler: list[subprocess.Popen[bytes]] = []

    class Workers(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            options: dict[str, Any] = {
                "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
                "workers": workers, "threads": threads, "worker_class": "gthread",
                # A worker that stops answering its master this long is replaced; long requests
                # (exports, feeds) run in threads and do not stop it from answering.
                "timeout": 120, "graceful_timeout": 30, "keepalive": 5,
                "when_ready": lambda _arbiter: _started(),
                "on_exit": lambda _arbiter: _stopped(),
            }
            if "control_socket_disable" in self.cfg.settings:  # gunicorn 24 on: no socket in $HOME, which two hubs would share
                options["control_socket_disable"] = True
            for name, value in options.items():
                self.cfg.set(name, value)

        def load(self) -> Flask:
            from hub.jobs.runners import fail_orphans
            from hub.web import create_app

            app = create_app(settings)
            fail_orphans(app.extensions["crosscanal"].writers)  # a worker replacing one that died
            return app

    def _started() -> None:
        if with_scheduler:
            scheduler.append(subprocess.Popen([sys.executable, "-m", "hub.cli", "scheduler"]))
            say("scheduler running in its own process")
        say(f"Crosscanal on http://{host}:{port}/  (API docs: http://{host}:{port}/api/docs), "
            f"{workers} worker processes, {threads} threads each")

    def _stopped() -> None:
        for process in scheduler:
            process.terminate()
            process.wait(timeout=30)

    Workers().run()
