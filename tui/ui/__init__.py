"""margin's Textual user interface. Only `margin open` imports this package (GUIDE 2)."""
