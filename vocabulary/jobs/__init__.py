"""The vocabulary's jobs (langportal.jobs), one module per kind: each registers its kind
when imported, which the app's `ready` does through this package."""

from vocabulary.jobs import anki, exports, imports  # noqa: F401 (each registers its kind of job)
