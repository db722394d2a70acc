"""pytest integration of ``rtverify check`` (placeholder)."""
