from __future__ import annotations

# Fixtures defined in helper modules; other test folders can import them the same way.
from tests.accounts.oidc import oidc_provider_factory  # noqa: F401
from tests.accounts.smtp import smtp_server  # noqa: F401
