"""Domain errors that carry a plain Chinese message for the user.

Every expected failure (bad input, missing record, refused rule) is an AppError;
the CLI prints `user_message` and exits non-zero, the GUI shows it in a message
box. Anything else is a bug and goes to the log.

`user_message` speaks to whoever uses the window as well as the command line: it
never names a command or a `--flag`. What only the command line can do ("命令行加
--move", "tisheng fsck") goes into `cli_hint`, which the CLI prints after the message
and the window never shows. An operation that needs a yes first (dropping a point
that has evidence, moving a 组长) raises ConfirmationRequired: the window asks its
`user_message` and repeats the call confirmed, the command line says how to confirm.
"""

from __future__ import annotations


class AppError(Exception):
    """An expected failure with a message a school administrator can act on."""

    exit_code = 2

    def __init__(self, user_message: str, *, details: list[str] | None = None, cli_hint: str = "") -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.details = list(details or [])
        self.cli_hint = cli_hint

    def full_message(self) -> str:
        if not self.details:
            return self.user_message
        return self.user_message + "\n" + "\n".join(f"  · {d}" for d in self.details)


class ValidationError(AppError):
    """A value a person typed or imported is not acceptable."""

    def __init__(self, user_message: str, *, field: str | None = None,
                 details: list[str] | None = None, cli_hint: str = "") -> None:
        super().__init__(user_message, details=details, cli_hint=cli_hint)
        self.field = field


class NotFoundError(AppError):
    """The record the user named does not exist."""


class AmbiguousError(AppError):
    """A name matches more than one record."""


class RuleViolation(AppError):
    """An operation would break one of the programme's rules."""


class ConfirmationRequired(AppError):
    """The operation has consequences elsewhere that the user must accept first; nothing changed.

    `user_message` says what would happen (the window asks it as a question and, on 是,
    repeats the call with the service's confirm argument); `cli_hint` names the flag."""


class DatabaseTooNewError(AppError):
    """The data folder was written by a newer version of the app."""

    def __init__(self, found: int, supported: int) -> None:
        super().__init__(
            f"该数据文件由更新版本的本软件创建（数据版本 {found}，本软件支持到 {supported}）。"
            "为避免损坏数据，本软件不会打开它。请安装最新版本后再打开。")
        self.found, self.supported = found, supported


class StorageError(AppError):
    """A file could not be read or written (disk full, permission, vanished)."""


class CancelledError(AppError):
    """The user cancelled a long operation; nothing was changed."""

    def __init__(self, user_message: str = "操作已取消，数据未作任何更改。") -> None:
        super().__init__(user_message)
