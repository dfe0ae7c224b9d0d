"""``python -m examples.mini_ledger [--demo] [--lang zh_CN|en|vi|fa] [--data-dir DIR] [--server URL]``."""

import sys

from examples.mini_ledger.launch import main

sys.exit(main())
