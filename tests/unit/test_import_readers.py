"""The import readers on real files: encodings, delimiters, formula cells, JSON streams, and the
limits that refuse hostile archives and XML before they can do harm."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from hub.imports.csv_reader import CsvSource
from hub.imports.errors import FileRefused
from hub.imports.formats import detect_format
from hub.imports.json_reader import JsonArraySource, NdjsonSource
from hub.imports.limits import ReadLimits
from hub.imports.report import column_of
from hub.imports.spreadsheet_cells import neutralize, neutralized, restore
from hub.imports.text_encoding import detect_encoding
from hub.imports.xlsx_reader import XlsxSource
from hub.imports.xml_reader import XmlSource

ROWS = [["sku", "name-fr_FR"], ["pain-1", "Pain brioché"], ["cafe-2", "Café crème, 250 g"]]


def write_text(path: Path, text: str, encoding: str) -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def read_all(source) -> list[tuple[int, dict[str, str] | None, str]]:
    try:
        return [(row.number, row.cells, row.problem) for row in source.rows()]
    finally:
        source.close()


@pytest.mark.parametrize("encoding, detected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("latin-1", "cp1252")])
def test_the_encoding_is_detected_and_accents_read_right(tmp_path: Path, encoding: str, detected: str) -> None:
    path = write_text(tmp_path / "f.csv", "\r\n".join(",".join(f'"{c}"' if "," in c else c for c in r) for r in ROWS) + "\r\n", encoding)
    assert detect_encoding(path) == detected
    rows = read_all(CsvSource(path))
    assert rows == [(2, {"sku": "pain-1", "name-fr_FR": "Pain brioché"}, ""),
                    (3, {"sku": "cafe-2", "name-fr_FR": "Café crème, 250 g"}, "")]


def test_an_accent_far_down_a_long_file_still_makes_it_latin(tmp_path: Path) -> None:
    lines = ["sku,name"] + [f"s{i},plain" for i in range(20_000)] + ["last,Crème"]
    path = write_text(tmp_path / "f.csv", "\n".join(lines) + "\n", "latin-1")
    assert detect_encoding(path) == "cp1252"
    assert read_all(CsvSource(path))[-1][1] == {"sku": "last", "name": "Crème"}


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_the_delimiter_is_sniffed_from_the_header(tmp_path: Path, delimiter: str) -> None:
    text = f"sku{delimiter}name-en_US{delimiter}categories\nt-1{delimiter}Tee{delimiter}\"tops,apparel\"\n"
    source = CsvSource(write_text(tmp_path / "f.csv", text, "utf-8"))
    assert source.delimiter == delimiter
    assert read_all(source) == [(2, {"sku": "t-1", "name-en_US": "Tee", "categories": "tops,apparel"}, "")]


def test_a_declared_delimiter_and_encoding_win(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.csv", "sku;name,with comma\nx;a,b\n", "utf-8")
    source = CsvSource(path, delimiter=";", encoding="latin-1")
    assert source.headers == ["sku", "name,with comma"]
    assert read_all(source) == [(2, {"sku": "x", "name,with comma": "a,b"}, "")]


def test_rows_with_the_wrong_number_of_cells_are_reported_by_spreadsheet_row(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.csv", "sku,name\na,A\n\nb\nc,C,extra\nd,D\n", "utf-8")
    rows = read_all(CsvSource(path))
    assert [(n, p) for n, _, p in rows] == [(2, ""), (4, "1 cells, but the header names 2 columns"),
                                           (5, "3 cells, but the header names 2 columns"), (6, "")]


def test_a_file_without_a_header_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileRefused, match="header"):
        CsvSource(write_text(tmp_path / "f.csv", "\n\n", "utf-8"))


@pytest.mark.parametrize("text", [
    "=1+1", "+33 1 23", "-5", "@SUM(A1)", "\tx", "\rx", "'", "''", "'=x", "'plain", "plain", "", "a=b", "=",
])
def test_neutralized_cells_come_back_exactly(text: str) -> None:
    cell = neutralize(text)
    assert not cell.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert restore(cell) == text
    assert neutralized([text, "plain", text]) == [cell, "plain", cell]  # the row's form, cell by cell the same


def test_a_suppliers_own_leading_quote_before_plain_text_is_kept() -> None:
    assert restore("'hello") == "'hello"
    assert restore("'=SUM(A1)") == "=SUM(A1)"


def xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def test_xlsx_rows_are_read_as_text_with_numbers_and_dates_as_people_write_them(tmp_path: Path) -> None:
    from datetime import date, datetime

    path = xlsx(tmp_path / "f.xlsx", [["sku", "ean", "rating", "launch", "organic", "name"],
                                      ["a", 4006381333931, 4.5, date(2024, 5, 1), True, "'=quoted"],
                                      [None, None, None, None, None, None],
                                      ["b", "0012", 3.0, datetime(2024, 5, 1, 12, 30), False, None]])
    source = XlsxSource(path)
    assert source.total == 3
    assert read_all(source) == [
        (2, {"sku": "a", "ean": "4006381333931", "rating": "4.5", "launch": "2024-05-01", "organic": "true", "name": "=quoted"}, ""),
        (4, {"sku": "b", "ean": "0012", "rating": "3", "launch": "2024-05-01T12:30:00", "organic": "false", "name": ""}, ""),
    ]


def test_an_xlsx_value_right_of_the_last_named_column_is_reported(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "f.xlsx", [["sku", "name"], ["a", "A", "stray"]])
    assert read_all(XlsxSource(path)) == [(2, None, "a cell right of the last named column holds a value; name its column")]


def zip_bomb(path: Path, megabytes: int) -> Path:
    """A workbook-shaped zip whose sheet is many megabytes of zeros squeezed into a few kilobytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            zeros = b"0" * (1 << 20)
            for _ in range(megabytes):
                sheet.write(zeros)
    return path


