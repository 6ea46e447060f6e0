"""The command line's exit codes and its usage error (light: the parser imports it)."""

from __future__ import annotations

from crm.errors import CRMError

EXIT_DATA_ERROR = 1
EXIT_USAGE = 2


class UsageError(CRMError):
    """Options that do not go together."""
