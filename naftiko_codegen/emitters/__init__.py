"""What templates write code with, one module per concern: :mod:`.expressions` (the
:class:`~.expressions.Emitter` of one generated module: values, shapes, paths and bodies,
dispatched per IR node class, recording every runtime name its code uses), :mod:`.usage`
(the value sources a unit evaluates and the inputs it reads), :mod:`.auth` (credential
checks), :mod:`.container` (the Dockerfile) and :mod:`.text` (TOML, JSON and Markdown)."""
