"""Importing CSV and Excel files: organizations, contacts, meetings (意見交換), agreements
(データ連携協定), outreach events (周知広報) and KPI measurements.

A CSV file's encoding is detected (UTF-8, UTF-8 with BOM, or Shift_JIS as cp932); an .xlsx
file is opened read-only after checks against XML and zip bombs (crm.spreadsheet limits). The
header is matched to the entity's columns (English names, or the Japanese ones the office's
spreadsheets use) and the rows are streamed: each is validated by the service API's rules
and matched to an existing record by its id (the `id` column an export writes) or, for a
row without one, by its natural key. An import is read in full first, with
reads only (`read_import`): organizations, staff and tags a file names that do not exist yet
get placeholder ids. Only then does `ImportPlan.write` create them and write the records in
batches with Core inserts, so that a writer holds the database's write lock for the writes
alone (docs/performance.md, "Imports and the write lock").

Re-importing a file adds nothing: a row whose id (or natural key) is known updates its record
when a field differs (a column left out of the file leaves that field alone) and is skipped when
nothing does. The first bad row raises ImportFileError naming the file, sheet, row, column
and value, and nothing the file did is kept (the writes run under a savepoint). A dry run
writes under a savepoint that is always rolled back, and counts every refused row instead.

The modules: `columns` (each entity's file columns and header aliases, list cells),
`csv_text` and `xlsx` (reading the files), `reading` (their rows, the header matched),
`cells` (one row's cells), `matching` (one run: names resolved, rows matched and compared),
`writing` (its inserts and updates), `specs` (each entity's natural key and validation),
`plan` (`read_import`, `ImportPlan.write`, `import_file`), `result`, `errors` and `limits`.
"""

from __future__ import annotations

from crm.io.importing.columns import _ALIASES as _ALIASES
from crm.io.importing.columns import (
    COLUMNS,
    DATE_COLUMNS,
    ENTITIES,
    FORMULA_TRIGGERS,
    ID_COLUMN,
    LIST_SEPARATOR,
    REQUIRED,
    VERSION_COLUMN,
    join_list,
    split_list,
)
from crm.io.importing.columns import _fold as _fold
from crm.io.importing.csv_text import read_csv_text
from crm.io.importing.errors import ImportFileError, unknown_choice
from crm.io.importing.limits import BATCH_SIZE, MAX_XLSX_BYTES, MAX_XLSX_CELLS
from crm.io.importing.plan import ImportPlan, Progress, import_file, read_import
from crm.io.importing.result import ImportResult
from crm.io.importing.specs import _IMPORTERS as _IMPORTERS

__all__ = [
    "BATCH_SIZE",
    "COLUMNS",
    "DATE_COLUMNS",
    "ENTITIES",
    "FORMULA_TRIGGERS",
    "ID_COLUMN",
    "LIST_SEPARATOR",
    "MAX_XLSX_BYTES",
    "MAX_XLSX_CELLS",
    "REQUIRED",
    "VERSION_COLUMN",
    "ImportFileError",
    "ImportPlan",
    "ImportResult",
    "Progress",
    "import_file",
    "join_list",
    "read_csv_text",
    "read_import",
    "split_list",
    "unknown_choice",
]
