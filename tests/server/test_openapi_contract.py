"""GET /openapi.json is a complete OpenAPI 3.1 contract: response models, error shape, bearer-only operations.

openapi-spec-validator is not a dependency, so the structure is checked here, and every schema in the
document is checked against JSON Schema 2020-12 (the dialect OpenAPI 3.1 uses) with jsonschema.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.support.live import LiveServer
from tests.support.openapi import (
    HTTP_METHODS,
    Operation,
    body_fields,
    fetch_spec,
    json_types,
    operations,
    resolve,
    without_null,
)

ERROR_STATUSES = ("400", "401", "404", "409", "422", "429", "503")
ERROR_REF = "#/components/schemas/ErrorOut"


@pytest.fixture
def spec(sqlite_server: LiveServer) -> dict[str, Any]:
    return fetch_spec(sqlite_server.url, sqlite_server.http())


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _success_problem(spec: dict[str, Any], op: Operation) -> str | None:
    """Why ``op`` has no usable 2xx response model, or None."""
    successes = {code: r for code, r in op.spec["responses"].items() if code.startswith("2")}
    if not successes:
        return "no 2xx response"
    for code, response in successes.items():
        if code == "204":
            continue  # No Content: nothing to describe
        content = response.get("content", {})
        media = content.get("application/json") if op.path.startswith("/api/v1") else next(iter(content.values()), None)
        if not media or not resolve(spec, media.get("schema", {})):
            return f"{code} has no response schema"
    return None


def test_the_document_is_openapi_3_1_with_valid_json_schemas(spec: dict[str, Any]) -> None:
    assert re.fullmatch(r"3\.1\.\d+", spec["openapi"])
    assert spec["info"]["title"] and spec["info"]["version"]
    assert spec["paths"], "the document lists paths"
    for path, item in spec["paths"].items():
        assert path.startswith("/"), path
        assert set(item) <= {*HTTP_METHODS, "parameters", "summary", "description"}, path
    ids = [op.spec["operationId"] for op in operations(spec)]
    assert len(ids) == len(set(ids)), "operationIds are unique"

    dangling = sorted({ref for ref in _refs(spec) if not _resolves(spec, ref)})
    assert not dangling, f"$refs that name nothing: {dangling}"
    for name, schema in spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)  # raises naming the broken schema's part
        assert schema, name
    for op in operations(spec):
        for param in op.spec.get("parameters", []):
            assert {"name", "in", "schema"} <= set(param), (op.name, param)
            Draft202012Validator.check_schema(param["schema"])
        declared = {p["name"] for p in op.parameters("path")}
        assert declared == set(re.findall(r"{(\w+)}", op.path)), f"{op.name}: path parameters {declared}"
        assert all(p["required"] for p in op.parameters("path")), op.name


def _resolves(spec: dict[str, Any], ref: str) -> bool:
    try:
        resolve(spec, {"$ref": ref})
    except (KeyError, TypeError):
        return False
    return ref.startswith("#/")


def _html_page(path: str, response: dict[str, Any]) -> bool:
    """A page outside /api/v1 (the sandbox pay page) that answers its own errors as HTML, documented so."""
    return not path.startswith("/api/v1") and set(response.get("content", {})) == {"text/html"}


def test_every_operation_has_a_response_model_and_documents_the_error_shape(spec: dict[str, Any]) -> None:
    problems = []
    for op in operations(spec):
        missing = _success_problem(spec, op)
        if missing:
            problems.append(f"{op.name}: {missing}")
        responses = op.spec["responses"]
        if op.path.startswith("/api/v1"):
            undocumented = [code for code in ERROR_STATUSES if code not in responses]
            if undocumented:
                problems.append(f"{op.name}: error responses {undocumented} not documented")
        for code, response in responses.items():
            if code[0] in "45" and not _html_page(op.path, response):
                schema = response.get("content", {}).get("application/json", {}).get("schema", {})
                if schema.get("$ref") != ERROR_REF:
                    problems.append(f"{op.name}: {code} is not documented as ErrorOut")
    assert not problems, "\n".join(problems)


def test_the_error_model_is_the_design_shape_and_fastapis_own_is_gone(spec: dict[str, Any]) -> None:
    schemas = spec["components"]["schemas"]
    error_out = schemas["ErrorOut"]
    assert error_out["required"] == ["error"]
    detail = resolve(spec, error_out["properties"]["error"])
    assert sorted(detail["required"]) == ["code", "details", "message"]
    assert detail["properties"]["code"]["pattern"] == "^[A-Z][A-Z0-9_]*$"
    assert detail["properties"]["details"]["type"] == "object"
    # server/errors.py answers 422 as VALIDATION_ERROR; FastAPI's {"detail": [...]} must not be advertised.
    assert "HTTPValidationError" not in schemas and "ValidationError" not in schemas
    assert "HTTPValidationError" not in str(spec)


def test_operations_that_need_a_bearer_token_say_so(spec: dict[str, Any]) -> None:
    scheme = spec["components"]["securitySchemes"]["bearer"]
    assert (scheme["type"], scheme["scheme"]) == ("http", "bearer")
    secured = {op.name for op in operations(spec) if op.needs_bearer}
    for name in ("GET /api/v1/me", "POST /api/v1/activations", "GET /api/v1/orders", "POST /api/v1/auth/logout"):
        assert name in secured
    for name in (
        "POST /api/v1/auth/login",
        "GET /api/v1/keys",
        "GET /healthz",
        "POST /api/v1/payments/{payment_id}/callback",
    ):
        assert name not in secured


# Checked by the service against the versions it reads (OFFLINE_VERSION_UNSUPPORTED); never stored.
UNBOUNDED_ALLOWED = {("POST /api/v1/offline-activations", "version")}


def test_every_request_integer_and_string_is_bounded(spec: dict[str, Any]) -> None:
    """Unbounded ids overflow PostgreSQL's integer columns (a 500); unbounded text grows rows and hashes."""
    unbounded = []
    for op in operations(spec):
        fields = [(p["name"], p["schema"]) for p in op.spec.get("parameters", [])]
        body = op.body_schema()
        if body is not None:
            fields += [(".".join(map(str, where)), schema) for where, schema in body_fields(spec, body)]
        for name, schema in fields:
            schema = without_null(spec, schema)
            kinds = json_types(spec, schema)
            if "enum" in schema or "const" in schema or (op.name, name) in UNBOUNDED_ALLOWED:
                continue
            if "integer" in kinds and not {"minimum", "maximum"} <= set(schema):
                unbounded.append(f"{op.name}: integer {name}")
            if "string" in kinds and "maxLength" not in schema and "pattern" not in schema:
                unbounded.append(f"{op.name}: string {name}")
    assert not unbounded, "\n".join(unbounded)
