"""The audit trail: the hash chain over audit_log and record histories."""
