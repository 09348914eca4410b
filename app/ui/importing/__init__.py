"""Importing rosters (花名册) and hours (学时) from Excel: the dialog, its preview table, template downloads.

Use `app.ui.importing.actions.open_import_dialog` and `excel_files.download_template` from menus and pages.
"""
