"""``python -m app …``: the panel, and the commands IT staff script.

``parser`` defines the command line and which function runs each command; ``status`` (status and fingerprint),
``check``, ``vouchers``, ``refresh``, ``ledgers``, ``activate`` and ``offline`` hold the commands, ``session`` the
sign-in they share, and ``errors`` the one mapping from an error to a user message and an exit code. ``status``,
``fingerprint`` and ``check`` must start fast and must not pull in Qt, requests or keyring: only the parser and
app/cli/status.py load with them (and app/cli/check.py for ``check``), and every other module is imported when
it is needed (a command's module when it runs, ``errors`` when something failed).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from app.cli.output import tolerate_unencodable_text
from app.cli.parser import build_parser
from app.deferred_logging import DeferredLogger, configure_now, configure_on_first_use

log = DeferredLogger(__name__)  # `status` and `check` import logging only if they log


def main(argv: Sequence[str] | None = None, *, setup_logging: bool = False) -> int:
    """Run one command; returns the process exit code. ``python -m app`` sets ``setup_logging``."""
    tolerate_unencodable_text()
    try:
        args = build_parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)

    from app.services.paths import AppPaths

    args.paths = AppPaths.from_data_dir(args.data_dir)
    if setup_logging:
        # Read-only commands leave no files behind: their warnings go to stderr only. They usually log nothing,
        # so they configure logging (and import it) at their first record.
        paths, verbose, to_file = args.paths, args.verbose, not args.read_only

        def configure() -> None:
            from app.logging_setup import configure_logging

            configure_logging(paths, verbose=verbose, to_file=to_file)

        configure_on_first_use(configure)
        if not args.read_only:
            configure_now()
    if not args.read_only:  # read-only runs clean only what they write (write_atomically does that)
        args.paths.remove_stale_temp_files()
    if args.lang:
        from app.i18n import set_language

        set_language(args.lang)
    try:
        return int(args.run(args))
    except (Exception, KeyboardInterrupt) as exc:
        from app.cli.errors import failure_for  # only now: `status` rarely fails

        failure = failure_for(exc)
        if isinstance(exc, BrokenPipeError):  # nobody reads stdout any more: let the exit flush go nowhere
            import os

            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        if failure.is_bug:
            log.error("%s failed", args.command or "the panel", exc_info=exc)
        if failure.message:
            print(f"error: {failure.message}", file=sys.stderr)
        return failure.exit_code
