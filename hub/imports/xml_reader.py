"""XML files in Crosscanal's flat shape, parsed with entity expansion and network access off.

The shape carries the same columns as CSV, one ``row`` element per record::

    <rows>
      <row>
        <cell column="sku">tee-red-s</cell>
        <cell column="name-en_US">Classic tee</cell>
      </row>
    </rows>

The root element's name is free. A column without a ``cell`` is left as it is, like a column
missing from a CSV file. A file with a DOCTYPE is refused outright: entity declarations are how
billion-laughs and external-entity attacks work, and no product file needs one. The prolog is read
first (``xml_prolog``), so the refusal and its message do not depend on the XML library installed;
a DTD the prolog check cannot see (in an encoding only the parser knows, such as iconv's
CSUNICODE11UTF7) is still refused after parsing,
and a parser's own entity errors are reported as the same refusal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

from lxml import etree

from hub.imports.errors import FileRefused
from hub.imports.limits import ReadLimits
from hub.imports.rows import Row
from hub.imports.xml_prolog import REFUSAL, refuse_dtd


class XmlSource:
    """Rows of an XML file, numbered by the line their ``row`` element starts on."""

    format = "xml"
    headers = None
    total = None

    def __init__(self, path: Path, *, limits: ReadLimits = ReadLimits()) -> None:
        self.limits = limits
        self._file = path.open("rb")
        try:
            refuse_dtd(self._file)
        except FileRefused:
            self._file.close()
            raise
        self._file.seek(0)
        self._size = max(1, path.stat().st_size)
        self._events = etree.iterparse(
            self._file, events=("start", "end"), resolve_entities=False, no_network=True, huge_tree=False,
            load_dtd=False, dtd_validation=False, remove_comments=True, remove_pis=True,
        )
        self._root: Any = None

    def _refuse_dtd(self, element: Any) -> None:
        info = element.getroottree().docinfo
        if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
            raise FileRefused(f"the XML file {REFUSAL}")

    def rows(self) -> Iterator[Row]:
        count = 0
        try:
            for event, element in self._events:
                if self._root is None:
                    self._root = element
                    self._refuse_dtd(element)
                    continue
                if event != "end" or element.tag != "row" or element.getparent() is not self._root:
                    continue
                count += 1
                if count > self.limits.max_rows * 10:
                    raise FileRefused(f"more than {self.limits.max_rows * 10} rows; split the file")
                yield self._row(element)
                element.clear()
                # Rows already read are dropped from the tree, so memory stays flat.
                while element.getprevious() is not None:
                    del self._root[0]
        except etree.XMLSyntaxError as exc:
            # iterparse may raise a bare "no element found"; the log's last entry holds the cause.
            cause = exc.error_log.last_error
            if cause is not None and "entity" in cause.message.lower():  # undeclared, looping, amplified
                raise FileRefused(f"line {cause.line}: the XML file uses an entity other than &amp; &lt; &gt; "
                                  "&quot; &apos; or a character reference; DTDs and entities are refused "
                                  "for safety, remove it") from exc
            raise FileRefused(f"the XML cannot be read: {exc}") from exc

    def _row(self, element: Any) -> Row:
        cells: dict[str, str] = {}
        for cell in element:
            if not isinstance(cell.tag, str):
                continue  # an entity reference left unexpanded, or the like: never content
            name = cell.get("column")
            if cell.tag != "cell" or not name:
                return Row(element.sourceline or 0, problem=f"expected <cell column=\"...\"> elements, found <{cell.tag}>")
            if len(cell):
                return Row(element.sourceline or 0, problem=f"cell '{name}' holds elements; a cell holds text only")
            if name in cells:
                return Row(element.sourceline or 0, problem=f"column '{name}' is given twice")
            cells[name.strip()] = cell.text or ""
        return Row(element.sourceline or 0, cells=cells)

    def fraction(self) -> float:
        return min(1.0, self._file.tell() / self._size) if not self._file.closed else 1.0

    def close(self) -> None:
        self._file.close()
