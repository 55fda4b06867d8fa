"""The dashboard's overview: per channel, its last publication, how complete the products it
carries are (from the stored completeness), and the diagnostics found most often."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from hub.services.context import CatalogContext
from hub.store.completeness_repo import CompletenessRepo
from hub.store.models import Channel, Publication
from hub.store.repos import PublicationRepo

EXAMPLES = 5


@dataclass
class ChannelOverview:
    channel: Channel
    last: Publication | None
    products: int = 0  # carried by the channel's filter today
    complete: int = 0
    incomplete: list[str] = field(default_factory=list)  # the least complete few, to start fixing from

    @property
    def complete_share(self) -> float:
        return self.complete / self.products if self.products else 1.0


@dataclass(frozen=True)
class FrequentDiagnostic:
    channel: str
    severity: str
    code: str
    products: int  # in the channel's last succeeded publication


def channels(session: Session, ctx: CatalogContext) -> list[ChannelOverview]:
    """Every channel with its newest publication and the completeness of what it carries."""
    found = sorted(ctx.channels.values(), key=lambda c: c.code)
    last = PublicationRepo(session).last_for_channels(c.id for c in found)
    index = CompletenessRepo(session)
    tallies = index.tallies()
    return [ChannelOverview(channel, last.get(channel.id), *tallies.get(channel.id, (0, 0)),
                            index.incomplete_skus(channel.id, EXAMPLES))
            for channel in found]


def frequent_diagnostics(session: Session, ctx: CatalogContext, channel: str | None = None,
                         limit: int | None = None) -> list[FrequentDiagnostic]:
    """The diagnostics of each channel's last succeeded publication (or one channel's), the most
    frequent first."""
    by_id = {c.id: c for c in ctx.channels.values() if channel in (None, c.code)}
    repo = PublicationRepo(session)
    publications = repo.last_succeeded_for_channels(by_id)
    channel_of = {p.id: by_id[p.channel_id].code for p in publications.values()}
    rows = [FrequentDiagnostic(channel_of[pid], severity, code, count)
            for pid, severity, code, count in repo.diagnostic_counts(channel_of)]
    return rows[:limit] if limit is not None else rows
