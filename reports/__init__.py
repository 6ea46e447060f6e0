"""PDF reports: the quarterly and annual KPI report (`reports.publish.publish_report`)."""
