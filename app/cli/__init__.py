"""The `tisheng` command line: a thin layer over app.services."""
