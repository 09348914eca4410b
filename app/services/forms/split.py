"""Cut one print run into consecutive parts of about equal work, to lay out at once.

A form never spans two parts and every form numbers its own pages (第 x 页 / 共 y
页), so the parts' PDFs joined in order are the PDF one process would have made.
The order is kept: 汇总 opens the first part, 公示 and 密钥 close the last.
"""

from __future__ import annotations

from dataclasses import replace

from app.services.forms.dto import FormSet, TeacherForm

# Below this many teachers, starting a second process costs more than it saves.
MIN_TEACHERS_TO_SPLIT = 120
# Above this many, two layout processes (each holding its pages until the seal comes, then
# the join) would take the export past its memory ceiling: one process lays them all out.
MAX_TEACHERS_TO_SPLIT = 1200


def teacher_weight(t: TeacherForm) -> int:
    """Roughly the table rows of a teacher's form: what its layout time follows."""
    rows = 12 + len(t.hours) + len(t.problems)
    for block in t.points:
        rows += 1 + sum(1 + len(item.files) // 6 for item in block.items)
    return rows


def split_formset(fs: FormSet, parts: int) -> list[FormSet]:
    """`fs` as at most `parts` FormSets, in print order; one part when it is small."""
    teachers = fs.teachers
    if parts <= 1 or len(teachers) < max(MIN_TEACHERS_TO_SPLIT, parts) or len(teachers) > MAX_TEACHERS_TO_SPLIT:
        return [fs]
    weights = [teacher_weight(t) for t in teachers]
    total = sum(weights)
    cuts, run, goal = [], 0, 1
    for i, w in enumerate(weights):
        run += w
        if run * parts >= total * goal and len(cuts) < parts - 1 and i + 1 < len(teachers):
            cuts.append(i + 1)
            goal += 1
    bounds = [0, *cuts, len(teachers)]
    out = []
    for n, (a, b) in enumerate(zip(bounds, bounds[1:])):
        first, last = n == 0, n == len(bounds) - 2
        out.append(replace(fs, teachers=teachers[a:b],
                           summary=fs.summary if first else None,
                           notice=fs.notice if last else None,
                           key=fs.key if last else None,
                           notes=fs.notes if first else ()))
    return out
