"""The API's main paths through the real app and database."""

from __future__ import annotations

from tests import factories


def test_variant_inherits_and_completeness_counts_inherited(client, db_session, tokens):
    factories.catalog(db_session)
    factories.product_model(db_session)
    body = {"sku": "tee-red-s", "parent": "tee", "values": {"color": factories.value("red"), "size": factories.value("s")}}
    created = client.post("/api/v1/products", json=body, headers=tokens["editor"])
    assert created.status_code == 201, created.json
    assert created.json["family"] == "tees"
    assert created.json["inherited_values"]["name"] == [{"locale": "en_US", "scope": None, "data": "Classic tee"}]

    rows = {row["channel"]: row for row in client.get("/api/v1/products/tee-red-s/completeness", headers=tokens["viewer"]).json}
    assert rows["web"]["missing"] == ["ean"]
    assert rows["web"]["ratio"] == round(2 / 3, 4)
    assert rows["store"]["locale"] == "fr_FR" and rows["store"]["missing"] == ["name"]
