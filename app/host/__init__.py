"""The licence panel for Python host programs: the accounting software asks it, and opens its screens.

A host in any language runs ``python -m app check|vouchers consume|refresh|ledgers|purchase|renew|open`` and reads
the exit code or ``--json`` (docs/INTEGRATION.md). A Python host may use this package instead, in-process:

    from app.host import LicenceHost, LicenceError

    host = LicenceHost()                                   # the panel's data dir, settings and remembered session
    if host.check("period_close", ledger_id=2, fiscal_year=2025).open:      # offline, like `check`
        ...
    try:
        host.consume_vouchers(2, 2025, count=1, key="2025-记-0042")          # online, else the offline journal
    except LicenceError as exc:                           # exc.code VOUCHER_QUOTA_EXCEEDED, exc.message, exc.exit_code
        ...

``app.host`` (this package, ``app.host.api``) never imports Qt, and loads requests and keyring only with the first
online call. The panel's screens for a Qt host are in ``app.host.qt``: ``HostPanel`` opens 立即购买 bound to a
ledger-year, 续费 and 系统认证 inside the host's QApplication, and ``LicenceWidget`` embeds 系统认证 in a host
window with signals when the licence state or the entitlements change.
"""

from licence_protocol.document import Entitlement, VoucherUsage

from app.domain.ledgers import Ledger, LedgerYear, LicenceLedgers
from app.domain.module_check import VOUCHERS_MODULE
from app.domain.vouchers import VoucherConsumption, VoucherStanding
from app.host.api import (
    DemoServer,
    LicenceError,
    LicenceHost,
    LicenceState,
    ModuleAccess,
    start_demo_server,
)

__all__ = [
    "VOUCHERS_MODULE",
    "DemoServer",
    "Entitlement",
    "Ledger",
    "LedgerYear",
    "LicenceError",
    "LicenceHost",
    "LicenceLedgers",
    "LicenceState",
    "ModuleAccess",
    "VoucherConsumption",
    "VoucherStanding",
    "VoucherUsage",
    "start_demo_server",
]
