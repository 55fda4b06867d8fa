"""Stock levels: set in bulk, apart from products and their history."""

from __future__ import annotations

from typing import Any

from hub.services.stock import set_stock
from hub.web.auth import require
from hub.web.body import HubBlueprint
from hub.web.hub import session
from schemas.common import StrictSchema
from schemas.location import StockLineIn
from marshmallow import fields

blp = HubBlueprint("stock", __name__, url_prefix="/stock", description="Stock per product and location")


class StockResult(StrictSchema):
    updated = fields.Integer()


@blp.route("", methods=["POST"], endpoint="set")
@require("editor")
@blp.arguments(StockLineIn(many=True))
@blp.response(200, StockResult)
@blp.doc(summary="Set quantities: [{sku, location, quantity}]; all lines or none are applied")
def post_stock(lines: list[dict[str, Any]]) -> Any:
    count = set_stock(session(), lines)
    session().commit()
    return {"updated": count}
