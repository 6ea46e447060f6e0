"""Who is acting and what time it is: injected into every service call.

Tests pass a fixed clock; the program passes the system clock. Timestamps are stored in UTC;
the office's calendar day is Japan time (UTC+9, no daylight saving).
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone

JAPAN = timezone(timedelta(hours=9), "JST")


def system_clock() -> datetime:
    """The current time, in UTC."""
    return datetime.now(UTC)


def current_user() -> str:
    """The acting user's name: CRM_USER, else the login name."""
    user = os.environ.get("CRM_USER")
    if user:
        return user
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def os_login() -> str:
    """The operating system's name for the user running the program (not an environment
    variable: the account of the process's user id where the system has one)."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError):
        pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class Context:
    """The acting user and the clock; every write records both."""

    user: str = field(default_factory=current_user)
    clock: Callable[[], datetime] = system_clock

    def now(self) -> datetime:
        """The current time in UTC (timezone-aware)."""
        return self.clock().astimezone(UTC)

    def today(self) -> date:
        """Today's date in Japan."""
        return self.clock().astimezone(JAPAN).date()


def fixed_clock(moment: datetime) -> Callable[[], datetime]:
    """A clock that always answers `moment` (for tests and reproducible demo data)."""
    if moment.tzinfo is None:
        raise ValueError("a fixed clock needs a timezone-aware datetime")
    return lambda: moment
