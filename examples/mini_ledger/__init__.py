"""Mini ledger: a tiny bookkeeping program licensed by the panel (``python -m examples.mini_ledger --demo``).

It does what e会计 users do — list ledgers (账套), create one, open a ledger-year (进入账套), post vouchers (记账),
close the period (结账) — and asks the panel at each step through ``app.host``: ``check`` (offline) before a
guarded action, ``consume_vouchers`` after posting, the ledger calls, and the panel's own screens (立即购买 bound to
the open ledger-year, 系统认证 embedded in a tab). ``books`` holds what one ledger-year shows (pure),
``licensing`` the blocking calls (run off the GUI thread), ``window`` the window, ``launch`` the command line.
"""
