"""naftiko-gen: compile Naftiko capability documents into standalone Python packages."""

__version__ = "0.1.0"
