"""Describe a captured stdout file for the lane's report: its encoding and whether it is one JSON object."""

import json
import sys
from pathlib import Path

data = Path(sys.argv[1]).read_bytes()
if not data:
    print("empty")
    raise SystemExit(0)
parts = []
try:
    text = data.decode("utf-8")
    non_ascii = sum(1 for ch in text if ord(ch) > 127)
    parts.append(f"valid UTF-8, {non_ascii} non-ASCII characters" if non_ascii else "ASCII")
except UnicodeDecodeError as exc:
    text = None
    parts.append(f"NOT UTF-8 (byte {exc.start}: {data[exc.start : exc.start + 4].hex()})")
if data.startswith(b"\xef\xbb\xbf"):
    parts.append("with a BOM")
if b"\r\n" in data:
    parts.append("CRLF")
if text is not None and text.lstrip().startswith("{"):
    try:
        obj = json.loads(text)
        parts.append(f"JSON, state={(obj.get('state') or {}).get('code')}, exit_code={obj.get('exit_code')}")
    except ValueError as exc:
        parts.append(f"not valid JSON ({exc})")
print("; ".join(parts))
