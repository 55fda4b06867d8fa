"""The brand guide: one document for the whole hub."""

from __future__ import annotations

from typing import Any

from hub.services import brand_guide
from hub.web.acting import acting
from hub.web.auth import require
from hub.web.body import HubBlueprint
from hub.web.etag import check_if_match, etag_of
from hub.web.hub import session
from schemas.brand_guide import BrandGuideIn, BrandGuideOut

WRITE_ROLE = "editor"  # the UI's brand guide page reads it too, so both ask for the same role
blp = HubBlueprint("brand-guide", __name__, url_prefix="/brand-guide", description="Brand guide")


@blp.route("", methods=["GET"], endpoint="get")
@require("viewer")
@blp.response(200, BrandGuideOut)
def get_guide() -> Any:
    state = brand_guide.state(brand_guide.get(session()))
    return state, 200, {"ETag": etag_of(state)}


@blp.route("", methods=["PUT"], endpoint="put")
@require(WRITE_ROLE)
@blp.arguments(BrandGuideIn)
@blp.response(200, BrandGuideOut)
@blp.alt_response(412, description="If-Match names a version that is not current")
def put_guide(data: dict[str, Any]) -> Any:
    check_if_match(etag_of(brand_guide.state(brand_guide.get(session(), lock=True))))
    state = brand_guide.state(brand_guide.put(session(), data, actor=acting()))
    session().commit()
    return state, 200, {"ETag": etag_of(state)}
