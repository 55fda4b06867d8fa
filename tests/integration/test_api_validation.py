"""Bad input for every resource: a 422 problem naming the field path and why, and nothing stored."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse

from hub.store.models import Version
from tests.factories import value
from tests.integration.conftest import BAD_EAN, GOOD_EAN
from tests.integration.helpers import API, Headers, assert_problem, everything, row_count

LONG_NAME = "n" * 151  # the factories' name attribute allows 150 characters


@dataclass(frozen=True)
class Send:
    """One request: ``body`` is JSON unless it is a ``str``, which is sent as raw JSON text."""

    method: str
    path: str
    body: Any
    role: str = "editor"


@dataclass(frozen=True)
class Bad:
    request: Send
    field: str
    reasons: tuple[str, ...]


# A body each resource accepts; the bad cases below are these with one thing broken.
VALID: dict[str, Send] = {
    "attributes": Send("POST", "/attributes", {"code": "weight", "type": "number", "labels": {"en_US": "Weight"}}),
    "families": Send("POST", "/families", {"code": "shoes", "attributes": ["name", "brand"],
                                           "requirements": {"web": ["name"]}}),
    "categories": Send("POST", "/categories", {"code": "shoes", "parent": "apparel", "labels": {"en_US": "Shoes"}}),
    "locations": Send("POST", "/locations", {"code": "lyon", "type": "store", "name": "Lyon", "country": "FR",
                                             "address": {"city": "Lyon"}}),
    "channels": Send("POST", "/channels", {"code": "amazon", "adapter": "bmecat", "locale": "en_US", "currency": "USD",
                                           "country": "US"}, role="admin"),
    "locales": Send("POST", "/locales", {"code": "de_DE", "label": "German"}, role="admin"),
    "currencies": Send("POST", "/currencies", {"code": "GBP", "label": "Pound"}, role="admin"),
    "product-models": Send("POST", "/product-models", {"code": "hoodie", "family": "tees", "variant_axes": ["size"],
                                                       "values": {"name": value("Hoodie", "en_US")}}),
    "products": Send("POST", "/products", {"sku": "water", "family": "drinks",
                                           "values": {"name": value("Water", "en_US"), "ean": value(GOOD_EAN)},
                                           "offers": [{"currency": "EUR", "price": "1.00"}]}),
    "stock": Send("POST", "/stock", [{"sku": "juice", "location": "wh", "quantity": 3}]),
    "brand-guide": Send("PUT", "/brand-guide", {"brand_names": ["Acme", "Zest"], "banned_words": ["cheap"],
                                               "title_template": "{brand} {name}"}),
}


def changed(resource: str, **fields: Any) -> Send:
    """The resource's valid request with ``fields`` replaced (or added)."""
    base = VALID[resource]
    return Send(base.method, base.path, {**copy.deepcopy(base.body), **fields}, base.role)


def send(client: FlaskClient, request: Send, headers: Headers) -> TestResponse:
    kwargs: dict[str, Any] = {"headers": headers}
    if isinstance(request.body, str):
        kwargs.update(data=request.body, content_type="application/json")
    else:
        kwargs["json"] = request.body
    return client.open(API + request.path, method=request.method, **kwargs)


