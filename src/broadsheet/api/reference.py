"""The API's reference for people, at /api/v1/: our own page, built from the OpenAPI document
(django-ninja's bundled page loads Swagger UI from a CDN, which the site's pages never do)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from broadsheet.core.cache import cache_policy

_METHODS = ("get", "post", "patch", "put", "delete")


def _schema_name(content: dict[str, Any]) -> str:
    schema = content.get("application/json", {}).get("schema", {})
    reference = schema.get("$ref", "")
    return reference.rsplit("/", 1)[-1] if reference else ""


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each operation of the document as the page lists it: method, path, what it takes and
    answers."""
    found = []
    for route, item in document.get("paths", {}).items():
        for method in _METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = operation.get("requestBody", {}).get("content", {})
            found.append(
                {
                    "method": method.upper(),
                    "path": route,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "body": _schema_name(body),
                    "responses": [
                        (
                            code,
                            answer.get("description", ""),
                            _schema_name(answer.get("content", {})),
                        )
                        for code, answer in operation.get("responses", {}).items()
                    ],
                    "anchor": operation.get("operationId", f"{method}-{route}"),
                }
            )
    return found


@require_safe
@cache_policy("public")
def reference(request: HttpRequest) -> HttpResponse:
    from broadsheet.api.endpoints import api

    document = api.get_openapi_schema()
    schemas = document.get("components", {}).get("schemas", {})
    context = {
        "document": document,
        "operations": operations(document),
        "schemas": sorted(schemas.items()),
    }
    return render(request, "api/reference.html", context)
