"""One app window per data folder: a second start brings the first window forward.

The data folder's OS lock (app.services.instance_lock) decides who is first. The
first instance listens on a QLocalServer whose name is derived from the data
folder's path (and the user), so two schools opened side by side never talk to
each other. A second instance that finds the folder locked connects and sends
"activate"; the first raises its window, and the second exits quietly.

    server = InstanceServer(root)            # in the first instance, once it holds the lock
    server.activation_requested.connect(bring_forward_callback)
    server.listen()

    if ask_first_instance(root, pid):        # in the second: True if the first was told
        ...exit 0
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)

MESSAGE = b"activate\n"
ACK = b"ok\n"


def server_name(root: Path | str) -> str:
    """The local server name for this data folder and user (a short hash, valid as a pipe/socket name)."""
    try:
        path = str(Path(root).resolve())
    except OSError:
        path = str(Path(root).absolute())
    try:
        user = getpass.getuser()
    except (KeyError, OSError):      # no user name in the environment (rare, e.g. a service)
        user = ""
    key = f"{user}\x1f{os.path.normcase(path)}"
    return "tisheng-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


class InstanceServer(QObject):
    """Listens for "bring your window forward" from later starts on the same data folder."""

    activation_requested = Signal()

    def __init__(self, root: Path | str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = server_name(root)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_new_connection)
        self._sockets: list[QLocalSocket] = []

    def listen(self) -> bool:
        """Start listening. The caller holds the folder's lock, so a server of this name is stale."""
        if self._server.isListening():
            return True
        if not self._server.listen(self.name):
            QLocalServer.removeServer(self.name)         # left behind by a crashed instance (Unix)
            if not self._server.listen(self.name):
                log.warning("single-instance server %s: %s", self.name, self._server.errorString())
                return False
        return True

    def close(self) -> None:
        self._server.close()
        for socket in self._sockets:
            socket.abort()
        self._sockets.clear()

    def _on_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is None:
                break
            self._sockets.append(socket)
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(lambda s=socket: self._drop(s))
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        data = bytes(socket.readAll().data())
        if MESSAGE.strip() in data:
            log.info("another start on this data folder: bringing the window forward")
            if socket.state() == QLocalSocket.LocalSocketState.ConnectedState:
                socket.write(ACK)
                socket.flush()
            self.activation_requested.emit()

    def _drop(self, socket: QLocalSocket) -> None:
        if socket.bytesAvailable():
            self._read(socket)
        if socket in self._sockets:
            self._sockets.remove(socket)
        socket.deleteLater()


def allow_foreground(pid: int | None) -> None:
    """Windows only lets the foreground process hand the foreground on: let the first instance take it."""
    if sys.platform != "win32":
        return
    try:  # pragma: no cover - Windows only
        import ctypes
        ctypes.windll.user32.AllowSetForegroundWindow(int(pid) if pid else -1)   # -1: ASFW_ANY
    except (AttributeError, OSError, ValueError):
        pass


def ask_first_instance(root: Path | str, pid: int | None = None, timeout_ms: int = 2000,
                       wait_for_reply: bool = True) -> bool:
    """Tell the instance holding `root` to bring its window forward; True if it was told."""
    allow_foreground(pid)
    socket = QLocalSocket()
    socket.connectToServer(server_name(root))
    if not socket.waitForConnected(timeout_ms):
        log.info("no single-instance server for %s: %s", root, socket.errorString())
        return False
    socket.write(MESSAGE)
    if not socket.waitForBytesWritten(timeout_ms):
        socket.abort()
        return False
    if wait_for_reply:
        socket.waitForReadyRead(timeout_ms)            # best effort: it was told either way
    socket.disconnectFromServer()
    if socket.state() != QLocalSocket.LocalSocketState.UnconnectedState:
        socket.waitForDisconnected(500)
    return True


def bring_forward(window: QWidget) -> None:
    """Show, un-minimise, raise and activate a top-level window."""
    state = window.windowState()
    if state & Qt.WindowState.WindowMinimized:
        window.setWindowState((state & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive)
    window.show()
    window.raise_()
    window.activateWindow()
