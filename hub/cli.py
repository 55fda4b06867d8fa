"""The ``crosscanal`` command: set up, load the demo, serve, and manage tokens and users."""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any

import click
from marshmallow import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.config import Settings, workers_for
from hub.errors import HubError, NotFound, ValidationFailed
from hub.imports.errors import FileRefused
from hub.imports.mappings import combined
from hub.jobs.runners import fail_orphans
from hub.services import audit, product_index
from hub.services.accounts import ROLES, create_token, create_user
from hub.services.completeness import completeness
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.db import make_engine, make_session_factory, refresh_statistics
from hub.store.migrate import upgrade
from hub.store.repos import AccountRepo, ProductRepo
from schemas.errors import flatten_messages
from schemas.imports import EXPORT_FORMATS, IMPORT_FORMATS, KINDS, ColumnMappingIn, ExportOptionsIn, ImportOptionsIn

logger = logging.getLogger("hub")
DEMO_USER = "admin@crosscanal.example"


class Context:
    """Settings and the engine, made on first use so ``--help`` needs no database."""

    def __init__(self) -> None:
        self.settings = Settings.from_env()
        self._engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.database_url)
        return self._engine

    def session(self) -> Session:
        return make_session_factory(self.engine, writer=True)()

    def ready(self) -> None:
        """Migrate the schema and, when that changed it, fill in the derived rows (product index,
        documents) its products lack. Services keep those rows in the same transaction as each
        change, so only a migration leaves gaps; scanning for them on every command took
        seconds at a million products. Then mark failed the jobs whose process died
        (``hub.jobs.runners``)."""
        if upgrade(self.engine):
            with self.session() as session:
                if product_index.backfill(session, CatalogContext(session)):
                    session.commit()
        fail_orphans(make_session_factory(self.engine, writer=True))


pass_context = click.make_pass_decorator(Context, ensure=True)


