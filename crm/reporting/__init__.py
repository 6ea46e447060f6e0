"""What a KPI report shows, gathered in one pass (content), its reads, fingerprint and issuing."""
