"""``rtverify check``: validate other implementations against the reference (placeholder)."""

__all__: list[str] = []