def _fail(error: HubError) -> None:
    click.echo(f"error: {error.detail}", err=True)
    for field, reasons in error.errors.items():
        for reason in reasons:
            click.echo(f"  {field}: {reason}", err=True)
    sys.exit(error.exit_code)


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log more.")
def main(verbose: bool) -> None:
    """Crosscanal: one master record per product, published to every channel."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")


@main.command()
@pass_context
def init(ctx: Context) -> None:
    """Create or migrate the database (safe to run again)."""
    ctx.ready()
    click.echo(f"database ready: {ctx.engine.url.render_as_string(hide_password=True)}")


@main.command()
@click.option("--products", "count", type=click.IntRange(min=1), default=None,
              help="Generate a bigger catalog of about this many products (default: the hand-made demo of 240).")
@click.option("--seed", type=int, default=7, help="Seed for the generated data.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes writing the products side by side (default: one per core, "
                   "each with 20,000 products or more).")
@pass_context
def demo(ctx: Context, count: int | None, seed: int, workers: int | None) -> None:
    """Load the demo catalog into an empty database (runs `init` first)."""
    from hub.services.demo import DemoCatalog

    ctx.ready()
    with ctx.session() as session:
        try:
            loader = DemoCatalog(session, ctx.settings.media_dir, seed=seed, products=count)
            with click.progressbar(length=loader.total, label="loading demo catalog", file=sys.stderr) as bar:
                workers = workers or workers_for(loader.total)
                summary = loader.load(progress=bar.update, workers=workers)
        except HubError as exc:
            session.rollback()
            _fail(exc)
            return
        token = create_token(session, "admin", "demo admin", actor=audit.CLI)
        password = None
        if AccountRepo(session).user_by_email(DEMO_USER) is None:
            password = secrets.token_urlsafe(12)
            create_user(session, DEMO_USER, password, "admin", actor=audit.CLI)
        session.commit()
    refresh_statistics(ctx.engine)
    for name, number in summary.items():
        click.echo(f"  {name}: {number}")
    if password:
        click.echo(f"web UI: sign in as {DEMO_USER} with the password {password} (shown once)")
    click.echo("admin API token (shown once):")
    click.echo(token)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes serving requests side by side (default: one per core).")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(min=1), help="Threads in each process.")
@click.option("--with-scheduler", is_flag=True, help="Also run scheduled publications (once, beside the workers).")
@pass_context
def serve(ctx: Context, host: str, port: int, workers: int | None, threads: int, with_scheduler: bool) -> None:
    """Serve the UI, the API and the feeds on every core (gunicorn's worker processes; waitress
    for one process)."""
    from hub.web.server import default_workers, serve as serve_app

    ctx.ready()
    ctx.engine.dispose()  # the workers open their own connections
    serve_app(ctx.settings, host, port, workers or default_workers(), threads, with_scheduler, click.echo)


@main.command()
@click.option("--concurrency", type=click.IntRange(min=1), default=None,
              help="Processes taking tasks side by side (default: one per core).")
@click.option("--queues", default="publications,shards", show_default=True,
              help="Queues to take tasks from: publications (begin and finish one), shards (render one).")
@pass_context
def worker(ctx: Context, concurrency: int | None, queues: str) -> None:
    """Run a Celery worker (broker CROSSCANAL_BROKER_URL) that renders and publishes the
    publications queued by any hub, with the same settings as the hub; stop it with Ctrl-C."""
    from hub.config import default_workers
    from hub.publishing.workers import RENDER_NICENESS
    from hub.queue.app import QUEUES, configure

    if not ctx.settings.broker_url:
        _fail(HubError("a worker takes its tasks from a broker: set CROSSCANAL_BROKER_URL (e.g. redis://127.0.0.1:6379/0)"))
    unknown = sorted(set(queues.split(",")) - set(QUEUES))
    if unknown:
        raise click.BadParameter(f"no queue {', '.join(unknown)}; queues are {', '.join(QUEUES)}", param_hint="--queues")
    ctx.ready()
    ctx.engine.dispose()  # the worker's processes open their own connections
    # Background work, at the priority of the publishing process's own shard workers: beside a
    # `serve` on the same machine, requests go first; alone on a machine, it changes nothing.
    os.nice(RENDER_NICENESS)
    configure(ctx.settings).worker_main(["worker", "--loglevel=INFO", f"--queues={queues}", "--pool=prefork",
                                         f"--concurrency={concurrency or default_workers()}",
                                         f"--hostname=crosscanal-{os.getpid()}@%h", "--without-gossip", "--without-mingle"])


@main.command()
@pass_context
def scheduler(ctx: Context) -> None:
    """Run scheduled publications until stopped (Ctrl-C); safe to run on several machines."""
    from channel_adapters.base.registry import load_adapters
    from hub.publishing.pipeline import Publisher
    from hub.publishing.scheduler import Scheduler

    ctx.ready()
    sessions = make_session_factory(ctx.engine, writer=True)
    stop = threading.Event()
    runner = Scheduler(sessions, Publisher(ctx.settings, sessions, load_adapters(ctx.settings.disabled_adapters)))
    click.echo("scheduler running; Ctrl-C stops it")
    try:
        runner.run_forever(stop)
    except KeyboardInterrupt:
        stop.set()


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option("--name", default="", help="A name to recognize the token by.")
@pass_context
def token_create(ctx: Context, role: str, name: str) -> None:
    """Create a token; it is printed alone on the last line, and only once."""
    ctx.ready()
    with ctx.session() as session:
        raw = create_token(session, role, name, actor=audit.CLI)
        session.commit()
    click.echo(f"{role} token created; keep it secret:", err=True)
    click.echo(raw)


@main.group()
def user() -> None:
    """Users of the web UI."""


@user.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@pass_context
def user_create(ctx: Context, email: str, role: str) -> None:
    """Create a user; the password is read from standard input (or asked for on a terminal)."""
    if sys.stdin.isatty():
        password = click.prompt("password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\n")
    ctx.ready()
    with ctx.session() as session:
        try:
            create_user(session, email, password, role, actor=audit.CLI)
            session.commit()
        except HubError as exc:
            _fail(exc)
    click.echo(f"user {email} created with role {role}")


@main.command()
@click.argument("channels", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Publish every channel.")
@click.option("--wait", is_flag=True, help="Wait for a running publication of the channel instead of giving up.")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes that render the channel's shards (default: one per core, each with "
                   "20,000 products or more to render, so a republish of a few changes runs in one).")
@pass_context
def publish(ctx: Context, channels: tuple[str, ...], everything: bool, wait: bool, workers: int | None) -> None:
    """Publish channels now, with a progress bar and a summary; exits 1 if any failed.

    Only the products whose item changed since the channel's last good publication are
    rendered again; the files are the same as a full render of the same state."""
    from channel_adapters.base.registry import load_adapters
    from hub.publishing.pipeline import ChannelBusy, Publisher
    from hub.queue.dispatch import follow, hand_on

    if bool(channels) == everything:
        raise click.UsageError("name channels, or give --all")
    ctx.ready()
    sessions = make_session_factory(ctx.engine, writer=True)
    with sessions() as session:
        known = sorted(CatalogContext(session).channels)
    codes = known if everything else list(channels)
    unknown = [code for code in codes if code not in known]
    if unknown:
        _fail(HubError(f"unknown channel(s): {', '.join(unknown)}; channels are {', '.join(known) or 'none yet'}"))
    publisher = Publisher(ctx.settings, sessions, load_adapters(ctx.settings.disabled_adapters), workers=workers)
    results = []
    for code in codes:
        while True:
            try:
                publication_id = publisher.start(code, "cli")
                break
            except ChannelBusy as exc:
                if not wait:
                    _fail(exc)
                click.echo(f"{code}: {exc.detail}; waiting", err=True)
                time.sleep(2)
        with click.progressbar(length=100, label=f"{code:<18}", file=sys.stderr, show_percent=True) as bar:
            shown = [0]

            def advance(publication: Any) -> None:
                step = int(publication.progress * 100) - shown[0]
                bar.update(step)
                shown[0] += step

            ran: list[Any] = []
            try:
                queued = hand_on(publisher, publication_id, lambda pid: ran.append(publisher.run(pid, advance)))
            except HubError as exc:
                _fail(exc)
            results.append(follow(publisher, publication_id, advance) if queued else ran[0])
            bar.update(100 - shown[0])
    click.echo(f"{'channel':<18} {'status':<10} {'items':>7} {'excluded':>9} {'warnings':>9} {'bytes':>11}  files")
    for result in results:
        files = ", ".join(f.name for f in result.files)
        click.echo(f"{result.channel.code:<18} {result.status:<10} {result.items:>7} {result.excluded:>9} "
                   f"{result.warnings:>9} {result.bytes:>11}  {files or result.error or ''}")
    if any(result.status != "succeeded" for result in results):
        sys.exit(1)


@main.command()
@pass_context
def reindex(ctx: Context) -> None:
    """Rebuild every product's derived rows from the master record: its resolved document,
    completeness and carriage on every channel, search text; and drop the kept parts of past
    publications, so the next one renders every item again."""
    from hub.publishing.kept_parts import forget_all

    ctx.ready()
    with make_session_factory(ctx.engine, writer=True)() as session:
        total = ProductRepo(session).count()
        with click.progressbar(length=total, label="reindex", file=sys.stderr) as bar:
            done = product_index.rebuild(session, CatalogContext(session), bar.update)
    refresh_statistics(ctx.engine)
    forget_all(ctx.settings.data_dir)
    click.echo(f"{done} products reindexed")


@main.command("backup")
@click.argument("path", required=False, type=click.Path())
@pass_context
def backup_command(ctx: Context, path: str | None) -> None:
    """Write the database, the media and the current feed files to one archive (.tar) at PATH
    (default: crosscanal-<UTC time>.tar here; a folder gets that name inside). Safe while the
    hub serves and writes."""
    from datetime import datetime, timezone

    from hub.backup import backup, default_name

    name = default_name(datetime.now(timezone.utc))
    folder = path is None or path.endswith(("/", os.sep)) or Path(path).is_dir()
    target = Path(path or ".") / name if folder else Path(path)
    try:
        manifest = backup(ctx.settings, target.resolve(), partial(click.echo, err=True))
    except HubError as exc:
        _fail(exc)
        return
    counts = manifest["counts"]
    click.echo(f"backup written to {target}: {counts['products']} products, {counts['media_files']} media files, "
               f"{counts['feed_files']} feed files (schema {manifest['database']['revision']})")


@main.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that already holds data.")
@pass_context
def restore_command(ctx: Context, path: Path, force: bool) -> None:
    """Put a backup's database, media and feed files in place of the hub's, then migrate it.
    Refuses a damaged archive, one from a newer hub, and (without --force) a database that
    holds data; nothing is changed then. Stop the hub's processes first."""
    from hub.backup import restore

    try:
        manifest = restore(ctx.settings, ctx.engine, path, force=force, step=partial(click.echo, err=True))
    except HubError as exc:
        _fail(exc)
        return
    ctx.ready()  # an older backup's derived rows filled in
    refresh_statistics(ctx.engine)
    click.echo(f"restored {path} (made {manifest['created']}): {manifest['counts']['products']} products")


