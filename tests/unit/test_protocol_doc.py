"""docs/PROTOCOL.md lists exactly the error codes and states the code has, with the same statuses and labels.

The tables are the public contract other people read; the enums are what the server and the client do.
"""

from __future__ import annotations

import re
from pathlib import Path

from licence_protocol.errors import ErrorCode

from app.domain.states import CATALOGUE, exit_code_for

PROTOCOL = Path(__file__).resolve().parents[2] / "docs" / "PROTOCOL.md"


def _section(heading: str) -> str:
    """The text under ``heading`` up to the next heading of the same or a higher level."""
    text = PROTOCOL.read_text(encoding="utf-8")
    level = heading.split(" ", 1)[0]
    start = text.index(f"\n{heading}\n")
    end = re.compile(rf"^#{{1,{len(level)}}} ", re.MULTILINE).search(text, start + len(heading) + 2)
    return text[start : end.start() if end else len(text)]


def _rows(section: str) -> list[list[str]]:
    """The body rows of the first table whose first cell is a backticked code."""
    rows = []
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if line.startswith("| `") and re.fullmatch(r"`[A-Z][A-Z0-9_]*`", cells[0]):
            rows.append(cells)
    return rows


def _code(cell: str) -> str:
    return cell.strip("`")


def test_error_table_lists_every_error_code_with_its_status_and_detail_keys() -> None:
    rows = _rows(_section("### Error codes"))
    documented = {_code(row[0]): (int(row[1]), tuple(re.findall(r"`([a-z_]+)`", row[2]))) for row in rows}
    expected = {code.value: (code.status, code.details) for code in ErrorCode}

    assert len(rows) == len(documented), "an error code is listed twice"
    assert documented.keys() == expected.keys(), (
        f"missing from PROTOCOL.md: {sorted(expected.keys() - documented.keys())}; "
        f"not an ErrorCode: {sorted(documented.keys() - expected.keys())}"
    )
    wrong = {code: (documented[code], expected[code]) for code in expected if documented[code] != expected[code]}
    assert not wrong, f"(documented, actual) status and detail keys differ: {wrong}"


def test_state_table_lists_every_state_with_its_labels_severity_and_exit_code() -> None:
    rows = _rows(_section("## States"))
    documented = {
        _code(row[0]): (row[1], row[2], row[3], row[4] == "yes", int(row[5])) for row in rows if len(row) >= 6
    }
    expected = {
        code.value: (info.label_zh, info.label_en, info.severity.value, info.usable, exit_code_for(code))
        for code, info in CATALOGUE.items()
    }

    assert documented == expected


def test_error_table_is_in_the_order_of_the_enum() -> None:
    # Keeps the table diffable against a fresh rendering of the enum.
    assert [_code(row[0]) for row in _rows(_section("### Error codes"))] == [code.value for code in ErrorCode]
