"""The period a command's --from/--to or --fiscal-year [--quarter] names."""

from __future__ import annotations

import argparse
from datetime import date

from cli.errors import UsageError
from cli.messages import refusal
from crm.calendar import FiscalPeriod


def period(args: argparse.Namespace) -> FiscalPeriod | None:
    """The fiscal year or quarter of --fiscal-year [--quarter], or None without them."""
    if args.quarter is not None and args.fiscal_year is None:
        raise refusal(UsageError, "quarter_needs_year")
    if args.fiscal_year is None:
        return None
    return FiscalPeriod(args.fiscal_year, args.quarter)


def date_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """--from/--to, or the dates of --fiscal-year [--quarter]."""
    fiscal = period(args)
    if fiscal is None:
        return args.start, args.end
    if args.start is not None or args.end is not None:
        raise refusal(UsageError, "period_twice")
    return fiscal.start, fiscal.end


def checked_date_range(args: argparse.Namespace) -> tuple[date | None, date | None]:
    """`date_range`, refusing --from after --to."""
    start, end = date_range(args)
    if start is not None and end is not None and start > end:
        raise refusal(UsageError, "from_after_to", start=start.isoformat(), end=end.isoformat())
    return start, end
