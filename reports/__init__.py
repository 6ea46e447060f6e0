"""PDF reports: the quarterly and annual KPI report (`reports.kpi_report.build_report`)."""
