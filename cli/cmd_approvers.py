"""`crm report --approvers 部長,課長,係長,担当 [--save-approvers]`: the roles of the cover's
approval block, and keeping them as the default for later reports (CLI and TUI)."""

from __future__ import annotations

import argparse
from typing import TextIO


def approvers_option(args: argparse.Namespace, out: TextIO) -> tuple[str, ...] | None:
    """The roles --approvers names (None: the saved default); with --save-approvers they are
    saved first, and where is said on `out`."""
    from cli.errors import UsageError
    from crm.reporting.approvers import parse_approvers, save_approvers

    if args.approvers is None:
        if args.save_approvers:
            raise UsageError("--save-approvers needs --approvers ROLES")
        return None
    roles = parse_approvers(args.approvers)
    if args.save_approvers:
        path = save_approvers(roles)
        print(f"saved approval roles {', '.join(roles)} in {path}", file=out)
    return roles
