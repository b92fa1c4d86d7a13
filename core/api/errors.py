"""The API's error shape: ``{"error": {"code", "message", "fields"}}``."""
from flask import jsonify


def error_response(status, code, message, fields=None, headers=None):
    body = {"error": {"code": code, "message": message, "fields": fields or {}}}
    return jsonify(body), status, headers or {}


class ApiError(Exception):
    """Raise in an API view to answer with the error shape."""

    def __init__(self, status, code, message, fields=None, headers=None):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields, self.headers = fields, headers

    def response(self):
        return error_response(self.status, self.code, self.message, self.fields, self.headers)
