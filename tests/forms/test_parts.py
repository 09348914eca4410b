"""A large print run laid out in two processes and joined is the PDF one process makes:
same pages in the same order, same text, every page sealed, one bookmark per form."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from pypdf import PdfReader

from app.errors import CancelledError, StorageError
from app.services.forms import split
from app.services.forms.dto import KINDS
from app.services.forms.render import render
from app.services.forms.sealjob import FormsJob, live_workers
from app.services.progress import Progress

from .helpers import fonts, page_numbers, pages_text
from .samples import SEAL, demo_set, stress_teacher


def _big_set(n: int = 24):
    fs = demo_set(n)
    teachers = list(fs.teachers)
    teachers[5] = replace(stress_teacher(), teacher_id=1005)     # one long form, several pages
    return replace(fs, teachers=tuple(teachers))


def _outline(pdf) -> list[tuple[str, int]]:
    r = PdfReader(str(pdf))
    return [(o.title, r.get_destination_page_number(o)) for o in r.outline]


@pytest.fixture
def small_threshold(monkeypatch):
    monkeypatch.setattr(split, "MIN_TEACHERS_TO_SPLIT", 4)


def test_split_keeps_order_and_puts_the_school_forms_at_the_ends(small_threshold):
    fs = _big_set()
    a, b = split.split_formset(fs, 2)
    assert a.teachers + b.teachers == fs.teachers
    assert a.summary is fs.summary and b.summary is None
    assert a.notice is None and b.notice is fs.notice and b.key is fs.key
    assert a.teachers and b.teachers
    wa = sum(map(split.teacher_weight, a.teachers))
    wb = sum(map(split.teacher_weight, b.teachers))
    heaviest = max(map(split.teacher_weight, fs.teachers))
    assert abs(wa - wb) <= heaviest


def test_a_small_school_is_one_part():
    fs = demo_set(10)
    assert split.split_formset(fs, 2) == [fs]
    assert split.split_formset(_big_set(), 1) == [_big_set()]


def test_two_processes_make_the_same_pdf_as_one(tmp_path, small_threshold):
    fs = _big_set()
    one = tmp_path / "one.pdf"
    render(fs, one, kinds=KINDS, seal=SEAL)
    two = tmp_path / "two.pdf"
    job = FormsJob(fs, two, KINDS, replace(SEAL, seal_code=""), process=True, parts=2)
    assert len(job._children) == 2
    job.seal(SEAL)
    assert job.wait() == two
    job.close()
    expected, got = pages_text(one), pages_text(two)
    assert job.pages == len(got) == len(expected) > 25
    assert got == expected
    assert all(SEAL.seal_code.replace("-", "") in t.replace("-", "") for t in got)
    assert _outline(two) == _outline(one)
    assert all(f["emb"] == "yes" for f in fonts(two))
    # the stress teacher's form still numbers its own pages
    numbers = [page_numbers(t) for t in got if "教师个人签字确认表·司马吉" in t]
    assert [n for n, _ in numbers] == list(range(1, len(numbers) + 1)) and len(numbers) > 1
    assert {total for _, total in numbers} == {len(numbers)}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.pdf", "two.pdf"]


def test_cancel_stops_both_processes_and_leaves_nothing(tmp_path, small_threshold):
    dest = tmp_path / "forms.pdf"
    job = FormsJob(_big_set(), dest, KINDS, SEAL, process=True, parts=2)
    progress = Progress(lambda d, t, s: None, min_interval=0)
    progress.cancel()
    with pytest.raises(CancelledError):
        job.wait(progress)
    assert live_workers() == 0
    assert list(tmp_path.iterdir()) == []


def test_a_part_that_fails_fails_the_whole_and_leaves_nothing(tmp_path, small_threshold):
    fs = _big_set()
    # the second part's data cannot be laid out (a teacher with no name object at all)
    bad = replace(fs.teachers[-1], name=None)
    fs = replace(fs, teachers=fs.teachers[:-1] + (bad,))
    dest = tmp_path / "forms.pdf"
    job = FormsJob(fs, dest, KINDS, SEAL, process=True, parts=2)
    job.seal(SEAL)
    with pytest.raises(StorageError, match="生成签字确认表失败"):
        job.wait()
    assert live_workers() == 0
    assert list(tmp_path.iterdir()) == []


def test_the_largest_schools_are_one_part(small_threshold, monkeypatch):
    """Two layout processes each hold their pages until the seal comes: above the cap the memory
    ceiling wins over the second core."""
    fs = _big_set()
    assert len(split.split_formset(fs, 2)) == 2
    monkeypatch.setattr(split, "MAX_TEACHERS_TO_SPLIT", len(fs.teachers) - 1)
    assert split.split_formset(fs, 2) == [fs]


def test_two_parts_only_with_cores_to_spare(monkeypatch):
    from app.services.forms import sealjob
    monkeypatch.delenv("TISHENG_FORMS_PARTS", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert sealjob.layout_parts() == 1
    monkeypatch.setattr(os, "cpu_count", lambda: 8)
    assert sealjob.layout_parts() == 2


def test_a_layout_given_its_forms_in_a_list_frees_each_teacher_once_laid_out():
    """The layout process hands render its only reference: 2,000 teachers' data is not all
    held until the file is saved."""
    import gc
    import io
    import weakref

    from app.services.progress import Progress
    box = [demo_set(12)]
    first = weakref.ref(box[0].teachers[0])
    seen = []

    def on_report(done, total, text):
        if done >= total - 2:
            gc.collect()
            seen.append(first() is None)

    render(box, io.BytesIO(), seal=SEAL, progress=Progress(on_report, min_interval=0))
    assert box == [] and seen and seen[-1]
