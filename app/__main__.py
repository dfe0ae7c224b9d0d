"""``python -m app``: see app/cli/ for the commands."""

from __future__ import annotations

import sys

EXIT_INTERNAL = 4  # as app.cli.errors.EXIT_INTERNAL, which may be what failed to load


def main() -> int:
    try:
        from app.cli import main as cli_main
    except Exception as exc:  # a broken install or build: say so in one line, never with a code scripts act on
        print(f"error: the licence panel cannot start ({type(exc).__name__}: {exc})", file=sys.stderr)
        return EXIT_INTERNAL
    return cli_main(sys.argv[1:], setup_logging=True)


if __name__ == "__main__":
    raise SystemExit(main())
