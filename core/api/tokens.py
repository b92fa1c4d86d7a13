"""Bearer-token authentication for API views."""

from functools import wraps

from flask import g, request

from ..accounts import user_for_token
from .errors import ApiError

_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="redarmband"'}


def token_required(view):
    """Answer 401 unless ``Authorization: Bearer <token>`` names an active user."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        user = user_for_token(token.strip()) if scheme.lower() == "bearer" and token.strip() else None
        if user is None:
            raise ApiError(401, "unauthorized", "a valid bearer token is required", headers=_CHALLENGE)
        g.api_user = user
        return view(*args, **kwargs)

    return wrapper
