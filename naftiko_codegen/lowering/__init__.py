"""The lowering phase, one module per part of a capability (see :mod:`naftiko_codegen.lower`)."""
