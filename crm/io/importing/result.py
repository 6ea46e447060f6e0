"""What an import did, or in a dry run would do, and the line that says so."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crm.io.importing.errors import ImportFileError


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do), in records.

    `refused` and `errors` are filled by a dry run only: a real import stops at the first
    refused row. `created_organizations` counts those added by `create_missing`.
    """

    entity: str
    path: Path
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0
    errors: tuple[ImportFileError, ...] = ()
    created_organizations: int = 0
    dry_run: bool = False

    def summary(self, lang: str = "en") -> str:
        """One line in `lang`: what was (or would be) added, updated, left unchanged and
        refused."""
        ja = lang == "ja"
        if self.dry_run:
            text = (f"試行のみで、何も変更していません: {self.path} の {self.entity} は追加"
                    f" {self.added} 件、更新 {self.updated} 件、変更なし {self.unchanged} 件、"
                    f"拒否 {self.refused} 件になります" if ja else
                    f"dry run, nothing changed: {self.entity} from {self.path} would add"
                    f" {self.added}, update {self.updated}, leave {self.unchanged} unchanged"
                    f" and refuse {self.refused}")
        elif ja:
            text = f"{self.path} から {self.entity} {self.added} 件を取り込みました"
            if self.updated or self.unchanged:
                text += f"（更新 {self.updated} 件、変更なし {self.unchanged} 件）"
        else:
            text = f"imported {self.added} {self.entity} from {self.path}"
            if self.updated or self.unchanged:
                text += f" ({self.updated} updated, {self.unchanged} unchanged)"
        if self.created_organizations:
            text += (f"、新しい団体 {self.created_organizations} 件" if ja else
                     f"; {self.created_organizations} new organizations")
        return text