def test_a_zip_bomb_is_refused_before_it_is_opened(tmp_path: Path) -> None:
    path = zip_bomb(tmp_path / "bomb.xlsx", 64)
    assert path.stat().st_size < 1 << 20
    with pytest.raises(FileRefused, match="zip bomb") as refused:
        XlsxSource(path)
    assert "over the limit of 200 to 1" in refused.value.detail


def test_too_much_uncompressed_data_or_too_many_entries_is_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "f.xlsx", [["sku"], ["a"]])
    with pytest.raises(FileRefused, match="more than the limit of 1000 bytes"):
        XlsxSource(path, limits=ReadLimits(max_uncompressed=1000))
    with pytest.raises(FileRefused, match="more than the limit of 3"):
        XlsxSource(path, limits=ReadLimits(max_entries=3))


def test_rows_and_cells_beyond_the_limits_are_refused(tmp_path: Path) -> None:
    path = xlsx(tmp_path / "f.xlsx", [["sku", "name"]] + [[f"s{i}", "x"] for i in range(30)])
    with pytest.raises(FileRefused, match="31 rows, more than the limit of 10"):
        XlsxSource(path, limits=ReadLimits(max_rows=10))
    with pytest.raises(FileRefused, match="more than 20 cells"):
        read_all(XlsxSource(path, limits=ReadLimits(max_cells=20)))


