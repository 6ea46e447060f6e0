"""The SQL of migration 0012's row versions (optimistic concurrency, docs/auditing.md).

Every editable record gets a `version` integer, 1 when created and bumped by every change
the program saves (crm.records.services). It is bookkeeping, not content: the audit log
keeps recording the record's columns without it. On SQLite the audit triggers name their
columns, so they already leave it out; on PostgreSQL the record function writes the whole
row as JSON, so 0012 replaces it by one that removes `version` first.

Being the history of that migration, this SQL never changes.
"""

from __future__ import annotations

from db.schema_sql.personal import PG_RECORD_FUNCTION as PERSONAL_RECORD_FUNCTION
from db.schema_sql.trust import PG_RECORD_FUNCTION_0006

#: The tables whose records carry a version: every record the program edits.
VERSIONED_TABLES = (
    "organization", "contact", "staff", "meeting", "agreement", "outreach_event", "plan",
    "kpi", "kpi_target_revision", "kpi_measurement",
)
VERSION_COLUMN = "version"



def _without_version(function: str) -> str:
    return function.replace(
        "old_row := to_jsonb(OLD);", f"old_row := to_jsonb(OLD) - '{VERSION_COLUMN}';").replace(
        "new_row := to_jsonb(NEW);", f"new_row := to_jsonb(NEW) - '{VERSION_COLUMN}';")


#: 0007's record function, leaving the version out of the recorded values.
PG_RECORD_FUNCTION_0012 = _without_version(PG_RECORD_FUNCTION_0006)
#: 0008's record function for rows with personal values (contacts), likewise.
PG_PERSONAL_RECORD_FUNCTION_0008 = PERSONAL_RECORD_FUNCTION.replace(
    "CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
PG_PERSONAL_RECORD_FUNCTION_0012 = _without_version(PG_PERSONAL_RECORD_FUNCTION_0008)
