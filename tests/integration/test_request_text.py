"""Text holding a NUL character, wherever a request carries it: refused with the place named,
nothing stored, never a server error (PostgreSQL refuses such text; SQLite stored it)."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from hub.store.models import Product, Version
from tests.factories import value
from tests.integration.helpers import (
    API, Headers, assert_problem, everything, finished, ndjson, read_ndjson, row_count, upload,
)

NUL = "\x00"


def test_a_nul_in_the_path_or_query_is_refused(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    assert_problem(client.get(f"{API}/products/a%00b", headers=tokens["viewer"]), 404)
    assert_problem(client.patch(f"{API}/products/ju%00ice", json={"enabled": False}, headers=tokens["editor"]), 404)
    assert_problem(client.get(f"{API}/products?after=a%00b", headers=tokens["viewer"]), 422, "after", "NUL")
    assert_problem(client.post(f"{API}/imports?encoding=K%00U&filename=a.csv", data=b"sku\nx\n", content_type="text/csv",
                               headers=tokens["editor"]), 422, "encoding", "NUL")
    assert client.get(f"{API}/imports", headers=tokens["viewer"]).json["items"] == []


def test_a_nul_in_a_form_field_is_refused(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    response = upload(client, tokens["editor"], b"sku;family\nx;drinks\n", encoding=f"K{NUL}U")
    assert_problem(response, 422, "encoding", "NUL")
    signed_in = client.post("/sign-in", data={"username": f"ad{NUL}min", "password": "x"})
    assert signed_in.status_code == 422, signed_in.get_data(as_text=True)[:300]


def test_a_nul_in_a_bulk_line_refuses_that_line_only(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    body = ndjson({"sku": "water", "family": "drinks", "values": {"name": value(f"Wa{NUL}ter", "en_US")}},
                  {"sku": "milk", "family": "drinks", "values": {"name": value("Milk", "en_US")}})
    results = read_ndjson(client.patch(f"{API}/products", data=body, content_type="application/x-ndjson",
                                       headers=tokens["editor"]))
    assert [(r["sku"], r["status"]) for r in results] == [("water", 422), ("milk", 201)]
    assert "NUL" in " ".join(results[0]["errors"]["values.name[0].data"])
    assert client.get(f"{API}/products/water", headers=tokens["viewer"]).status_code == 404


def test_a_nul_in_a_bulk_edit_is_refused(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    before = everything(client, tokens["admin"])
    response = client.post(f"{API}/bulk-edits", json={"action": "set_value", "attribute": "brand", "value": f"Ac{NUL}me",
                                                       "skus": ["juice"]}, headers=tokens["editor"])
    assert_problem(response, 422, "value", "NUL")
    assert everything(client, tokens["admin"]) == before


def test_a_nul_in_a_csv_cell_rejects_its_row_naming_the_column(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None
) -> None:
    versions = row_count(db_session, Version)
    csv = f"sku;family;name-en_US\napple;drinks;Ap{NUL}ple\npear;drinks;Pear\n".encode()
    job = finished(client, tokens["editor"], upload(client, tokens["editor"], csv).headers["Location"])
    assert (job["status"], job["created"], job["rejected"]) == ("succeeded", 1, 1), job
    [rejection] = job["rejections"]
    assert (rejection["row"], rejection["key"], rejection["column"]) == (2, "apple", "name-en_US")
    assert "NUL" in rejection["reason"]
    assert row_count(db_session, Product) == 3 and row_count(db_session, Version) == versions + 1


def test_a_nul_in_an_upload_name_is_refused(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    response = upload(client, tokens["editor"], b"sku;family\nx;drinks\n", name=f"sup{NUL}plier.csv")
    assert_problem(response, 422, "filename", "NUL")
    assert client.get(f"{API}/imports", headers=tokens["viewer"]).json["items"] == []


def test_an_oversize_body_is_refused_before_it_is_read(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    from hub.web.body_limits import BODY_MAX

    before = everything(client, tokens["admin"])
    huge = b'{"sku": "water", "family": "drinks", "values": {"name": [{"data": "' + b"x" * BODY_MAX + b'"}]}}'
    response = client.post(f"{API}/products", data=huge, content_type="application/json", headers=tokens["editor"])
    assert_problem(response, 413)
    assert everything(client, tokens["admin"]) == before
    lines = [{"sku": f"w{n}", "family": "drinks", "colour": "x" * 1000} for n in range(BODY_MAX // 1000 + 1)]  # each refused
    bulk = client.patch(f"{API}/products", data=ndjson(*lines), content_type="application/x-ndjson", headers=tokens["editor"])
    assert bulk.status_code == 200  # more than BODY_MAX in all, read line by line: no body limit here
    results = read_ndjson(bulk)
    assert len(results) == len(lines) and {r["status"] for r in results} == {422}


def test_deeply_nested_json_is_refused_as_malformed(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    for depth in (65, 5000):  # past our bound, and past the parser's own recursion
        nested = "[" * depth + "]" * depth
        body = '{"sku": "w1", "family": "drinks", "values": {"name": [{"locale": "en_US", "data": ' + nested + "}]}}"
        assert_problem(client.post(f"{API}/products", data=body, content_type="application/json", headers=tokens["editor"]),
                       422, "body", "nested more than 64 levels")
        assert_problem(client.patch(f"{API}/products/juice", data=body.replace('"sku": "w1", ', ""),
                                    content_type="application/merge-patch+json", headers=tokens["editor"]), 422, "body", "nested")
        [line] = read_ndjson(client.patch(f"{API}/products", data=body + "\n", content_type="application/x-ndjson",
                                          headers=tokens["editor"]))
        assert line["status"] == 422 and "nested more than 64 levels" in line["errors"]["body"][0]
    assert client.get(f"{API}/products/w1", headers=tokens["viewer"]).status_code == 404
    fine = '{"sku": "w1", "family": "drinks", "values": {"name": [{"locale": "en_US", "data": "Water"}]}}'
    assert client.post(f"{API}/products", data=fine, content_type="application/json", headers=tokens["editor"]).status_code == 201
