"""提升工程2.0 整校推进助手 (Tisheng): an offline school programme office tool."""

__version__ = "0.1.0"
APP_NAME = "提升工程2.0 整校推进助手"
