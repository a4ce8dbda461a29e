"""Jobs: imports, exports and erasures that run outside the request (see services)."""
