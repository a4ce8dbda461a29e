"""The study records' jobs (langportal.jobs), one module per kind: each registers its
kind when imported, which the app's `ready` does through this package."""

from lrs.jobs import erasure, history  # noqa: F401 (each registers its kind)
