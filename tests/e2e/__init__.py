"""End-to-end tests: each starts real servers on 127.0.0.1 and talks to them with real clients."""
