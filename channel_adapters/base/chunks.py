"""Writing a feed as chunks of bytes: a head, one chunk per item, a tail, for each file.

An adapter that can say what bytes one item becomes, apart from every other item, writes at
string speed (no DOM per item), and its files can be cut into parts and stitched again: the
pipeline's shards and incremental republishing keep and reuse those per-item bytes. ``write``
is then the same loop for every such adapter, ``write_chunked``.
"""

from __future__ import annotations

import csv
import itertools
import re
from functools import lru_cache
from typing import Any, Iterable, Iterator, Mapping, Protocol, Sequence, TextIO, runtime_checkable

from channel_adapters.base.contract import InvalidOutput, Item, Outputs, RenderContext

Chunks = Mapping[str, bytes]  # file name -> bytes

# Characters XML 1.0 does not allow in a document, even escaped: left out of the text.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@runtime_checkable
class ChunkedAdapter(Protocol):
    def head(self, ctx: RenderContext) -> Chunks:
        """What each file starts with; its keys are the files written."""
        ...

    def chunk(self, item: Item, ctx: RenderContext) -> Chunks:
        """The bytes one item (never an excluded one) adds to each file."""
        ...

    def tail(self, ctx: RenderContext) -> Chunks:
        ...


def write_chunked(adapter: ChunkedAdapter, items: Iterable[Item], outputs: Outputs, ctx: RenderContext) -> None:
    """Head, the chunks of the items that are not excluded in order, tail: the whole feed."""
    head = adapter.head(ctx)
    streams = {name: outputs.open(name) for name in head}
    for name, data in head.items():
        streams[name].write(data)
    for item in items:
        if not item.excluded:
            for name, data in adapter.chunk(item, ctx).items():
                streams[name].write(data)
    for name, data in adapter.tail(ctx).items():
        streams[name].write(data)


def xml_text(value: Any) -> str:
    """Text as XML element content: escaped, with characters XML cannot hold removed."""
    return xml_clean(xml_escape(value))


def xml_clean(text: str) -> str:
    """``text`` without the characters XML cannot hold: run once over a whole item's markup,
    which costs one regex pass instead of one per field."""
    if text.isprintable():  # every character _NOT_XML names is a control, a surrogate or a non-character
        return text
    return _NOT_XML.sub("", text)


def xml_escape(value: Any) -> str:
    """Text as XML element content, escaped (``xml_clean`` removes what XML cannot hold)."""
    text = value if type(value) is str else str(value)
    if "&" in text or "<" in text or ">" in text or "\r" in text:  # seldom: one scan each, in C
        # A parser would read a bare CR as a line feed, hence its reference.
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
    return text


def plain_cells(cells: list[str]) -> bool:
    """Whether these cells go into a TSV row as they are and into XML text with only ``&``,
    ``<`` and ``>`` escaped: nothing to remove (``xml_clean``), squeeze (a tab, a line break,
    runs of spaces, spaces at either end) or quote (``"``). One scan of the joined cells
    instead of a check per cell: a stray ``|`` in a cell can only send it down the careful
    path, never past it."""
    probe = "|".join(cells)
    return (probe.isprintable() and "  " not in probe and " |" not in probe and "| " not in probe
            and probe[:1] != " " and probe[-1:] != " " and '"' not in probe)


def read_rows(text: TextIO, name: str, columns: Sequence[str], delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Each row after the header, with its line number, once the header is ``columns`` and the
    row has as many cells; raises InvalidOutput. A line without a quote is split at its
    delimiters, which is how ``csv.reader`` reads it at a tenth of the cost; from the first
    quote on (a quoted cell may hold a delimiter or a line break), ``csv.reader`` reads."""
    lines = iter(text)
    width, number = len(columns), 1
    header = next(lines, None)
    if header is None or '"' in header or header.rstrip("\r\n").split(delimiter) != list(columns):
        if header is None or next(csv.reader([header], delimiter=delimiter), None) != list(columns):
            raise InvalidOutput(f"{name} has an unexpected header")
    for line in lines:
        number += 1
        if '"' in line:
            lines = itertools.chain([line], lines)
            break
        row = line.rstrip("\r\n").split(delimiter)
        if len(row) != width:
            raise InvalidOutput(f"{name} line {number} has {len(row)} cells, not {width}")
        yield number, row
    else:
        return
    reader = csv.reader(lines, delimiter=delimiter)
    before = number - 1  # lines read before the reader's first
    for row in reader:
        if len(row) != width:
            raise InvalidOutput(f"{name} line {before + reader.line_num} has {len(row)} cells, not {width}")
        yield before + reader.line_num, row


class RowFormatter:
    """One CSV or TSV row as a string, exactly as ``csv.writer`` with these options writes it.

    With minimal quoting, a row of text cells that holds no quote, line break or delimiter
    inside a cell is the cells joined, which costs a fifth of the writer's call: most rows of
    a feed; any other row goes through the writer."""

    def __init__(self, **options: Any) -> None:
        self._last = ""
        self._writer = csv.writer(self, **options)
        dialect = self._writer.dialect
        self._plain = (dialect.quoting == csv.QUOTE_MINIMAL and dialect.escapechar is None and dialect.quotechar == '"'
                       and dialect.lineterminator == "\n" and len(dialect.delimiter) == 1)
        self._delimiter = dialect.delimiter

    def write(self, text: str) -> None:
        self._last = text

    def row(self, cells: Sequence[Any]) -> str:
        if self._plain and len(cells) > 1:
            try:
                line = self._delimiter.join(cells)
            except TypeError:  # a cell that is not text: the writer formats it
                pass
            else:
                if (line.count(self._delimiter) == len(cells) - 1 and '"' not in line and "\n" not in line
                        and "\r" not in line):
                    return line + "\n"
        self._writer.writerow(cells)
        return self._last


@lru_cache(maxsize=None)
def row_formatter(delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> RowFormatter:
    """A shared formatter for rows ending in a line feed."""
    return RowFormatter(delimiter=delimiter, lineterminator="\n", quoting=quoting)