CASES: dict[str, Bad] = {
    # attributes
    "attributes: unknown type": Bad(changed("attributes", type="weight"), "type", ("one of",)),
    "attributes: flag of the wrong type": Bad(changed("attributes", localizable="maybe"), "localizable", ("boolean",)),
    # found by fuzzing: JSON booleans are true and false, not 0, 1 or "yes"; codes fit their columns
    "attributes: flag given as 1": Bad(changed("attributes", localizable=1), "localizable", ("boolean",)),
    "attributes: flag given as yes": Bad(changed("attributes", scopable="yes"), "scopable", ("boolean",)),
    "products: enabled given as 0": Bad(changed("products", enabled=0), "enabled", ("boolean",)),
    "channels: a code longer than its column": Bad(changed("channels", code="c" * 65), "code", ("64",)),
    "locations: a code longer than its column": Bad(changed("locations", code="l" * 65), "code", ("64",)),
    "channels: a schedule longer than its column": Bad(changed("channels", schedule="0 3 * * " + "1," * 50 + "1"),
                                                       "schedule", ("100",)),
    "attributes: label in an unknown locale": Bad(changed("attributes", labels={"de_DE": "Gewicht"}), "labels.de_DE",
                                                  ("unknown locale",)),
    "attributes: code too long": Bad(changed("attributes", code="w" * 101), "code", ("length",)),
    "attributes: rule of the wrong type": Bad(changed("attributes", validation={"max_length": "long"}),
                                              "validation.max_length", ("integer",)),
    "attributes: gtin format on a number": Bad(changed("attributes", validation={"format": "gtin"}), "validation",
                                               ("identifier",)),
    "attributes: measurement without unit": Bad(changed("attributes", type="measurement"), "unit", ("unit",)),
    "attributes: select without options": Bad(changed("attributes", type="select"), "options", ("option",)),
    "attributes: type of an existing one changes": Bad(
        Send("PUT", "/attributes/name", {"code": "name", "type": "number", "localizable": True}), "type", ("cannot change",)),
    "attributes: patch with a bad pattern": Bad(
        Send("PATCH", "/attributes/name", {"validation": {"pattern": "(unclosed"}}), "validation.pattern", ("regular expression",)),
    # families
    "families: unknown attribute": Bad(changed("families", attributes=["name", "colour"]), "attributes[1]",
                                       ("unknown attribute", "colour")),
    "families: attributes not a list": Bad(changed("families", attributes="name"), "attributes", ("list",)),
    "families: requirement outside the family": Bad(
        changed("families", requirements={"web": ["name", "ean"]}), "requirements.web[1]", ("ean", "not among")),
    "families: requirement for an unknown channel": Bad(
        changed("families", requirements={"amazon": ["name"]}), "requirements.amazon", ("unknown channel",)),
    "families: code too long": Bad(changed("families", code="f" * 101), "code", ("length",)),
    "families: patch requiring an attribute it lacks": Bad(
        Send("PATCH", "/families/tees", {"requirements": {"web": ["name", "net_content"]}}), "requirements.web[1]",
        ("net_content", "not among")),
    # categories
    "categories: unknown parent": Bad(changed("categories", parent="footwear"), "parent", ("unknown category",)),
    "categories: code with spaces": Bad(changed("categories", code="summer sale"), "code", ("letters, digits",)),
    "categories: labels not an object": Bad(changed("categories", labels="Shoes"), "labels", ("mapping",)),
    "categories: code too long": Bad(changed("categories", code="c" * 101), "code", ("length",)),
    "categories: patch to an unknown parent": Bad(Send("PATCH", "/categories/tops", {"parent": "nowhere"}), "parent",
                                                  ("unknown category",)),
    # locations
    "locations: unknown type": Bad(changed("locations", type="shop"), "type", ("one of",)),
    "locations: name too long": Bad(changed("locations", name="L" * 201), "name", ("length",)),
    "locations: country not a code": Bad(changed("locations", country="France"), "country", ("ISO 3166",)),
    "locations: address of the wrong type": Bad(changed("locations", address="1 Main street"), "address", ("invalid",)),
    "locations: postal code too long": Bad(changed("locations", address={"postal_code": "9" * 21}), "address.postal_code",
                                           ("length",)),
    "locations: put with a missing name": Bad(
        Send("PUT", "/locations/wh", {"code": "wh", "type": "warehouse", "country": "FR"}), "name", ("missing",)),
    # channels
    "channels: unknown locale": Bad(changed("channels", locale="de_DE"), "locale", ("unknown locale",)),
    "channels: adapter not installed": Bad(changed("channels", adapter="amazon"), "adapter", ("no adapter", "amazon")),
    "channels: unknown currency": Bad(changed("channels", currency="GBP"), "currency", ("unknown currency",)),
    "channels: locale not a locale": Bad(changed("channels", locale="english"), "locale", ("en_US",)),
    "channels: schedule not cron": Bad(changed("channels", schedule="every day"), "schedule", ("cron",)),
    "channels: filter flag of the wrong type": Bad(changed("channels", filter={"enabled_only": "perhaps"}),
                                                   "filter.enabled_only", ("boolean",)),
    "channels: filter on an unknown family": Bad(changed("channels", filter={"families": ["shoes"]}),
                                                 "filter.families[0]", ("unknown family",)),
    "channels: title template too long": Bad(changed("channels", mapping={"title_template": "t" * 501}),
                                             "mapping.title_template", ("length",)),
    "channels: patch to an unknown locale": Bad(Send("PATCH", "/channels/web", {"locale": "de_DE"}, role="admin"),
                                                "locale", ("unknown locale",)),
    # locales
    "locales: code not a locale": Bad(changed("locales", code="english"), "code", ("en_US",)),
    "locales: label of the wrong type": Bad(changed("locales", label=5), "label", ("string",)),
    "locales: label too long": Bad(changed("locales", label="l" * 101), "label", ("length",)),
    # currencies
    "currencies: code not ISO 4217": Bad(changed("currencies", code="euro"), "code", ("ISO 4217",)),
    "currencies: label of the wrong type": Bad(changed("currencies", label=["Pound"]), "label", ("string",)),
    "currencies: label too long": Bad(changed("currencies", label="p" * 101), "label", ("length",)),
    # product models
    "product-models: axis outside the family": Bad(changed("product-models", variant_axes=["net_content"]),
                                                   "variant_axes[0]", ("not an attribute of the family",)),
    "product-models: localizable axis": Bad(changed("product-models", variant_axes=["name"]), "variant_axes[0]",
                                            ("cannot be an axis",)),
    "product-models: axes not a list": Bad(changed("product-models", variant_axes="size"), "variant_axes", ("list",)),
    "product-models: unknown family": Bad(changed("product-models", family="shoes"), "family", ("unknown family",)),
    "product-models: unknown attribute": Bad(changed("product-models", values={"flavour": value("x")}),
                                             "values.flavour", ("unknown attribute",)),
    "product-models: unknown locale": Bad(changed("product-models", values={"name": value("Hoodie", "de_DE")}),
                                          "values.name[0].locale", ("unknown locale 'de_DE'",)),
    "product-models: value too long": Bad(changed("product-models", values={"name": value(LONG_NAME, "en_US")}),
                                          "values.name[0].data", ("151 characters", "150")),
    "product-models: bad GTIN": Bad(changed("product-models", values={"ean": value(BAD_EAN)}), "values.ean[0].data",
                                    ("check digit",)),
    "product-models: value on an axis": Bad(changed("product-models", values={"size": value("m")}), "values.size",
                                            ("axis",)),
    "product-models: patch with a too long name": Bad(
        Send("PATCH", "/product-models/tee", {"values": {"name": value(LONG_NAME, "en_US")}}), "values.name[0].data",
        ("151 characters",)),
    # products
    "products: text value of the wrong type": Bad(changed("products", values={"name": value(42, "en_US")}),
                                                  "values.name[0].data", ("expected text",)),
    "products: enabled of the wrong type": Bad(changed("products", enabled="sometimes"), "enabled", ("boolean",)),
    "products: boolean value of the wrong type": Bad(changed("products", values={"organic": value("yes")}),
                                                     "values.organic[0].data", ("true or false",)),
    "products: unknown attribute": Bad(changed("products", values={"flavour": value("orange")}), "values.flavour",
                                       ("unknown attribute 'flavour'",)),
    "products: attribute outside the family": Bad(changed("products", values={"color": value("red")}), "values.color",
                                                  ("not in the product's family",)),
    "products: unknown locale": Bad(changed("products", values={"name": value("Wasser", "de_DE")}),
                                    "values.name[0].locale", ("unknown locale 'de_DE'",)),
    "products: locale on a global attribute": Bad(changed("products", values={"brand": value("Acme", "en_US")}),
                                                  "values.brand[0].locale", ("not localizable",)),
    "products: value too long": Bad(changed("products", values={"name": value(LONG_NAME, "en_US")}),
                                    "values.name[0].data", ("151 characters", "150")),
    "products: sku too long": Bad(changed("products", sku="s" * 65), "sku", ("length",)),
    "products: bad GTIN check digit": Bad(changed("products", values={"ean": value(BAD_EAN)}), "values.ean[0].data",
                                          ("check digit",)),
    "products: GTIN of the wrong length": Bad(changed("products", values={"ean": value("12345")}), "values.ean[0].data",
                                              ("8, 12, 13 or 14",)),
    "products: number above its maximum": Bad(changed("products", values={"rating": value("7")}),
                                              "values.rating[0].data", ("maximum",)),
    "products: measurement in a foreign unit": Bad(
        changed("products", values={"net_content": value({"amount": "1", "unit": "KILOGRAM"})}),
        "values.net_content[0].data", ("does not fit",)),
    "products: impossible date": Bad(changed("products", values={"launch": value("2024-13-01")}),
                                     "values.launch[0].data", ("YYYY-MM-DD",)),
    "products: url not http": Bad(changed("products", values={"url": value("ftp://example.com/x")}),
                                  "values.url[0].data", ("http",)),
    "products: second offer in an unknown currency": Bad(
        changed("products", offers=[{"currency": "EUR", "price": "1"}, {"currency": "GBP", "price": "1"}]),
        "offers[1].currency", ("unknown currency 'GBP'",)),
    "products: second offer's currency not a code": Bad(
        changed("products", offers=[{"currency": "EUR", "price": "1"}, {"currency": "euro", "price": "1"}]),
        "offers[1].currency", ("ISO 4217",)),
    "products: offer for an unknown channel": Bad(
        changed("products", offers=[{"currency": "EUR", "price": "1", "channel": "amazon"}]), "offers[0].channel",
        ("unknown channel",)),
    "products: sale price above the price": Bad(
        changed("products", offers=[{"currency": "EUR", "price": "1", "sale_price": "2"}]), "offers[0].sale_price",
        ("lower than the price",)),
    "products: price not a number": Bad(changed("products", offers=[{"currency": "EUR", "price": "cheap"}]),
                                        "offers[0].price", ("number",)),
    "products: unknown category": Bad(changed("products", categories=["shoes"]), "categories[0]", ("unknown category",)),
    "products: unknown media": Bad(changed("products", media=[{"path": "ab/nothing.png"}]), "media[0].path",
                                   ("no media file",)),
    "products: patch with a bad GTIN": Bad(Send("PATCH", "/products/juice", {"values": {"ean": value(BAD_EAN)}}),
                                           "values.ean[0].data", ("check digit",)),
    "products: put with an unknown currency": Bad(
        Send("PUT", "/products/juice", {"sku": "juice", "family": "drinks",
                                        "offers": [{"currency": "EUR", "price": "2"}, {"currency": "JPY", "price": "300"}]}),
        "offers[1].currency", ("unknown currency",)),
    "products: put naming another sku": Bad(Send("PUT", "/products/juice", {"sku": "water", "family": "drinks"}), "sku",
                                            ("water", "juice")),
    # stock
    "stock: negative quantity": Bad(Send("POST", "/stock", [{"sku": "juice", "location": "wh", "quantity": -1}]),
                                    "[0].quantity", ("greater than or equal to 0",)),
    "stock: quantity as text": Bad(Send("POST", "/stock", [{"sku": "juice", "location": "wh", "quantity": "5"}]),
                                   "[0].quantity", ("integer",)),
    "stock: unknown sku after a good line": Bad(
        Send("POST", "/stock", [{"sku": "juice", "location": "wh", "quantity": 1},
                                {"sku": "ghost", "location": "wh", "quantity": 1}]), "[1].sku", ("no product", "ghost")),
    "stock: unknown location": Bad(Send("POST", "/stock", [{"sku": "juice", "location": "moon", "quantity": 1}]),
                                   "[0].location", ("unknown location",)),
    "stock: sku too long": Bad(Send("POST", "/stock", [{"sku": "s" * 65, "location": "wh", "quantity": 1}]),
                               "[0].sku", ("length",)),
    "stock: not a list": Bad(Send("POST", "/stock", {"sku": "juice", "location": "wh", "quantity": 1}), "body",
                             ("invalid",)),
    # brand guide
    "brand-guide: banned words not a list": Bad(changed("brand-guide", banned_words="cheap"), "banned_words", ("list",)),
    "brand-guide: unknown image role": Bad(changed("brand-guide", required_image_roles=["hero"]),
                                           "required_image_roles[0]", ("one of",)),
    "brand-guide: title template too long": Bad(changed("brand-guide", title_template="t" * 501), "title_template",
                                                ("length",)),
    "brand-guide: empty brand name": Bad(changed("brand-guide", brand_names=["Acme", ""]), "brand_names[1]",
                                         ("length",)),
}

