"""The helpers templates call to write code for IR nodes, one module per concern:
:mod:`.expressions` (values, shapes, paths, bodies), :mod:`.usage` (the inputs a unit reads and
the runtime helpers a module imports), :mod:`.auth` (credential checks) and :mod:`.text`
(TOML, JSON and Markdown text)."""
