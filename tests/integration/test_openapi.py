"""The OpenAPI document is valid OpenAPI 3, and the docs page works offline from local assets."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
import jsonschema
from openapi_spec_validator import validate

from tests.integration.helpers import API, PROBLEM

CONTRACT_PATHS = [
    "/api/v1/attributes", "/api/v1/attributes/{key}", "/api/v1/families", "/api/v1/families/{key}",
    "/api/v1/categories", "/api/v1/categories/{key}", "/api/v1/locations", "/api/v1/locations/{key}",
    "/api/v1/channels", "/api/v1/channels/{key}", "/api/v1/product-models", "/api/v1/product-models/{key}",
    "/api/v1/products", "/api/v1/products/{key}", "/api/v1/products/{key}/completeness",
    "/api/v1/products/{key}/resolved/{channel}", "/api/v1/products/{key}/history", "/api/v1/products/{key}/revert",
    "/api/v1/stock", "/api/v1/brand-guide", "/api/v1/media",
]


def test_the_openapi_document_is_valid_openapi_3(client: FlaskClient) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    spec = response.json
    assert spec["openapi"].startswith("3.")
    validate(spec)


def test_the_openapi_document_describes_the_contract(client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    assert spec["info"]["title"] == "Crosscanal" and spec["info"]["version"] == "v1"
    missing = [path for path in CONTRACT_PATHS if path not in spec["paths"]]
    assert not missing, missing
    products, product = spec["paths"]["/api/v1/products"], spec["paths"]["/api/v1/products/{key}"]
    assert {"get", "post", "patch"} <= set(products)
    assert {"get", "put", "patch", "delete"} <= set(product)
    assert "application/x-ndjson" in products["patch"]["requestBody"]["content"]
    assert "412" in product["put"]["responses"] and "409" in products["post"]["responses"]
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}


def test_the_docs_page_uses_local_swagger_assets_that_answer(client: FlaskClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), "assets must be served locally"
    scripts = []
    for asset in assets:
        response = client.get(asset)
        assert response.status_code == 200, asset
        assert len(response.data) > 1000 or asset == "/api/docs/init.js", asset
        scripts.append(response.get_data(as_text=True) if asset.endswith(".js") else "")
        response.close()
    assert "/api/v1/openapi.json" in scripts[assets.index("/api/docs/init.js")]


def test_a_missing_docs_asset_is_404(client: FlaskClient) -> None:
    assert client.get("/api/docs/static/no-such-file.js").status_code == 404


def test_every_error_response_is_documented_as_the_problem_the_api_sends(
    client: FlaskClient, tokens: dict[str, dict[str, str]], seeded: None
) -> None:
    spec = client.get(f"{API}/openapi.json").json
    shared = spec["components"]["responses"]
    errors = 0
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            for status, response in operation.get("responses", {}).items():
                if status[0] not in "45" and status != "default":
                    continue
                response = shared[response["$ref"].rsplit("/", 1)[1]] if "$ref" in response else response
                assert list(response.get("content", {})) == [PROBLEM], (method, path, status, response)
                assert response["content"][PROBLEM]["schema"] == {"$ref": "#/components/schemas/Problem"}
                errors += 1
    assert errors > 150
    problem = spec["components"]["schemas"]["Problem"]
    for response in (client.get(f"{API}/products/nothing", headers=tokens["viewer"]),
                     client.post(f"{API}/products", json={"sku": "x y"}, headers=tokens["editor"]),
                     client.patch(f"{API}/products/juice", json={}, headers={**tokens["editor"], "If-Match": '"stale"'}),
                     client.get(f"{API}/products")):
        assert response.mimetype == PROBLEM and response.status_code in (401, 404, 412, 422)
        jsonschema.validate(response.json, problem)


def test_the_diagnostics_csv_is_documented(client: FlaskClient) -> None:
    spec = client.get(f"{API}/openapi.json").json
    answered = spec["paths"][f"{API}/publications/{{publication_id}}/diagnostics"]["get"]["responses"]["200"]["content"]
    assert set(answered) == {"application/json", "text/csv"}
