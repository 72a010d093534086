# ruff: noqa: F821  (`context` is given by the script step)
# no-result.py — script that does not assign result
data = context["some-step"]
processed = data