@main.command("feeds")
@pass_context
def feeds(ctx: Context) -> None:
    """Print the pull URL (with its token) of every published feed."""
    from hub.store.repos import PublicationRepo

    base = ctx.settings.public_url.rstrip("/")
    with ctx.session() as session:
        for channel in CatalogContext(session).channels.values():
            for publication in PublicationRepo(session).for_channel(channel.id, limit=20):
                if publication.status == "succeeded":
                    for file in publication.files:
                        click.echo(f"{channel.code:<18} {base}/feeds/{channel.code}/{file.name}?token={channel.feed_token}")
                    break


@main.command("publications")
@click.argument("channel")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(min=1), help="How many, newest first.")
@pass_context
def publications_command(ctx: Context, channel: str, limit: int) -> None:
    """A channel's latest publications: how each ended, and which workers rendered its shards in how long."""
    from hub.publishing.shards import by_worker
    from hub.store.models import Channel
    from hub.store.repos import CatalogRepo, PublicationRepo

    ctx.ready()
    with ctx.session() as session:
        found = CatalogRepo(session).by_code(Channel, channel)
        if found is None:
            _fail(NotFound(f"no channel '{channel}'"))
        click.echo(f"{'id':>6} {'status':<10} {'trigger':<24} {'seconds':>8} {'items':>8} {'rendered':>9}  shards by worker")
        for publication in PublicationRepo(session).for_channel(found.id, limit=limit):
            took = (publication.finished - publication.started).total_seconds() if publication.finished and publication.started else None
            workers = "; ".join(f"{worker}: {shards} in {seconds} s" for worker, shards, seconds in by_worker(publication.shards))
            click.echo(f"{publication.id:>6} {publication.status:<10} {publication.trigger[:24]:<24} "
                       f"{'' if took is None else f'{took:.1f}':>8} {publication.items:>8} {publication.rendered:>9}  "
                       f"{workers or publication.error or ''}")


