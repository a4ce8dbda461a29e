"""What more than one module of the security tests needs: the repository's root, where
langportal/settings.py (test_https.py) and terraform/ (test_stack.py) are."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