def test_a_file_that_is_not_a_zip_is_refused(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.xlsx", "sku,name\n", "utf-8")
    with pytest.raises(FileRefused, match="not an XLSX file"):
        XlsxSource(path)


def test_xml_rows_are_read_in_the_flat_shape(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.xml", """<?xml version="1.0" encoding="UTF-8"?>
<rows>
  <row><cell column="sku">a</cell><cell column="name-fr_FR">Crème &amp; café</cell></row>
  <!-- a comment -->
  <row><cell column="sku">b</cell><cell column="name-fr_FR"/></row>
  <row><cell column="sku">c</cell><cell column="sku">d</cell></row>
</rows>""", "utf-8")
    assert read_all(XmlSource(path)) == [(3, {"sku": "a", "name-fr_FR": "Crème & café"}, ""),
                                         (5, {"sku": "b", "name-fr_FR": ""}, ""),
                                         (6, None, "column 'sku' is given twice")]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rows [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rows><row><cell column="sku">a</cell><cell column="name-en_US">&lol9;</cell></row></rows>"""


def test_a_billion_laughs_file_is_refused_without_expanding_it(tmp_path: Path) -> None:
    path = write_text(tmp_path / "laughs.xml", BILLION_LAUGHS, "utf-8")
    with pytest.raises(FileRefused, match="DOCTYPE"):
        read_all(XmlSource(path))


def test_an_external_entity_is_refused_and_the_file_it_names_is_never_read(tmp_path: Path) -> None:
    secret = write_text(tmp_path / "secret.txt", "TOP-SECRET-42", "utf-8")
    path = write_text(tmp_path / "xxe.xml", f"""<?xml version="1.0"?>
<!DOCTYPE rows [<!ENTITY secret SYSTEM "file://{secret}">]>
<rows><row><cell column="sku">a</cell><cell column="name-en_US">&secret;</cell></row></rows>""", "utf-8")
    with pytest.raises(FileRefused, match="DOCTYPE") as refused:
        read_all(XmlSource(path))
    assert "TOP-SECRET" not in str(refused.value)


def test_broken_xml_is_refused_with_the_parsers_reason(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.xml", "<rows><row><cell column='sku'>a</row></rows>", "utf-8")
    with pytest.raises(FileRefused, match="the XML cannot be read"):
        read_all(XmlSource(path))


def test_ndjson_lines_are_numbered_and_a_malformed_one_is_a_row_problem(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.ndjson", '{"sku": "a"}\n\n{"sku": \n{"sku": "c"}\n', "utf-8")
    rows = [(row.number, row.body, row.problem[:14]) for row in NdjsonSource(path).rows()]
    assert rows == [(1, {"sku": "a"}, ""), (3, None, "malformed JSON"), (4, {"sku": "c"}, "")]


def test_a_line_over_the_record_limit_is_a_row_problem(tmp_path: Path) -> None:
    path = write_text(tmp_path / "f.ndjson", '{"sku": "a"}\n{"sku": "' + "x" * 500 + '"}\n{"sku": "c"}\n', "utf-8")
    rows = [(row.number, row.problem) for row in NdjsonSource(path, limits=ReadLimits(max_record_bytes=100)).rows()]
    assert rows == [(1, ""), (2, "the line is longer than the limit of 100 bytes"), (3, "")]


def test_a_json_array_is_streamed_element_by_element_across_chunks(tmp_path: Path) -> None:
    items = [{"sku": f"s{i}", "values": {"name": [{"locale": "en_US", "scope": None, "data": "é" * (i % 50)}]},
              "price": 12345678901234567890 + i} for i in range(3000)]
    path = tmp_path / "f.json"
    path.write_text(json.dumps(items, indent=1, ensure_ascii=False), encoding="utf-8")
    assert path.stat().st_size > 5 * (1 << 16)
    source = JsonArraySource(path)
    read = [row.body for row in source.rows()]
    assert read == items
    assert source.fraction() == 1.0


@pytest.mark.parametrize("text, reason", [("{}", "array of objects"), ('[{"a": 1} {"b": 2}]', "expected ',' or ']'"),
                                          ('[{"a": 1}, {"b": ', "malformed JSON")])
def test_a_broken_json_array_is_refused(tmp_path: Path, text: str, reason: str) -> None:
    path = write_text(tmp_path / "f.json", text, "utf-8")
    with pytest.raises(FileRefused, match=reason):
        source = JsonArraySource(path)
        list(source.rows())


def test_an_empty_json_array_has_no_rows(tmp_path: Path) -> None:
    assert list(JsonArraySource(write_text(tmp_path / "f.json", " [ ] ", "utf-8")).rows()) == []


@pytest.mark.parametrize("name, content, fmt", [
    ("a.CSV", b"x", "csv"), ("a.tsv", b"x", "csv"), ("a.xlsx", b"x", "xlsx"), ("a.jsonl", b"x", "ndjson"),
    ("a.json", b"x", "json"), ("a.xml", b"x", "xml"), ("upload", b"PK\x03\x04rest", "xlsx"), ("upload", b"\xef\xbb\xbf <rows/>", "xml"),
    ("upload", b"[{}]", "json"), ("upload", b'{"sku": 1}', "ndjson"), ("upload", b"sku,name", "csv"),
])
def test_the_format_comes_from_the_name_else_the_first_bytes(tmp_path: Path, name: str, content: bytes, fmt: str) -> None:
    path = tmp_path / "file"
    path.write_bytes(content)
    assert detect_format(path, name) == fmt


def test_a_field_path_is_reported_on_the_nearest_column_that_set_it() -> None:
    origins = {"values.ean[0]": "EAN", "values.ean": "EAN", "offers[1].sale_price": "Sale", "offers[1]": "Price",
               "categories": "Cats", "family": "Family"}
    assert column_of("values.ean[0].data", origins) == "EAN"
    assert column_of("values.ean", origins) == "EAN"
    assert column_of("offers[1].sale_price", origins) == "Sale"
    assert column_of("offers[1].sale_end", origins) == "Price"
    assert column_of("categories[2]", origins) == "Cats"
    assert column_of("values", origins) == ""
    assert column_of("media[0].path", origins) == ""
