# ruff: noqa: F821  (`context` is given by the script step)
# fails.py — divides by zero on its fourth line
total = len(context["fetch-readings"])
result = total / 0
