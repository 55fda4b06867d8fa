"""The prolog check: a DOCTYPE is found before any parser runs, in any encoding and across reads,
and nothing else is mistaken for one."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub.imports.errors import FileRefused
from hub.imports.xlsx_reader import XlsxSource
from hub.imports.xml_prolog import CHUNK, refuse_dtd
from hub.imports.xml_reader import XmlSource

DTD = '<!DOCTYPE rows [<!ENTITY x "x">]>'
BODY = '<rows><row><cell column="sku">a</cell></row></rows>'


def refused(data: bytes) -> str | None:
    """The refusal's message, or None when the prolog has no DOCTYPE."""
    try:
        refuse_dtd(io.BytesIO(data))
    except FileRefused as exc:
        return str(exc)
    return None


# cp500 writes "!" unlike cp037, the EBCDIC the first bytes suggest: it is found only as declared.
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32",
                                      "utf-32-le", "utf-32-be", "cp037", "cp500"])
def test_a_doctype_is_found_in_every_encoding_a_parser_would_read(encoding: str) -> None:
    declaration = f'<?xml version="1.0" encoding="{encoding.removesuffix("-sig")}"?>'
    assert refused(f"{declaration}\n{DTD}{BODY}".encode(encoding)) == (
        "the XML file declares a DOCTYPE; DTDs and entities are refused for safety, remove it")
    assert refused(f"{declaration}\n{BODY}".encode(encoding)) is None


def test_a_doctype_is_found_in_the_encoding_the_declaration_names() -> None:
    # UTF-7 writes "<" as "+ADw-": only a reader that decodes as declared sees the DOCTYPE.
    hidden = b'<?xml version="1.0" encoding="UTF-7"?>' + f"{DTD}{BODY}".replace("<", "+ADw-").encode()
    assert hidden.decode("utf-7").endswith(DTD + BODY)
    assert b"<!DOCTYPE" not in hidden
    assert refused(hidden) is not None
    latin = '<?xml version="1.0" encoding="ISO-8859-1"?><!-- café -->' + DTD + BODY
    assert refused(latin.encode("latin-1")) is not None


def test_comments_and_instructions_before_the_doctype_are_skipped_even_when_split_across_reads() -> None:
    for filler in (10, CHUNK - 30, CHUNK - 31, CHUNK - 32, 3 * CHUNK):  # "-->" and "?>" land on every boundary
        prolog = f'<?xml version="1.0"?>\n<!-- {"c" * filler} --><?style {"p" * filler}?>\n  '
        assert refused((prolog + DTD + BODY).encode()) is not None, filler
        assert refused((prolog + BODY).encode()) is None, filler


def test_a_doctype_inside_a_comment_or_after_the_root_is_not_the_prologs() -> None:
    assert refused(f"<!-- {DTD} -->{BODY}".encode()) is None
    assert refused(f"{BODY}{DTD}".encode()) is None


@pytest.mark.parametrize("data", [b"", b"   ", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40, b"<!-- never closed",
                                  b"<?xml version='1.0' encoding='no-such-codec'?><rows/>", b"<!DOC"])
def test_what_has_no_doctype_is_left_to_the_parser(data: bytes) -> None:
    assert refused(data) is None


def test_an_xml_file_in_utf16_with_a_doctype_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "rows.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="UTF-16"?>{DTD}{BODY}'.encode("utf-16"))
    with pytest.raises(FileRefused, match="the XML file declares a DOCTYPE"):
        XmlSource(path)


def hidden_from_python(xml: str) -> bytes:
    """``xml`` in UTF-7 under a name libxml2 knows (through iconv) and Python's codecs do not."""
    return b'<?xml version="1.0" encoding="CSUNICODE11UTF7"?>' + xml.replace("<", "+ADw-").replace(">", "+AD4-").encode()


def test_a_doctype_in_an_encoding_only_the_parser_knows_is_refused_after_parsing(tmp_path: Path) -> None:
    path = tmp_path / "rows.xml"
    path.write_bytes(hidden_from_python('<!DOCTYPE rows><rows><row><cell column="sku">a</cell></row></rows>'))
    source = XmlSource(path)  # the prolog check cannot read it
    with pytest.raises(FileRefused, match="the XML file declares a DOCTYPE"):
        list(source.rows())


def test_a_billion_laughs_in_an_encoding_only_the_parser_knows_is_refused_whatever_the_parser(tmp_path: Path) -> None:
    # lxml 6 stops at its amplification limit (an entity refusal), lxml 5 parses the DTD unexpanded
    # (the DOCTYPE refusal after parsing): either way our refusal, never the parser's words.
    entities = "".join(f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10))
    path = tmp_path / "rows.xml"
    path.write_bytes(hidden_from_python(f'<!DOCTYPE rows [<!ENTITY l0 "lol">{entities}]>'
                                        '<rows><row><cell column="sku">&l9;</cell></row></rows>'))
    with pytest.raises(FileRefused, match="DTDs and entities are refused for safety") as refusal:
        list(XmlSource(path).rows())
    assert "amplification" not in str(refusal.value)


def test_an_undeclared_entity_is_refused_as_an_entity_not_as_a_parser_error(tmp_path: Path) -> None:
    path = tmp_path / "rows.xml"
    path.write_text('<rows>\n<row><cell column="sku">a&nbsp;b</cell></row></rows>')
    with pytest.raises(FileRefused) as refusal:
        list(XmlSource(path).rows())
    assert str(refusal.value).startswith("line 2: the XML file uses an entity other than &amp;")
    assert "refused for safety" in str(refusal.value)


@pytest.mark.parametrize("part", ["[Content_Types].xml", "xl/workbook.xml", "xl/styles.xml",
                                  "xl/worksheets/sheet1.xml", "xl/_rels/workbook.xml.rels"])
def test_a_doctype_in_any_part_of_an_xlsx_file_is_refused_naming_the_part(tmp_path: Path, part: str) -> None:
    book = Workbook()
    book.active.append(["sku", "name-en_US"])
    book.active.append(["a", "b"])
    book.save(tmp_path / "good.xlsx")
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(tmp_path / "good.xlsx") as good, zipfile.ZipFile(hostile, "w") as out:
        assert part in good.namelist()
        for info in good.infolist():
            data = good.read(info.filename)
            if info.filename == part:
                declaration, rest = data.split(b"?>", 1) if data.startswith(b"<?xml") else (b"", data)
                data = (declaration + b"?>" if declaration else b"") + DTD.encode() + rest
            out.writestr(info, data)
    with pytest.raises(FileRefused) as refusal:
        XlsxSource(hostile)
    assert str(refusal.value) == (
        f"'{part}' in the XLSX archive declares a DOCTYPE; DTDs and entities are refused for safety, remove it")
    assert list(XlsxSource(tmp_path / "good.xlsx").rows())[0].cells == {"sku": "a", "name-en_US": "b"}
