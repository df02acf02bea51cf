"""Registers the shared fixtures of tests/support.py for every test module."""

from support import app_server, chromium  # noqa: F401  (pytest finds fixtures by name)
