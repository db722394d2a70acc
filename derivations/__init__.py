"""The derivations of rtverify, one identity per module (installed as ``rtverify.derivations``).

Each module exposes ``ORDER`` and ``derivation() -> rtverify.derivation.Derivation``; see
``rtverify.registry``. The pages in ``docs/derivations/`` are generated from them by
``rtverify derive``.
"""
