"""Compiled templates (see naftiko_codegen/precompiled.py); generated, do not edit."""

JINJA_VERSION = '3.1.6'
"""The Jinja that compiled them: with another, every template is compiled from source."""
