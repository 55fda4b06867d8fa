"""The REST API under /api/v1: one blueprint per collection, as DESIGN.md's contract says."""

from __future__ import annotations

from flask_smorest import Api

from hub.web.api import accounts, audit_log, brand_guide, bulk_edits, catalog, exports, imports, media, products, publications, stock


def register(api: Api) -> None:
    for blueprint in (*catalog.blueprints(), *products.blueprints(), stock.blp, brand_guide.blp, media.blp, accounts.tokens_blp, accounts.users_blp,
                      audit_log.blp,
                      publications.blp, bulk_edits.blp, imports.blp, imports.mappings_blp, exports.blp):
        api.register_blueprint(blueprint, url_prefix=f"/api/v1{blueprint.url_prefix or ''}")
