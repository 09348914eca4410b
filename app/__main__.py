"""Allow `python -m app` to behave exactly like the `tisheng` command."""

from app.cli.entry import run_command

if __name__ == "__main__":
    run_command()
