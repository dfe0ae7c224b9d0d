"""Typed reading of the server's JSON answers (docs/ARCHITECTURE.md, "HTTP shapes"), shared by the domain's parsers.

Tolerant of fields a newer server adds, strict on the ones the client reads: a missing field or one of the
wrong type raises ``ResponseFormatError`` (a ``ValueError``) naming its path, never ``KeyError``/``TypeError``
deep inside a widget. Date-times follow ``licence_protocol.dates``: aware UTC, a value without offset is UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from licence_protocol.dates import parse_iso


class ResponseFormatError(ValueError):
    """The server's answer is not of the shape this client reads."""


_MISSING = object()


class JsonReader:
    """Typed access to one JSON object; every error names the field's path (``order.payment.pay_url``)."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, Mapping):
            raise ResponseFormatError(f"{where} is not an object")
        self.data: Mapping[str, Any] = data
        self.where = where

    def _value(self, key: str, optional: bool) -> Any:
        value = self.data.get(key, _MISSING)
        if value is _MISSING:
            if not optional:
                raise ResponseFormatError(f"{self.where}.{key} is missing")
            return None
        return value

    def _fail(self, key: str, expected: str) -> ResponseFormatError:
        return ResponseFormatError(f"{self.where}.{key} is not {expected}")

    def integer(self, key: str) -> int:
        value = self._value(key, optional=False)
        # bool is an int in Python, but never a count, an id or an amount on the wire.
        if not isinstance(value, int) or isinstance(value, bool):
            raise self._fail(key, "an integer")
        return value

    def optional_integer(self, key: str) -> int | None:
        """Missing or null → None."""
        if self._value(key, optional=True) is None:
            return None
        return self.integer(key)

    def text(self, key: str) -> str:
        value = self._value(key, optional=False)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def optional_text(self, key: str, default: str | None = None) -> str | None:
        """Missing or null → ``default``."""
        if self._value(key, optional=True) is None:
            return default
        return self.text(key)

    def text_or_empty(self, key: str) -> str:
        """Missing or null → ""."""
        return self.optional_text(key) or ""

    def flag(self, key: str) -> bool:
        value = self._value(key, optional=False)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def moment(self, key: str) -> datetime:
        value = self._value(key, optional=False)
        moment = parse_iso(value) if isinstance(value, str) else None
        if moment is None:
            raise self._fail(key, "an ISO 8601 date-time")
        return moment

    def optional_moment(self, key: str) -> datetime | None:
        """Missing or null → None; any other value must be a date-time."""
        if self._value(key, optional=True) is None:
            return None
        return self.moment(key)

    def texts(self, key: str) -> tuple[str, ...]:
        """A list of strings; missing or null → ()."""
        value = self._value(key, optional=True)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def child(self, key: str) -> JsonReader:
        return JsonReader(self._value(key, optional=False), f"{self.where}.{key}")

    def optional_child(self, key: str) -> JsonReader | None:
        """Missing or null → None."""
        value = self._value(key, optional=True)
        return None if value is None else JsonReader(value, f"{self.where}.{key}")

    def items(self, key: str) -> list[JsonReader]:
        """The objects of a list; missing or null → []."""
        value = self._value(key, optional=True)
        if value is None:
            return []
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return [JsonReader(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def required_items(self, key: str) -> list[JsonReader]:
        """The objects of a list that must be there (possibly empty)."""
        if self._value(key, optional=False) is None:
            raise self._fail(key, "a list")
        return self.items(key)
