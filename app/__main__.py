"""Allow `python -m app` to behave exactly like the `tisheng` command."""

import sys

from app.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
