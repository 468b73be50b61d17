"""Reads, always scoped to the caller's customer; one module per area."""
