"""The diff page: what changed for the channel between its last two successful publications."""

from __future__ import annotations

from flask import render_template

from hub.publishing.item_diff import SAMPLE, compare_last_two
from hub.web.hub import hub, session
from hub.web.ui import channel_page


def show(code: str) -> str:
    channel = channel_page.service().get(code)
    comparison = compare_last_two(session(), hub().settings.data_dir, channel)
    return render_template("ui/channel_diff.html", channel=channel, comparison=comparison, sample=SAMPLE)
