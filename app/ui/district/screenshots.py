"""`tisheng gui --screenshot` on a district folder: every district page and dialog, and the wizard's
district page (see app.ui.screenshots for the machinery and the layout report)."""

from __future__ import annotations

from pathlib import Path

PREFIX = "区县-"


def is_district_window(window) -> bool:
    from app.ui.district.district_window import DistrictWindow
    return isinstance(window, DistrictWindow)


def _confirm(w) -> None:
    page = w.go_to("接收报送包")
    rows = [r for r in page.table.model.rows() if r.outcome == "待确认"]
    if rows:
        page.table.select_key(rows[0].id)
        page.confirm_selected()


def _replace_key(w) -> None:
    page = w.go_to("密钥登记")
    rows = page.table.model.rows()
    if rows:
        page.table.select_key(rows[0].id)
        page.replace_selected()


DIALOGS = (
    ("区县-密钥登记", "登记学校公钥", lambda w: w.go_to("密钥登记").add_record()),
    ("区县-密钥登记", "更换密钥", _replace_key),
    ("区县-接收报送包", "核对指纹", _confirm),
)


def shoot(window, out_dir: Path) -> list:
    from app.ui.district.district_window import TITLES
    from app.ui.screenshots import _select_first, shoot_dialogs, shoot_pages
    shots = shoot_pages(window, out_dir, titles=TITLES, prefix=PREFIX)
    for title in ("规则复核", "报送版本"):                 # with a school selected, as a reviewer sees them
        page = window.go_to(title)
        rows = page.table.model.rows()
        if title == "规则复核" and rows:                    # the school with the most to look at
            page.table.select_key(max(rows, key=lambda r: r.recheck_differences).id)
        elif title == "报送版本" and any(r.version > 1 for r in rows):
            page.table.select_key(next(r.id for r in rows if r.version > 1))
        else:
            _select_first(page.table)
        shots += shoot_pages(window, out_dir, titles=(title,), prefix=f"{PREFIX}选中-")
    shots += shoot_dialogs(window, out_dir, DIALOGS)
    return shots


def shoot_wizard_district_page(ws, settings, out_dir: Path) -> list:
    from app.ui.layout_check import dialog_problems
    from app.ui.screenshots import Shot, grab
    from app.ui.wizard.setup_wizard import SetupWizard
    wizard = SetupWizard(ws, settings=settings)
    wizard.show()
    wizard.welcome_page.role.district.setChecked(True)
    path = grab(wizard, out_dir / "设置向导-欢迎.png")
    shots = [Shot("设置向导 › 欢迎（学校/区县）", "对话框", path.name, (wizard.width(), wizard.height()),
                  dialog_problems(wizard))]
    wizard.next()
    wizard.district_page.name.setText("示例区教师发展中心")
    wizard.district_page.code.setText("D210281")
    path = grab(wizard, out_dir / "设置向导-区县项目办.png")
    shots.append(Shot("设置向导 › 区县项目办", "对话框", path.name, (wizard.width(), wizard.height()),
                      dialog_problems(wizard)))
    wizard.hide()
    wizard.deleteLater()
    return shots