# Text holding a NUL character, which PostgreSQL refused with a server error and SQLite stored.
NUL = "\x00"
CASES.update({
    "attributes: NUL in a label": Bad(changed("attributes", labels={"en_US": f"We{NUL}ight"}), "labels.en_US", ("NUL",)),
    "families: NUL in an attribute code": Bad(changed("families", attributes=["name", f"br{NUL}and"]), "attributes[1]", ("NUL",)),
    "categories: NUL in a label": Bad(changed("categories", labels={"en_US": f"Sh{NUL}oes"}), "labels.en_US", ("NUL",)),
    "locations: NUL in the address": Bad(changed("locations", address={"city": f"Ly{NUL}on"}), "address.city", ("NUL",)),
    "channels: NUL in the code": Bad(changed("channels", code=f"ama{NUL}zon"), "code", ("NUL",)),
    "locales: NUL in the label": Bad(changed("locales", label=f"Ger{NUL}man"), "label", ("NUL",)),
    "currencies: NUL in the label": Bad(changed("currencies", label=f"Po{NUL}und"), "label", ("NUL",)),
    "product-models: NUL in a value": Bad(changed("product-models", values={"name": value(f"Hoo{NUL}die", "en_US")}),
                                          "values.name[0].data", ("NUL",)),
    "products: NUL in a value": Bad(changed("products", values={"name": value(f"Wa{NUL}ter", "en_US")}),
                                    "values.name[0].data", ("NUL",)),
    "products: NUL in an attribute code": Bad(changed("products", values={f"na{NUL}me": value("Water", "en_US")}),
                                              f"values.na{NUL}me", ("NUL",)),
    "products: NUL in an offer's channel": Bad(changed("products", offers=[{"currency": "EUR", "price": "1", "channel": f"w{NUL}"}]),
                                               "offers[0].channel", ("NUL",)),
    "stock: NUL in a SKU": Bad(Send("POST", "/stock", [{"sku": f"ju{NUL}ice", "location": "wh", "quantity": 1}]),
                               "[0].sku", ("NUL",)),
    "brand-guide: NUL in a banned word": Bad(changed("brand-guide", banned_words=[f"che{NUL}ap"]), "banned_words[0]", ("NUL",)),
    "patch /products/juice: NUL in a value": Bad(Send("PATCH", "/products/juice", {"values": {"brand": value(f"O{NUL}J")}}),
                                                 "values.brand[0].data", ("NUL",)),
})

