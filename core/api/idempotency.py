"""``Idempotency-Key``: a retried request gets the first answer, not a second booking.

Put :func:`idempotent` under :func:`~core.api.tokens.token_required` (it needs
``g.api_user``)::

    @bp.post("/me/checkins")
    @token_required
    @idempotent
    def check_in(): ...

With the header, the request is first recorded as an
:class:`~core.models.IdempotentRequest` and committed; only then does the view
run. Another request with the same user and key then gets

- 422 ``idempotency_key_reused`` if it is for another endpoint or carries
  another method, path or body (the fingerprint);
- 409 ``request_in_progress`` while the first has not answered;
- the first answer's status and JSON body, byte for byte, once it has.

An answer of 500 or more (or an exception) forgets the key, so the request can
be retried; anything below is kept and replayed.
"""

import hashlib
import re
from functools import wraps

from flask import Response, current_app, g, make_response, request
from peewee import IntegrityError

from ..db import write_transaction
from ..models import IdempotentRequest
from .errors import ApiError

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
REPLAYED_HEADER = "Idempotent-Replayed"
_KEY = re.compile(rf"[\x20-\x7e]{{1,{MAX_KEY_LENGTH}}}")  # printable ASCII, as the IETF draft's sf-string
_CLAIM_ATTEMPTS = 3


def fingerprint(method, path, body):
    """SHA-256 of the method, path and raw body of a request."""
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode("utf-8", "surrogateescape"), body):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: no two requests run together
        digest.update(part)
    return digest.hexdigest()


def _body_for_fingerprint():
    """The raw body; for a multipart form, its fields and files' contents
    instead, since a client that rebuilds the form on retry picks a new
    boundary and the raw bytes differ although the request does not."""
    if request.mimetype != "multipart/form-data":
        return request.get_data(cache=True)
    digest = hashlib.sha256()
    for name, value in sorted(request.form.items(multi=True)):
        digest.update(f"{len(name)}:{name}={len(value)}:{value}\n".encode("utf-8", "surrogateescape"))
    for name, upload in request.files.items(multi=True):  # in sent order: photo order matters
        content = upload.stream.read()
        upload.stream.seek(0)
        digest.update(f"{len(name)}:{name}@{len(content)}:".encode() + hashlib.sha256(content).digest())
    return digest.digest()


def idempotent(view):
    """Answer a retried request (same user and ``Idempotency-Key``) as the first time."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if HEADER not in request.headers:
            return view(*args, **kwargs)
        key = request.headers[HEADER]
        if not _KEY.fullmatch(key):
            raise ApiError(
                400,
                "invalid_idempotency_key",
                f"the {HEADER} header must be 1 to {MAX_KEY_LENGTH} printable ASCII characters",
                {HEADER: [f"expected 1 to {MAX_KEY_LENGTH} printable ASCII characters"]},
            )
        claimed = _claim(
            g.api_user.id,
            key,
            request.endpoint,
            fingerprint(request.method, request.path, _body_for_fingerprint()),
        )
        if isinstance(claimed, Response):
            return claimed
        try:
            response = make_response(_answer(view, args, kwargs))
        except BaseException:
            _forget(claimed)
            raise
        if response.status_code < 500:
            (
                IdempotentRequest.update(status=response.status_code, body=response.get_data(as_text=True))
                .where(IdempotentRequest.id == claimed.id)
                .execute()
            )
        else:
            _forget(claimed)
        return response

    return wrapper


def _answer(view, args, kwargs):
    """The view's answer, with errors turned into their responses so a
    client error can be stored and replayed like a success."""
    try:
        return view(*args, **kwargs)
    except Exception as error:  # noqa: BLE001 - unhandled ones are re-raised by Flask
        return current_app.handle_user_exception(error)


def _claim(user_id, key, endpoint, digest):
    """The new, committed record of this request; or the response to give
    when the key was used before."""
    for _attempt in range(_CLAIM_ATTEMPTS):
        try:
            with write_transaction():
                return IdempotentRequest.create(user=user_id, key=key, endpoint=endpoint, fingerprint=digest)
        except IntegrityError:
            pass
        earlier = IdempotentRequest.get_or_none(IdempotentRequest.user == user_id, IdempotentRequest.key == key)
        if earlier is None:
            continue  # the earlier request failed and forgot the key just now: claim it again
        if earlier.endpoint != endpoint or earlier.fingerprint != digest:
            raise ApiError(
                422,
                "idempotency_key_reused",
                f"this {HEADER} was used for a different request",
                {HEADER: ["already used for a different request"]},
            )
        if earlier.status is None:
            break
        return Response(
            earlier.body,
            status=earlier.status,
            mimetype="application/json",
            headers={REPLAYED_HEADER: "true"},
        )
    raise ApiError(409, "request_in_progress", f"a request with this {HEADER} is still being answered; retry later")


def _forget(record):
    IdempotentRequest.delete().where(IdempotentRequest.id == record.id).execute()
