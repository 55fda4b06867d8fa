"""The Celery application, configured from the hub's settings.

Every task is acknowledged only once it has finished (``acks_late``), and given back when its
worker's process dies (``reject_on_worker_lost``); each worker takes one task at a time, so a
killed worker loses at most the one it was running, which the broker hands to another worker
after ``Settings.task_redelivery`` seconds. Tasks are idempotent, so running one twice is safe.
"""

from __future__ import annotations

from celery import Celery

from hub.config import Settings

PUBLICATIONS, SHARDS = "publications", "shards"  # begin/finish a publication; render one shard
QUEUES = (PUBLICATIONS, SHARDS)

app = Celery("crosscanal", include=["hub.queue.tasks"])


def configure(settings: Settings) -> Celery:
    """Point the app at the settings' broker; the same in the hub and in every worker."""
    redis = {
        "visibility_timeout": settings.task_redelivery,
        # Look for tasks a dead worker held every few seconds (kombu's default: every 100 s).
        "unacked_restore_interval": max(1, min(10, settings.task_redelivery // 5)), "unacked_restore_throttle": 1,
        # An unreachable Redis fails a publish in seconds instead of hanging it.
        "socket_connect_timeout": 3, "socket_timeout": 30,
    }
    if app.conf.broker_url not in (None, settings.broker_url):
        # Another broker than before (a process that serves two hubs, as the tests do): drop the
        # connections and producers made for the old one, as Celery does after a fork.
        app._after_fork()
    app.conf.update(
        broker_url=settings.broker_url,
        result_backend=settings.broker_url,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json", result_serializer="json", accept_content=["json"],
        broker_transport_options=redis,
        broker_connection_retry_on_startup=True,
        broker_connection_timeout=3,
        redis_socket_connect_timeout=3, redis_socket_timeout=30,
        task_default_queue=PUBLICATIONS,
        task_routes={"crosscanal.render_shard": {"queue": SHARDS}, "crosscanal.export_part": {"queue": SHARDS}},
        result_expires=24 * 3600,
        worker_hijack_root_logger=False,
        worker_send_task_events=True,
    )
    return app
