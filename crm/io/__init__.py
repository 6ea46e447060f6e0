"""Files in and out: CSV/xlsx import and export, the open-data CSVs."""
