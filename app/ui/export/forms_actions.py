"""Make sign-off forms in the background, then preview, print or save them.

Used by the 导出与打印 page and by the 教师 page (打印个人签字确认表):

    preview_forms(parent, api, kind="个人", teacher="T001")     # job with progress → FormsPreviewDialog
    save_forms_pdf(parent, api, kind=None, period="2026-12-01~2026-12-07", school="示例小学")
    print_teacher_form(parent, api, teacher_row)
    preview_pdf(parent, path, title=…)                          # an existing PDF (the sealed bundle's)
    preview_sealed_forms(parent, api, export_result, pdf)       # after an export: the forms with its seal
    save_report(parent, api, unmask=False, school="示例小学")     # 学校汇总表 (.xlsx), asking where to save

`api` is the window's Facades; the forms are made in the job (`school` only names the file).
"""

from __future__ import annotations

import uuid
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from app.services.forms.api import FormsResult
from app.services.forms.dto import FORM_TITLES
from app.ui import jobs
from app.ui.export.common import dated_name, remember_dir, remembered_dir, school_name, status_note, teacher_ref
from app.ui.export.forms_preview_dialog import FormsPreviewDialog

UNSEALED_NOTE = ("这份表没有封存码，用于核对和存档。向区县报送时，请在导出报送包后打印带封存码的签字确认表。")


def forms_title(kind: str | None, teacher_name: str = "") -> str:
    if teacher_name:
        return f"{FORM_TITLES['个人']}（{teacher_name}）"
    return FORM_TITLES.get(kind or "", "签字确认表（全部）")


def _notes(result: FormsResult, extra: str = "") -> str:
    lines = [extra] if extra else []
    lines += [w for w in result.warnings]
    return "\n".join(lines)


def preview_pdf(parent: QWidget | None, pdf: Path, *, title: str, temporary: bool = False,
                save_name: str = "", note: str = "", pages: int | None = None) -> FormsPreviewDialog:
    dialog = FormsPreviewDialog(pdf, parent, title=title, temporary=temporary, save_name=save_name, note=note,
                                pages=pages)
    dialog.show()
    return dialog


def preview_forms(parent: QWidget | None, api, *, kind: str | None = None, teacher: str | None = None,
                  teacher_name: str = "", period: str | None = None,
                  on_open=None) -> jobs.Job:
    """Make the forms into a temporary PDF (a job with progress), then open the preview."""
    title = forms_title(kind, teacher_name)
    tmp = Path(api.folder.tmp) / f"preview-{uuid.uuid4().hex[:10]}.pdf"

    def work(ctx):
        forms = api.export.make_forms(tmp, kind=kind, teacher=teacher, period=period, progress=ctx.progress)
        return forms, school_name(api.export.get_school())

    def done(outcome) -> None:
        result, school = outcome
        dialog = preview_pdf(parent, result.path, title=title, temporary=True,
                             save_name=dated_name(school, f"{title}", ".pdf"), note=_notes(result, UNSEALED_NOTE),
                             pages=result.pages)
        if on_open is not None:
            on_open(dialog)

    return jobs.run_with_progress(parent, work, title="生成签字确认表", text=f"正在生成{title}…",
                                  on_done=done)


def save_forms_pdf(parent: QWidget | None, api, *, kind: str | None = None, teacher: str | None = None,
                   teacher_name: str = "", period: str | None = None, school: str = "") -> jobs.Job | None:
    """Ask where, then write the forms there as a job."""
    title = forms_title(kind, teacher_name)
    start = str(Path(remembered_dir()) / dated_name(school, title, ".pdf"))
    path, _filter = QFileDialog.getSaveFileName(parent, "另存为 PDF", start, "PDF 文件 (*.pdf)")
    if not path:
        return None
    dest = Path(path)
    if dest.suffix.lower() != ".pdf":
        dest = dest.with_name(dest.name + ".pdf")
    remember_dir(dest)

    def work(ctx) -> FormsResult:
        return api.export.make_forms(dest, kind=kind, teacher=teacher, period=period, progress=ctx.progress)

    def done(result: FormsResult) -> None:
        status_note(parent, f"已保存 {result.pages} 页：{result.path}")
        extra = "\n\n" + "\n".join(result.warnings) if result.warnings else ""
        QMessageBox.information(parent, "另存为 PDF", f"已保存{title}，共 {result.pages} 页：\n{result.path}"
                                f"\n\n{UNSEALED_NOTE}{extra}")

    return jobs.run_with_progress(parent, work, title="生成签字确认表", text=f"正在生成{title}…", on_done=done)


def preview_sealed_forms(parent: QWidget | None, api, result, pdf: Path | None = None,
                         on_open=None, school: str = "") -> jobs.Job | None:
    """The sign-off forms of an exported bag, each page with its seal code, ready to print.

    A folder bag carries its PDF (that exact file is shown); for a zip bag the
    same forms are printed again with the bag's seal.
    """
    title = f"签字确认表（封存码 {result.seal.seal_code[:9]}…）"
    save_name = dated_name(school, "签字确认表_已封存", ".pdf")
    if pdf is not None and Path(pdf).is_file():
        dialog = preview_pdf(parent, Path(pdf), title=title, save_name=save_name)
        if on_open is not None:
            on_open(dialog)
        return None
    tmp = Path(api.folder.tmp) / f"sealed-{uuid.uuid4().hex[:10]}.pdf"

    def work(ctx) -> FormsResult:
        return api.export.make_forms(tmp, seal=result.seal, progress=ctx.progress)

    def done(forms: FormsResult) -> None:
        dialog = preview_pdf(parent, forms.path, title=title, temporary=True, save_name=save_name,
                             note=_notes(forms), pages=forms.pages)
        if on_open is not None:
            on_open(dialog)

    return jobs.run_with_progress(parent, work, title="生成签字确认表", text="正在生成带封存码的签字确认表…",
                                  on_done=done)


def save_report(parent: QWidget | None, api, *, unmask: bool = False, school: str = "") -> jobs.Job | None:
    """导出汇总表: the school's summary workbook (.xlsx, the same one the bundle carries)."""
    label = "学校汇总表"
    start = str(Path(remembered_dir()) / dated_name(school, label + ("_未打码" if unmask else ""), ".xlsx"))
    path, _filter = QFileDialog.getSaveFileName(parent, f"导出{label}", start, "Excel 工作簿 (*.xlsx)")
    if not path:
        return None
    dest = Path(path)
    if dest.suffix.lower() != ".xlsx":
        dest = dest.with_name(dest.name + ".xlsx")
    remember_dir(dest)

    def work(ctx) -> Path:
        return api.export.write_report(dest, unmask=unmask, progress=ctx.progress)

    def done(written: Path) -> None:
        status_note(parent, f"已导出{label}：{written}")
        masked = "身份证号和手机号已打码。" if not unmask else "注意：身份证号和手机号没有打码，请妥善保管。"
        QMessageBox.information(parent, f"导出{label}", f"已导出{label}：\n{written}\n\n{masked}")

    return jobs.run_with_progress(parent, work, title=f"导出{label}", text=f"正在导出{label}…", on_done=done)


def print_teacher_form(parent: QWidget | None, api, row, on_open=None) -> jobs.Job | None:
    """打印个人签字确认表 for one teacher (a TeacherRow): make it, then open the preview to print."""
    if row is None:
        QMessageBox.information(parent, "打印个人签字确认表", "请先在列表中选择一位教师。")
        return None
    return preview_forms(parent, api, kind="个人", teacher=teacher_ref(row), teacher_name=row.name,
                         on_open=on_open)
