"""The local stack: an AWS emulator on loopback, provisioned and seeded, behind gunicorn."""
