"""Bulk edits: the change saved product by product through the real services, failures
reported with their reasons, everything else kept."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from hub.errors import ValidationFailed
from hub.jobs.bulk_edits import BulkEditor
from hub.services.context import CatalogContext
from hub.services.products import ProductService
from hub.store.models import BulkEdit
from schemas.bulk_edit import BulkEditIn
from tests import factories
from tests.factories import value
from tests.integration.helpers import changed_meanwhile


@pytest.fixture
def catalog(db_session: Session) -> None:
    """The factories' catalog with three drinks and one tee variant (whose family has no rating)."""
    factories.catalog(db_session)
    for sku in ("cola", "lemonade", "water"):
        factories.product(db_session, sku, values={"name": value(sku.title(), "en_US")})
    factories.product_model(db_session)
    factories.product(db_session, "tee-red-s", family="tees", parent="tee", values={"color": value("red"), "size": value("s")})


def run(app: Flask, db_session: Session, **action: Any) -> BulkEdit:
    editor = BulkEditor(app.extensions["crosscanal"].writers)
    with app.extensions["crosscanal"].writers() as session:
        job = editor.start(session, BulkEditIn().load(action), "test")
        session.commit()
        job_id = job.id
    editor.run(job_id)
    db_session.rollback()  # end the read snapshot, to see what the job committed
    found = db_session.get(BulkEdit, job_id)
    assert found is not None
    return found


def state(db_session: Session, sku: str) -> dict[str, Any]:
    db_session.rollback()  # end the read snapshot, to see what the job committed
    service = ProductService(db_session, CatalogContext(db_session), "test")
    return service.state(service.get(sku))


def test_a_value_is_set_where_it_can_be_and_the_rest_is_reported(app: Flask, db_session: Session, catalog: None) -> None:
    before = state(db_session, "tee-red-s")
    job = run(app, db_session, action="set_value", attribute="rating", value="4.5",
              skus=["cola", "lemonade", "tee-red-s", "ghost"])
    assert (job.status, job.total, job.changed, job.unchanged, job.failed, job.progress) == ("succeeded", 4, 2, 0, 2, 1.0)
    assert state(db_session, "cola")["values"]["rating"] == [{"locale": None, "scope": None, "data": "4.5"}]
    assert "rating" not in state(db_session, "water")["values"]
    assert state(db_session, "tee-red-s") == before
    reasons = {f["sku"]: f["errors"] for f in job.failures}
    assert set(reasons) == {"tee-red-s", "ghost"}
    assert "family" in " ".join(reasons["tee-red-s"]["values.rating"])
    history = ProductService(db_session, CatalogContext(db_session), "x").history("cola")
    assert history[-1].author == "test" and [c["field"] for c in history[-1].changes] == ["values.rating"]

    again = run(app, db_session, action="set_value", attribute="rating", value="4.5", skus=["cola"])
    assert (again.changed, again.unchanged) == (0, 1)
    removed = run(app, db_session, action="set_value", attribute="rating", value="", skus=["cola"])
    assert removed.changed == 1 and "rating" not in state(db_session, "cola")["values"]


def test_a_value_each_product_refuses_is_reported_per_product(app: Flask, db_session: Session, catalog: None) -> None:
    job = run(app, db_session, action="set_value", attribute="rating", value="9", skus=["cola", "water"])
    assert (job.changed, job.failed) == (0, 2)
    assert all("values.rating[0].data" in f["errors"] for f in job.failures)


def test_typed_values_categories_and_enabling(app: Flask, db_session: Session, catalog: None) -> None:
    run(app, db_session, action="set_value", attribute="organic", value="yes", skus=["cola"])
    run(app, db_session, action="set_value", attribute="net_content", value="0,33 liter", skus=["cola"])
    run(app, db_session, action="set_value", attribute="name", locale="fr_FR", value="Cola", skus=["cola"])
    values = state(db_session, "cola")["values"]
    assert values["organic"][0]["data"] is True
    assert values["net_content"][0]["data"] == {"amount": "0.33", "unit": "LITER"}
    assert {e["locale"]: e["data"] for e in values["name"]} == {"en_US": "Cola", "fr_FR": "Cola"}

    run(app, db_session, action="add_category", category="tops", skus=["cola", "water"])
    assert state(db_session, "water")["categories"] == ["tops"]
    run(app, db_session, action="remove_category", category="tops", skus=["water"])
    assert state(db_session, "water")["categories"] == [] and state(db_session, "cola")["categories"] == ["tops"]
    disabled = run(app, db_session, action="disable", skus=["cola", "water"])
    assert disabled.changed == 2 and state(db_session, "water")["enabled"] is False


