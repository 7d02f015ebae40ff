"""bovine-herd as a fediverse server of its own, for tests/federation/test_bovine.py (run with
hypercorn in a separate process; its database is BOVINE_DB_URL)."""

from __future__ import annotations

import os

from bovine_herd import BovineHerd
from quart import Quart

app = Quart(__name__)
BovineHerd(app, db_url=os.environ["BOVINE_DB_URL"])
