"""`crm contacts erase ID --reason TEXT`: erase a contact's personal data (個人情報の消去)."""

from __future__ import annotations

import argparse
from typing import TextIO

_FIELDS = {
    "ja": {"name": "氏名", "kana": "よみがな", "department": "部署", "title": "役職",
           "email": "メールアドレス", "phone": "電話番号", "notes": "備考"},
    "en": {"name": "name", "kana": "kana", "department": "department", "title": "title",
           "email": "e-mail", "phone": "phone", "notes": "notes"},
}


def cmd_contacts(args: argparse.Namespace, out: TextIO) -> int:
    """Erase the contact's personal values from its row and the audit log; say what went."""
    from cli.database import context, open_database, refuse_if_read_only
    from crm.i18n import default_language
    from crm.records.erasure import erase_contact
    from db.maintenance import purge_freed_space

    refuse_if_read_only(args)
    ctx = context(args)
    database = open_database(args)
    with database.writing(actor=ctx.user) as session:
        erasure = erase_contact(session, ctx, args.id, reason=args.reason or "")
    purge_freed_space(database)
    lang = args.lang or default_language()
    fields = "、".join(_FIELDS["ja"][f] for f in erasure.fields) if lang == "ja" else (
        ", ".join(_FIELDS["en"][f] for f in erasure.fields))
    if lang == "ja":
        print(f"連絡先 {erasure.contact_id} の個人情報を消去しました（{fields or 'なし'}）。"
              f"監査ログの値 {erasure.values_erased} 件を消去し、ハッシュ連鎖はそのままです。",
              file=out)
    else:
        print(f"erased the personal data of contact {erasure.contact_id} ({fields or 'none'});"
              f" {erasure.values_erased} value(s) erased from the audit log, the hash chain"
              " is unchanged", file=out)
    return 0
