"""How much an import reads and writes at a time, and the largest Excel file it opens."""

from __future__ import annotations

#: Rows written to the database at a time.
BATCH_SIZE = 5000
#: An .xlsx file larger than this is refused (bytes on disk).
MAX_XLSX_BYTES = 50 * 1024 * 1024
#: A sheet with more cells than this is refused.
MAX_XLSX_CELLS = 5_000_000
