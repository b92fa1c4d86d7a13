"""The API's error shape: ``{"error": {"code", "message", "fields"}}``.

``extra`` adds keys to the error object for the few errors that carry data
(e.g. a report's ``duplicates`` with code ``likely_duplicates``)."""

from flask import jsonify


def error_response(status, code, message, fields=None, headers=None, extra=None):
    body = {"error": {**(extra or {}), "code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status, headers or {}


class ApiError(Exception):
    """Raise in an API view to answer with the error shape."""

    def __init__(self, status, code, message, fields=None, headers=None, extra=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers, self.extra = fields, headers, extra

    def response(self):
        return error_response(self.status, self.code, self.message, self.fields, self.headers, self.extra)
