"""Compiled templates (see naftiko_codegen/precompiled.py); generated, do not edit."""
