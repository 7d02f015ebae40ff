"""Every error the API answers is JSON of one shape: {"error": {"code", "message", "fields"?}}.

`code` is stable (scripts branch on it); `message` is a sentence for a person; `fields` names
the request's fields that were refused, each with its own sentence.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext


class ApiError(Exception):
    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JsonResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    response = JsonResponse({"error": body}, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    # Errors are never kept by a cache: the next request may well succeed.
    response["Cache-Control"] = "private, no-store"
    return response


def api_error_response(error: ApiError) -> JsonResponse:
    return error_response(
        error.status, error.code, error.message, fields=error.fields, headers=error.headers
    )


def not_found(request: HttpRequest, message: str | None = None) -> JsonResponse:
    return error_response(404, "not_found", message or gettext("There is nothing at this address."))


# Where pydantic says an error is: the request's part, then the parameter's own name.
_SOURCES = ("body", "query", "path", "header", "cookie")
_PARAMETERS = ("payload", "pages")


def _location(loc: Any) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        parts.pop(0)
    if parts and parts[0] in _PARAMETERS:
        parts.pop(0)
    return ".".join(str(part) for part in parts) or "request"


def validation_fields(errors: list[dict[str, Any]]) -> dict[str, str]:
    """Pydantic's list of errors as one sentence per field."""
    fields: dict[str, str] = {}
    for error in errors:
        name = _location(error.get("loc", ()))
        message = str(error.get("msg") or gettext("This value is not valid."))
        fields.setdefault(name, message[:1].upper() + message[1:].rstrip(".") + ".")
    return fields


def install(api: Any) -> None:
    """Answer every exception an endpoint raises in the one shape."""
    import logging

    from django.http import Http404
    from ninja.errors import HttpError, ValidationError

    logger = logging.getLogger("broadsheet.api")

    def api_error(request: HttpRequest, error: ApiError) -> JsonResponse:
        return api_error_response(error)

    def invalid(request: HttpRequest, error: ValidationError) -> JsonResponse:
        fields = validation_fields(error.errors)
        # Translators: the fields are names in the API's JSON (body, thread …), not translated.
        message = gettext("Some of the request's fields are not valid: %(fields)s.") % {
            "fields": ", ".join(sorted(fields))
        }
        return error_response(422, "invalid", message, fields=fields)

    def http_error(request: HttpRequest, error: HttpError) -> JsonResponse:
        if error.status_code == 400 and str(error).startswith("Cannot parse"):
            return error_response(
                400, "malformed_json", gettext("The request's body is not valid JSON.")
            )
        return error_response(error.status_code, "http_error", str(error))

    def missing(request: HttpRequest, error: Exception) -> JsonResponse:
        return not_found(request)

    def failure(request: HttpRequest, error: Exception) -> JsonResponse:
        logger.exception("The API failed on %s %s", request.method, request.path)
        return error_response(500, "server_error", gettext("Something went wrong on our side."))

    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(ValidationError, invalid)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, missing)
    api.add_exception_handler(Exception, failure)
