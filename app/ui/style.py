"""Chinese locale, Qt's own Chinese strings, fonts and the app's light stylesheet."""

from __future__ import annotations

import logging
import sys

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QColor, QFont, QFontDatabase, QPalette
from PySide6.QtWidgets import QApplication

from app.resources import resource_path

log = logging.getLogger(__name__)

ACCENT = "#1f6fb2"
OK = "#2e7d32"
WARN = "#b26a00"
BAD = "#c62828"
MUTED = "#666666"
FOCUS = "#0b63c5"          # the keyboard focus ring: strong enough to find at a glance on a projector
FOCUS_SOFT = "#d6e6f8"
PROJECT_FAMILY = "Tisheng Sans SC"

ARROW = resource_path("icons", "down-arrow.svg").as_posix()

STYLESHEET = f"""
QListWidget#navigation {{ background: #f3f6fa; border: none; border-right: 1px solid #d8dee6;
    font-size: 14px; padding-top: 6px; outline: 0; }}
QListWidget#navigation::item {{ padding: 9px 14px; border-left: 3px solid transparent; color: #222; }}
QListWidget#navigation::item:selected {{ background: #dde9f6; color: {ACCENT}; border-left: 3px solid {ACCENT}; }}
QListWidget#navigation::item:hover:!selected {{ background: #e8eef5; }}
QLabel[role="pageTitle"] {{ font-size: 20px; font-weight: bold; color: #1d2733; }}
QLabel[role="pageSubtitle"] {{ color: {MUTED}; }}
QLabel[role="error"] {{ color: {BAD}; }}
QLabel[role="hint"] {{ color: {MUTED}; font-size: 12px; }}
QLabel[role="sectionTitle"] {{ font-size: 15px; font-weight: bold; color: #1d2733; margin-top: 4px; }}
QLineEdit, QComboBox, QPlainTextEdit, QTextEdit, QSpinBox, QDoubleSpinBox, QDateEdit {{
    border: 1px solid #aab4bf; border-radius: 3px; padding: 2px 4px; background: white; }}
QComboBox::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 18px;
    border-left: 1px solid #d5dae0; }}
QComboBox::down-arrow {{ image: url({ARROW}); width: 10px; height: 6px; }}
QDateEdit::drop-down {{ subcontrol-origin: padding; subcontrol-position: center right; width: 18px;
    border-left: 1px solid #d5dae0; }}
QDateEdit::down-arrow {{ image: url({ARROW}); width: 10px; height: 6px; }}
QComboBox:disabled, QLineEdit:disabled, QDateEdit:disabled {{ background: #f0f2f4; color: #8a939c; }}
QLineEdit:focus, QComboBox:focus, QPlainTextEdit:focus, QTextEdit:focus, QSpinBox:focus, QDoubleSpinBox:focus,
QDateEdit:focus {{ border: 2px solid {FOCUS}; padding: 1px 3px; }}
QPushButton, QToolButton {{ border: 1px solid #aab4bf; border-radius: 3px; padding: 3px 10px;
    background: #f7f9fb; min-height: 20px; }}
QPushButton:hover, QToolButton:hover {{ background: #e8eef5; }}
QPushButton:pressed, QToolButton:pressed, QToolButton:checked {{ background: #d4e2f1; }}
QPushButton:default {{ border: 1px solid {ACCENT}; }}
QPushButton:disabled, QToolButton:disabled {{ color: #9aa3ad; background: #f3f4f6; border-color: #d5dae0; }}
QPushButton:focus, QToolButton:focus {{ border: 2px solid {FOCUS}; padding: 2px 9px; }}
QToolBar QToolButton {{ border: 1px solid transparent; background: transparent; padding: 2px 4px; }}
QToolBar QToolButton:hover {{ border: 1px solid #c9d3de; background: #eef3f8; }}
QToolBar QToolButton:focus {{ border: 2px solid {FOCUS}; padding: 1px 3px; }}
QCheckBox:focus, QRadioButton:focus {{ background: {FOCUS_SOFT}; border-radius: 3px; }}
QTableView:focus, QListView:focus, QListWidget:focus, QTreeView:focus, QTextBrowser:focus {{
    border: 2px solid {FOCUS}; }}
QTabBar::tab:focus {{ color: {FOCUS}; text-decoration: underline; }}
QLineEdit[invalid="true"], QComboBox[invalid="true"] {{ border: 1px solid {BAD}; }}
QLineEdit[invalid="true"]:focus, QComboBox[invalid="true"]:focus {{ border: 2px solid {BAD}; padding: 1px 3px; }}
QFrame[role="card"] {{ background: white; border: 1px solid #dfe4ea; border-radius: 6px; }}
QLabel[role="cardValue"] {{ font-size: 24px; font-weight: bold; color: #1d2733; }}
QLabel[role="cardLabel"] {{ color: {MUTED}; }}
QTableView {{ gridline-color: #e3e7ec; selection-background-color: #cfe2f6; selection-color: black; }}
QHeaderView::section {{ background: #f3f5f8; border: none; border-right: 1px solid #e0e4ea;
    border-bottom: 1px solid #d5dbe2; padding: 4px 6px; font-weight: bold; }}
"""


def install_translations(app: QApplication) -> list[QTranslator]:
    """Qt's own dialogs and buttons in Chinese (确定/取消/是/否 …), dates as 2026年11月22日."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    loaded = []
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    for name in ("qtbase",):
        tr = QTranslator(app)
        if tr.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), name, "_", path):
            app.installTranslator(tr)
            loaded.append(tr)
        else:
            log.warning("Qt translation %s_zh_CN not found in %s", name, path)
    return loaded


def load_fonts() -> list[str]:
    """Register the project's fonts (resources/fonts/*.ttf) when present; returns their families."""
    families: list[str] = []
    folder = resource_path("fonts")
    if not folder.is_dir():
        return families
    for ttf in sorted(folder.glob("*.ttf")):
        font_id = QFontDatabase.addApplicationFont(str(ttf))
        if font_id >= 0:
            families += QFontDatabase.applicationFontFamilies(font_id)
    return list(dict.fromkeys(families))


def choose_font(app: QApplication, project_families: list[str]) -> QFont:
    """Microsoft YaHei UI on Windows (Qt would otherwise pick SimSun); the project font elsewhere."""
    available = set(QFontDatabase.families())
    if sys.platform == "win32":
        for family in ("Microsoft YaHei UI", "Microsoft YaHei"):
            if family in available:
                return QFont(family, 9)
    for family in (*project_families, "Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Micro Hei"):
        if family in available:
            font = QFont(family)
            font.setPointSizeF(9.5)
            return font
    return app.font()


def apply_style(app: QApplication) -> None:
    families = load_fonts()
    font = choose_font(app, families)
    fallbacks = [f for f in (*families, "Noto Sans CJK SC") if f != font.family()]
    if fallbacks:
        QFont.insertSubstitutions(font.family(), fallbacks)
    app.setFont(font)
    palette = app.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#cfe2f6"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("black"))
    app.setPalette(palette)
    app.setStyleSheet(STYLESHEET)
