"""``python -m app``: see app/cli/ for the commands."""

from __future__ import annotations

import sys


def main() -> int:
    from app.cli import main as cli_main

    return cli_main(sys.argv[1:], setup_logging=True)


if __name__ == "__main__":
    raise SystemExit(main())