@main.command("completeness")
@click.argument("sku")
@pass_context
def completeness_command(ctx: Context, sku: str) -> None:
    """Show a product's completeness per channel and locale."""
    with ctx.session() as session:
        catalog = CatalogContext(session)
        try:
            product = ProductService(session, catalog, "cli").get(sku)
        except HubError as exc:
            _fail(exc)
            return
        rows: list[Any] = completeness(product, catalog.channels.values())
    if not rows:
        click.echo("no channels yet")
    for row in rows:
        missing = ", ".join(row.missing) or "-"
        click.echo(f"{row.channel:<20} {row.locale:<8} {row.ratio * 100:5.1f}%  missing: {missing}")


REJECTED_EXIT = 3  # the import ran, and some rows were rejected (see the report)
SHOWN_REJECTIONS = 20


def _map_pairs(pairs: tuple[str, ...]) -> dict[str, str]:
    """``--map "EAN=ean"`` pairs as a dict; ``--map "Notes="`` ignores a column."""
    columns = {}
    for pair in pairs:
        if "=" not in pair:
            raise click.BadParameter(f"'{pair}' is not SUPPLIER=OURS", param_hint="--map")
        theirs, ours = pair.split("=", 1)
        columns[theirs.strip()] = ours.strip()
    return columns


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        return schema.load(data)
    except ValidationError as exc:
        _fail(ValidationFailed("invalid options", errors=flatten_messages(exc.messages)))
        raise  # unreachable: _fail exits


@main.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--kind", type=click.Choice(KINDS), help="What the file holds (default: told by its columns).")
@click.option("--format", "fmt", type=click.Choice(IMPORT_FORMATS), help="Default: told by the file's name or content.")
@click.option("--dry-run", is_flag=True, help="Check every row and report what would change, storing nothing.")
@click.option("--encoding", help="CSV text encoding (default: detected; UTF-8, UTF-8 with BOM or Latin-1).")
@click.option("--delimiter", help="CSV delimiter: , ; or tab (default: detected from the header).")
@click.option("--mapping", "mapping_name", help="Rename the file's columns with this saved mapping.")
@click.option("--map", "pairs", multiple=True, metavar="SUPPLIER=OURS",
              help="Rename one column (repeatable); SUPPLIER= ignores the column.")