# Every resource also refuses broken JSON and a field it does not know.
for _resource, _valid in VALID.items():
    CASES[f"{_resource}: malformed JSON"] = Bad(
        Send(_valid.method, _valid.path, '{"code": "x", ', _valid.role), "body", ("malformed JSON",))
    if isinstance(_valid.body, list):
        CASES[f"{_resource}: unknown field"] = Bad(
            Send(_valid.method, _valid.path, [{**_valid.body[0], "shelf": "A1"}], _valid.role), "[0].shelf",
            ("unknown field",))
    else:
        CASES[f"{_resource}: unknown field"] = Bad(changed(_resource, colour="red"), "colour", ("unknown field",))
for _path, _role in (("/products/juice", "editor"), ("/attributes/brand", "editor"), ("/channels/store", "admin")):
    CASES[f"patch {_path}: malformed JSON"] = Bad(Send("PATCH", _path, '{"labels": ', _role), "body", ("malformed JSON",))
    CASES[f"patch {_path}: unknown field"] = Bad(Send("PATCH", _path, {"colour": "red"}, _role), "colour",
                                                 ("unknown field",))


@pytest.mark.parametrize("resource", list(VALID))
def test_the_valid_bodies_are_accepted(client: FlaskClient, tokens: dict[str, Headers], seeded: None, resource: str) -> None:
    """The bad cases are these bodies with one thing broken, so each of these must pass."""
    response = send(client, VALID[resource], tokens[VALID[resource].role])
    assert response.status_code in (200, 201), response.get_data(as_text=True)


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_bad_input_is_refused_with_the_field_and_changes_nothing(
    client: FlaskClient, db_session: Session, tokens: dict[str, Headers], seeded: None, case: Bad
) -> None:
    before = everything(client, tokens["admin"])
    versions = row_count(db_session, Version)

    response = send(client, case.request, tokens[case.request.role])

    assert_problem(response, 422, case.field, *case.reasons)
    assert "ETag" not in response.headers and "Location" not in response.headers
    assert everything(client, tokens["admin"]) == before
    assert row_count(db_session, Version) == versions


