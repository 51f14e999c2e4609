"""The audit trail (hash-chained events) and the registry of produced answers."""
