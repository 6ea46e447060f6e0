"""`crm kpi comment`: write a KPI's 要因分析 / 課題 / 今後の方向性 for a fiscal year or quarter."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from crm.errors import DataError

#: The encodings a comment file may be in: UTF-8 (with or without BOM), else Shift_JIS (cp932).
ENCODINGS = ("utf-8-sig", "cp932")


def read_comment_file(path: Path) -> str:
    """The text of a comment file, read as UTF-8 or cp932; DataError naming the file otherwise."""
    raw = path.read_bytes()
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: neither UTF-8 nor Shift_JIS (cp932) text; nothing changed",
                    ja=f"{path}: UTF-8 でも Shift_JIS (cp932) でもありません。変更していません",
                    field="file")


def cmd_kpi_comment(args: argparse.Namespace, out: TextIO) -> int:
    """Write (or, with empty text, clear) one comment of a KPI for a period."""
    from cli.database import context, open_database, refuse_if_read_only
    from crm.calendar import FiscalPeriod
    from crm.i18n import default_language
    from crm.kpi import comments

    refuse_if_read_only(args)
    lang = args.lang or default_language()
    text = args.text if args.file is None else read_comment_file(args.file)
    period = FiscalPeriod(args.fiscal_year, args.quarter)
    ctx = context(args)
    with open_database(args).writing(actor=ctx.user) as session:
        kpi = comments.commented_kpi(session, args.code, args.plan)
        changed = comments.set_comment(session, ctx, kpi=kpi, period=period,
                                       field=args.field, text=text)
    field = comments.field_label(args.field, lang)
    what = f"{kpi.plan_code}/{kpi.code} {period.label(lang)} {field}"
    if lang == "ja":
        state = ("削除しました" if not text.strip() else "保存しました") if changed else "変更なし"
    else:
        state = ("cleared" if not text.strip() else "saved") if changed else "unchanged"
    print(f"{what}: {state}", file=out)
    return 0
