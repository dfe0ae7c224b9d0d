"""Reading our own OpenAPI document: operations, schemas, example request bodies built from them."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import requests

HTTP_METHODS = ("get", "put", "post", "delete", "patch")
ERROR_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
TRACEBACK_MARKERS = ("Traceback (most recent call last)", 'File "/', "sqlalchemy.exc", "psycopg.errors")


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def needs_bearer(self) -> bool:
        return bool(self.spec.get("security"))

    def parameters(self, where: str) -> list[dict[str, Any]]:
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {})
        media = content.get("application/json")
        return media["schema"] if media else None

    @property
    def body_required(self) -> bool:
        return bool(self.spec.get("requestBody", {}).get("required"))


def operations(spec: dict[str, Any]) -> list[Operation]:
    return [
        Operation(method, path, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in HTTP_METHODS
    ]


def fetch_spec(base_url: str, http: requests.Session) -> dict[str, Any]:
    r = http.get(f"{base_url}/openapi.json", timeout=10)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def without_null(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of the non-null alternative of ``X | None`` (or the schema itself)."""
    schema = resolve(spec, schema)
    options = [resolve(spec, o) for o in schema.get("anyOf", []) if resolve(spec, o).get("type") != "null"]
    return options[0] if len(options) == 1 else schema


def json_types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The JSON types a value of ``schema`` may have (``integer`` also counts as ``number``)."""
    schema = resolve(spec, schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return set().union(*(json_types(spec, o) for o in schema[key]))
    if "allOf" in schema:
        return json_types(spec, schema["allOf"][0])
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if values is not None:
        return {json_type(v) for v in values}
    kind = schema.get("type")
    if kind is None:
        return {"string", "integer", "number", "boolean", "array", "object", "null"}
    kinds = set(kind) if isinstance(kind, list) else {kind}
    return kinds | ({"integer"} if "number" in kinds else set())


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def example(spec: dict[str, Any], schema: dict[str, Any], known: dict[str, Any], name: str = "") -> Any:
    """A plausible value for ``schema``: real ids and values from ``known`` by field name, else the simplest fit."""
    if name in known:
        return known[name]
    schema = resolve(spec, schema)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [o for o in schema[key] if resolve(spec, o).get("type") != "null"]
            return example(spec, options[0], known) if options else None
    kind = schema.get("type")
    if kind == "object":
        return {prop: example(spec, sub, known, prop) for prop, sub in schema.get("properties", {}).items()}
    if kind == "array":
        return [example(spec, schema.get("items", {}), known)] * max(1, schema.get("minItems", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return True
    # "a" fits every pattern we use (base64url nonces, hex proofs) at the minimum length.
    return "a" * max(1, schema.get("minLength", 1))


def body_fields(spec: dict[str, Any], schema: dict[str, Any], depth: int = 3) -> Iterator[tuple[tuple[Any, ...], dict]]:
    """Each field of a request body (nested objects and the first item of arrays of objects) and its schema."""
    schema = without_null(spec, schema)
    if depth == 0 or schema.get("type") != "object":
        return
    for prop, sub in schema.get("properties", {}).items():
        yield (prop,), sub
        inner = without_null(spec, sub)
        if inner.get("type") == "array":
            for path, leaf in body_fields(spec, inner.get("items", {}), depth - 1):
                yield (prop, 0, *path), leaf
        else:
            for path, leaf in body_fields(spec, inner, depth - 1):
                yield (prop, *path), leaf


def replaced(body: Any, path: tuple[Any, ...], value: Any) -> Any:
    body = copy.deepcopy(body)
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return body


def error_shape_problem(response: requests.Response) -> str | None:
    """Why ``response`` is not an error answer of docs/PROTOCOL.md "The error body", or None when it is one."""
    try:
        body = response.json()
    except ValueError:
        return f"not JSON: {response.text[:120]!r}"
    if not isinstance(body, dict) or set(body) != {"error"} or not isinstance(body["error"], dict):
        return f"not {{error: …}}: {str(body)[:160]}"
    error = body["error"]
    if set(error) != {"code", "message", "details"}:
        return f"error keys {sorted(error)}"
    if not isinstance(error["code"], str) or not ERROR_CODE.match(error["code"]):
        return f"code {error['code']!r} is not UPPER_SNAKE"
    if not isinstance(error["message"], str) or not isinstance(error["details"], dict):
        return "message must be a string and details an object"
    return None


def leaks_traceback(response: requests.Response) -> bool:
    return any(marker in response.text for marker in TRACEBACK_MARKERS)