@click.option("--save-mapping", help="Save the renames (the --mapping's and the --map's) under this name.")
@click.option("--report", "report_to", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Also write the report of rejected rows (CSV) to this file.")
@pass_context
def import_command(ctx: Context, file: Path, kind: str | None, fmt: str | None, dry_run: bool, encoding: str | None,
                   delimiter: str | None, mapping_name: str | None, pairs: tuple[str, ...], save_mapping: str | None,
                   report_to: Path | None) -> None:
    """Import products, product models or stock from FILE (CSV, XLSX, NDJSON, JSON or XML).

    Exits 0 when every row was stored (or would be, with --dry-run), 3 when some rows were
    rejected (the others were stored), 2 when the file was refused or the import failed.
    """
    from hub.imports.mappings import save_mapping as store_mapping
    from hub.jobs.imports import Importer

    columns = _map_pairs(pairs)
    options = _load(ImportOptionsIn(), {
        "filename": file.name, "kind": kind, "format": fmt, "dry_run": dry_run, "encoding": encoding,
        "delimiter": delimiter, "mapping": mapping_name, "columns": columns})
    ctx.ready()
    importer = Importer(make_session_factory(ctx.engine, writer=True), ctx.settings.data_dir)
    with ctx.session() as session:
        try:
            if save_mapping:
                saved = combined(session, mapping_name, columns)
                store_mapping(session, _load(ColumnMappingIn(), {"name": save_mapping, "columns": saved}))
                options = {**options, "mapping": save_mapping, "columns": {}}
            job = importer.start(session, options, "cli")
            session.commit()
        except HubError as exc:
            session.rollback()
            _fail(exc)
            return
        job_id = job.id
    with click.progressbar(length=100, label=f"importing {file.name}", file=sys.stderr, show_percent=True) as bar:
        shown = [0]

        def advance(job: Any) -> None:
            step = int(job.progress * 100) - shown[0]
            bar.update(step)
            shown[0] += step

        job = importer.run(job_id, file, advance)
        bar.update(100 - shown[0])
    if report_to is not None:
        shutil.copyfile(importer.report_path(job_id), report_to)
    _import_summary(job, importer.report_path(job_id))


def _import_summary(job: Any, report: Path) -> None:
    if job.status == "failed":
        click.echo(f"import {job.id} failed: {job.error}", err=True)
        sys.exit(FileRefused.exit_code)
    mode = " (dry run: nothing was stored)" if job.dry_run else ""
    click.echo(f"import {job.id} of {job.filename}: {job.kind} from {job.format}{mode}")
    click.echo(f"  rows: {job.rows}  created: {job.created}  updated: {job.updated}  "
               f"unchanged: {job.unchanged}  rejected: {job.rejected}")
    if job.rejected:
        click.echo(f"first rejections (all {job.rejected} rows are in {report}):")
        for found in job.rejections[:SHOWN_REJECTIONS]:
            where = f" column {found['column']}" if found["column"] else ""
            value = f" value {found['value']!r}" if found["value"] else ""
            click.echo(f"  row {found['row']}{where}{value}: {found['reason']}")
        sys.exit(REJECTED_EXIT)


@main.command("export")
@click.option("--kind", type=click.Choice(KINDS), default="products", show_default=True)
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="csv", show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Write here (default: standard output, for csv and ndjson).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading a product export at once (default: one per core, "
                   "each with 20,000 products or more).")
@pass_context
def export_command(ctx: Context, kind: str, fmt: str, output: Path | None, workers: int | None) -> None:
    """Export products, product models or stock as flat CSV, XLSX or NDJSON (the API's shapes).

    An export imported into an empty hub gives back the same catalog.
    """
    from hub.exports.catalog_export import export

    options = _load(ExportOptionsIn(), {"kind": kind, "format": fmt})
    if output is None and options["format"] == "xlsx":
        raise click.UsageError("an XLSX export needs a file: give -o FILE")
    ctx.ready()
    run = partial(export, workers=workers, database_url=ctx.settings.database_url)
    with make_session_factory(ctx.engine)() as session:
        try:
            if output is None:
                count = run(session, options["kind"], options["format"], sys.stdout.buffer)
                sys.stdout.flush()
            else:
                with output.open("wb") as out:
                    count = run(session, options["kind"], options["format"], out)
        except HubError as exc:
            _fail(exc)
            return
    click.echo(f"exported {count} {options['kind']} as {options['format']}" + (f" to {output}" if output else ""), err=True)


if __name__ == "__main__":
    main()
