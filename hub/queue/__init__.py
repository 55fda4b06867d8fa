"""Publications and jobs on Celery workers, with Redis as broker and result backend.

With ``CROSSCANAL_BROKER_URL`` set, a publication started anywhere (the API, the UI, the
command, the scheduler) is handed to the queue: one task begins it (``Publisher.begin_sharded``),
a Celery chord renders its shards on whichever workers are free, and the chord's last step
stitches, validates and publishes (``Publisher.finish_sharded``). Unset, nothing here is used.
"""