@pytest.mark.parametrize("path", ["/attributes", "/products", "/stock"])
def test_a_body_that_is_not_json_gets_415(client: FlaskClient, tokens: dict[str, Headers], seeded: None, path: str) -> None:
    before = everything(client, tokens["admin"])
    response = client.post(API + path, data="code=weight&type=number", content_type="application/x-www-form-urlencoded",
                           headers=tokens["editor"])
    assert_problem(response, 415)
    assert everything(client, tokens["admin"]) == before


def test_every_broken_value_is_reported_at_once(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    body = {"sku": "water", "family": "drinks", "values": {
        "name": value(LONG_NAME, "en_US") + value("Eau", "de_DE"), "ean": value(BAD_EAN), "organic": value("yes"),
    }, "offers": [{"currency": "EUR", "price": "1"}, {"currency": "GBP", "price": "1"}]}
    problem = assert_problem(client.post(f"{API}/products", json=body, headers=tokens["editor"]), 422)
    assert set(problem["errors"]) == {
        "values.name[0].data", "values.name[1].locale", "values.ean[0].data", "values.organic[0].data", "offers[1].currency",
    }
    assert client.get(f"{API}/products/water", headers=tokens["viewer"]).status_code == 404


@pytest.mark.parametrize("entry, field", [
    ({"locale": "en_US", "scope": None, "data": "Water", "lang": "en"}, "values.name[0].lang"),
    ({"locale": "en_US", "scope": None}, "values.name[0].data"),
])
def test_schema_errors_inside_a_value_use_the_contract_path(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, entry: dict[str, Any], field: str
) -> None:
    """DESIGN.md: field paths look like ``values.name[0].data``, whichever layer finds the fault."""
    body = {"sku": "water", "family": "drinks", "values": {"name": [entry]}}
    assert_problem(client.post(f"{API}/products", json=body, headers=tokens["editor"]), 422, field)
    assert client.get(f"{API}/products/water", headers=tokens["viewer"]).status_code == 404


def test_a_too_long_label_names_the_label_path(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    body = {"code": "weight", "type": "number", "labels": {"en_US": "W" * 256}}
    assert_problem(client.post(f"{API}/attributes", json=body, headers=tokens["editor"]), 422, "labels.en_US", "length")
    assert client.get(f"{API}/attributes/weight", headers=tokens["viewer"]).status_code == 404


@pytest.mark.parametrize("resource", ["families", "categories", "channels"])
def test_labels_in_an_unknown_locale_are_refused_like_attribute_labels(
    client: FlaskClient, tokens: dict[str, Headers], seeded: None, resource: str
) -> None:
    """Attributes refuse labels in a locale the hub does not have; the other labelled resources must too."""
    request = changed(resource, labels={"de_DE": "Etwas"})
    response = send(client, request, tokens[request.role])
    assert_problem(response, 422, "labels.de_DE", "unknown locale")
    assert client.get(f"{API}/{resource}/{request.body['code']}", headers=tokens["admin"]).status_code == 404


def test_a_number_past_a_stored_id_is_no_route_and_the_document_says_so(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    """PostgreSQL answered 500 ("integer out of range") to a path id past its INTEGER (fuzzing)."""
    for path in ("/imports/2147483648", "/bulk-edits/99999999999999999999", "/publications/2147483648"):
        assert_problem(client.get(API + path, headers=tokens["viewer"]), 404)
    assert client.get(API + "/imports/2147483647", headers=tokens["viewer"]).status_code == 404  # the largest: looked up
    document = client.get(API + "/openapi.json").get_json()
    assert document["paths"]["/api/v1/imports/{job_id}"]["parameters"][0]["schema"]["maximum"] == 2**31 - 1


def test_a_method_the_url_does_not_have_answers_405_naming_those_it_has(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    answer = client.open(API + "/attributes", method="TRACE", headers=tokens["viewer"])
    assert answer.status_code == 405 and answer.mimetype == "application/problem+json"
    assert set(answer.headers["Allow"].split(", ")) == {"GET", "HEAD", "POST", "OPTIONS"}


def test_a_put_may_send_back_the_read_only_fields_as_null(client: FlaskClient, tokens: dict[str, Headers], seeded: None) -> None:
    stored = client.get(f"{API}/products/juice", headers=tokens["viewer"])
    body = {**stored.get_json(), "revision": None, "created": None, "updated": None, "stock": None, "inherited_values": None}
    answer = client.put(f"{API}/products/juice", json=body, headers={**tokens["editor"], "If-Match": stored.headers["ETag"]})
    assert answer.status_code == 200, answer.get_json()


def test_a_user_address_too_long_to_sign_their_work_is_refused(client: FlaskClient, tokens: dict[str, Headers]) -> None:
    body = {"email": "u" * 180 + "@example.com", "password": "a long passphrase", "role": "viewer"}
    assert_problem(client.post(f"{API}/users", json=body, headers=tokens["admin"]), 422, "email")


def test_the_document_links_a_created_record_to_the_operations_on_it(client: FlaskClient) -> None:
    document = client.get(API + "/openapi.json").get_json()
    links = document["paths"]["/api/v1/products"]["post"]["responses"]["201"]["links"]
    assert links["get_products_key"] == {"operationRef": "#/paths/~1api~1v1~1products~1{key}/get",
                                         "parameters": {"key": "$response.body#/sku"}}
    assert {"patch_products_key", "delete_products_key", "get_products_key_history"} <= set(links)
    job_links = document["paths"]["/api/v1/imports"]["post"]["responses"]["202"]["links"]
    assert job_links["get_imports_job_id"]["parameters"] == {"job_id": "$response.body#/id"}
