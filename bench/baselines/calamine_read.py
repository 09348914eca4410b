"""Baseline: read every row of a workbook's first sheet with python-calamine (the Rust reader
pandas uses), as a raw read with no checks.

    python bench/baselines/calamine_read.py FILE        # prints the row count
"""

import sys

from python_calamine import CalamineWorkbook


def read_rows(path: str) -> int:
    wb = CalamineWorkbook.from_path(path)
    try:
        rows = wb.get_sheet_by_index(0).to_python()
    finally:
        wb.close()
    return len(rows)


if __name__ == "__main__":
    print(read_rows(sys.argv[1]))
