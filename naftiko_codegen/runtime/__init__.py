"""Code every generated package shares: real Python, copied verbatim into the package.

Each module here is one concern of the generated servers that does not depend on the spec
(errors, upstream exchanges, wire encodings, REST and MCP helpers, authentication,
metrics, tracing, ...). A package gets exactly the modules its generated modules import
and the modules those import in turn (:mod:`naftiko_codegen.runtime_modules`), so it holds
nothing its spec does not use; modules are cut by concern and by third-party dependency.
They import each other relatively (``from .errors import InputError``), as they do inside
the generated package, and are linted, type-checked and unit-tested with the compiler
(``tests/unit/runtime/``). The compiler never imports them.
"""
