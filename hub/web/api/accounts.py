"""API tokens and UI users, managed by admins."""

from __future__ import annotations

from typing import Any

from flask import Response

from hub.services import accounts
from hub.web.acting import acting
from hub.web.auth import require
from hub.web.body import HubBlueprint
from hub.web.hub import session
from schemas.account import TokenIn, TokenOut, UserIn, UserOut

tokens_blp = HubBlueprint("tokens", __name__, url_prefix="/tokens", description="API tokens (admin)")
users_blp = HubBlueprint("users", __name__, url_prefix="/users", description="Users of the web UI (admin)")


@tokens_blp.route("", methods=["GET"], endpoint="list")
@require("admin")
@tokens_blp.response(200, TokenOut(many=True))
def list_tokens() -> Any:
    return accounts.tokens(session())


@tokens_blp.route("", methods=["POST"], endpoint="create")
@require("admin")
@tokens_blp.arguments(TokenIn)
@tokens_blp.response(201, TokenOut)
@tokens_blp.doc(summary="Create a token; its clear text is in this answer only")
def create_token(data: dict[str, Any]) -> Any:
    token, raw = accounts.issue_token(session(), data["role"], data["name"], actor=acting())
    session().commit()
    return {"id": token.id, "name": token.name, "role": token.role, "created": token.created,
            "last_used": None, "revoked": False, "token": raw}


@tokens_blp.route("/<int:token_id>", methods=["DELETE"], endpoint="revoke")
@require("admin")
@tokens_blp.response(204)
@tokens_blp.doc(summary="Revoke a token; it stops working at once")
def revoke(token_id: int) -> Response:
    accounts.revoke_token(session(), token_id, actor=acting())
    session().commit()
    return Response(status=204)


@users_blp.route("", methods=["GET"], endpoint="list")
@require("admin")
@users_blp.response(200, UserOut(many=True))
def list_users() -> Any:
    return accounts.users(session())


@users_blp.route("", methods=["POST"], endpoint="create")
@require("admin")
@users_blp.arguments(UserIn)
@users_blp.response(201, UserOut)
def create_user(data: dict[str, Any]) -> Any:
    user = accounts.create_user(session(), data["email"], data["password"], data["role"], actor=acting())
    session().commit()
    return user