def test_a_batch_the_database_refuses_is_saved_again_product_by_product(app: Flask, db_session: Session,
                                                                         catalog: None) -> None:
    """The products of a batch are saved together; here 'lemonade' changes under the batch, so its
    revision-checked UPDATE fails. The batch is saved again product by product: only lemonade
    fails, with the reason, and the others are changed once each."""
    with changed_meanwhile(db_session, "lemonade") as races:
        job = run(app, db_session, action="set_value", attribute="rating", value="4", skus=["cola", "lemonade", "water"])
    assert races == ["batch", "own save"]
    assert (job.status, job.changed, job.unchanged, job.failed) == ("succeeded", 2, 0, 1), job.failures
    assert [f["sku"] for f in job.failures] == ["lemonade"]
    assert "changed" in " ".join(job.failures[0]["errors"]["product"])
    assert "rating" not in state(db_session, "lemonade")["values"]
    for sku in ("cola", "water"):
        assert state(db_session, sku)["values"]["rating"] == [{"locale": None, "scope": None, "data": "4"}]
        assert [v.version for v in ProductService(db_session, CatalogContext(db_session), "x").history(sku)] == [1, 2]


@pytest.mark.parametrize(("action", "field"), [
    ({"action": "set_value", "attribute": "nope", "value": "x"}, "attribute"),
    ({"action": "set_value", "attribute": "name", "value": "x"}, "locale"),
    ({"action": "set_value", "attribute": "brand", "locale": "en_US", "value": "x"}, "locale"),
    ({"action": "set_value", "attribute": "brand", "scope": "web", "value": "x"}, "scope"),
    ({"action": "set_value", "attribute": "organic", "value": "perhaps"}, "value"),
    ({"action": "set_value", "attribute": "net_content", "value": "a lot"}, "value"),
    ({"action": "add_category", "category": "shoes"}, "category"),
])
def test_an_impossible_change_is_refused_before_it_starts(app: Flask, db_session: Session, catalog: None,
                                                          action: dict[str, Any], field: str) -> None:
    editor = BulkEditor(app.extensions["crosscanal"].writers)
    with pytest.raises(ValidationFailed) as caught:
        editor.start(db_session, BulkEditIn().load({**action, "skus": ["cola"]}), "test")
    assert field in caught.value.errors
    db_session.rollback()
    assert db_session.query(BulkEdit).count() == 0


def test_the_input_contract_names_what_is_missing() -> None:
    from marshmallow import ValidationError
    for body, field in (({"action": "set_value", "skus": ["a"]}, "attribute"), ({"action": "add_category", "skus": ["a"]}, "category"),
                        ({"action": "enable", "skus": []}, "skus"), ({"action": "explode", "skus": ["a"]}, "action")):
        with pytest.raises(ValidationError) as caught:
            BulkEditIn().load(body)
        assert field in caught.value.messages


def test_the_api_starts_a_bulk_edit_and_reports_it(client: Any, tokens: dict[str, dict[str, str]], catalog: None) -> None:
    import time
    started = client.post("/api/v1/bulk-edits", json={"action": "set_value", "attribute": "brand", "value": "Acme",
                                                      "skus": ["cola", "tee-red-s", "ghost"]}, headers=tokens["editor"])
    assert started.status_code == 202, started.json
    location = started.headers["Location"]
    deadline = time.monotonic() + 30
    while (job := client.get(location, headers=tokens["viewer"]).json)["status"] not in ("succeeded", "failed"):
        assert time.monotonic() < deadline, job
        time.sleep(0.1)
    assert (job["status"], job["changed"], job["failed"]) == ("succeeded", 2, 1)
    assert [f["sku"] for f in job["failures"]] == ["ghost"]
    assert client.get("/api/v1/products/cola", headers=tokens["viewer"]).json["values"]["brand"][0]["data"] == "Acme"

    refused = client.post("/api/v1/bulk-edits", json={"action": "set_value", "attribute": "organic", "value": "perhaps",
                                                      "skus": ["cola"]}, headers=tokens["editor"])
    assert refused.status_code == 422 and "value" in refused.json["errors"]
    assert client.post("/api/v1/bulk-edits", json={"action": "enable", "skus": ["cola"]},
                       headers=tokens["viewer"]).status_code == 403
