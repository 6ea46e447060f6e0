"""SQL that migrations run as text: each schema version's KPI views and checks, and the
audit triggers.

Migrations are history: `kpi_vNNNN` holds, verbatim, the KPI SQL that migration NNNN
created, and is never edited. A change to the rules of crm.kpi.rules goes into a new
`kpi_vNNNN` module and a migration NNNN that imports it (tests/test_schema.py holds the
newest module to what the rules generate).
"""
