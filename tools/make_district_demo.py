"""Build a demo district office for screenshots and the manual: `python tools/make_district_demo.py OUT`.

Five demo schools (one a 教学点) export their bundles onto a "stick"; the district registers four
keys, takes them in (the fifth waits for its fingerprint), takes a resubmission, refuses a bundle
signed with a replaced key, ties two paper forms and issues two receipts. One school relaxed its
hour minimum; two share a classroom video. Everything through the app's own services.
"""

from __future__ import annotations

import shutil
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCHOOLS = [("S001", "东风小学"), ("S002", "红旗小学"), ("S003", "向阳中学"), ("S004", "青山教学点"), ("S005", "白云小学")]


def _build(root: str, seed: int, code: str, name: str, video: bool, teachers: int) -> str:
    from tests.district.conftest import build_school
    return build_school(root, seed, code, name, video, teachers)


def main(out: Path) -> Path:
    from app.services import keys
    from app.services.district import intake, paper, receipts, register
    from app.services.district.office import init_district
    from app.services.programmes.adjust import set_rule
    from app.services.workspace import Workspace
    from tests.district.conftest import export
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    jobs = [(str(out / "schools" / code), 100 + n, code, name, n < 2, 40 + 7 * n) for n, (code, name) in enumerate(SCHOOLS)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        roots = list(pool.map(_build, *zip(*jobs)))
    schools = [Workspace.open(r) for r in roots]
    district = Workspace.open(out / "district")
    try:
        init_district(district, name="示例区教师发展中心（提升工程项目办）", code="D210281")
        set_rule(schools[4], "hours.total_min", 30, by="白云小学教务处", note="本校放宽")
        stick = out / "stick"
        first = [export(ws, stick, full=True) for ws in schools]
        for ws, (code, name) in zip(schools[:4], SCHOOLS[:4]):
            register.add_key(district, code, fingerprint=keys.school_key(ws).fingerprint, name=name,
                             kind="教学点" if "教学点" in name else "学校")
        register.add_key(district, "S006", fingerprint="7C1D-5E2A-9B04-3F68-D2A1-0C9E-84B7-6A53", name="石桥小学")
        pending = next(o for o in intake.ingest(district, [stick]).outcomes if o.outcome == "待确认")
        intake.ingest(district, [pending.path], intake.IngestOptions(confirm=(keys.school_key(schools[4]).fingerprint,)))
        from app.services import evidence
        from app.services.choices import current_choices
        from app.services.teachers import list_teachers
        t = next(t for t in list_teachers(schools[0]) if current_choices(schools[0], t.id))
        extra = out / "补充教学设计.docx"
        extra.write_bytes("补充的教学设计（示例）".encode("utf-8") * 80)
        evidence.add_evidence(schools[0], t.id, current_choices(schools[0], t.id)[0].code, "1", extra)
        v2 = export(schools[0], out / "stick2", full=True)
        intake.ingest(district, [v2.path])
        keys.replace_key(schools[1], reason="学校电脑重装系统")
        intake.ingest(district, [export(schools[1], out / "stick3").path])
        paper.tie_paper(district, v2.seal.seal_code)
        paper.tie_paper(district, first[2].seal.qr_payload())
        for code in ("S001", "S003"):
            receipts.issue_receipt(district, code, out / "receipts" / code)
    finally:
        for ws in schools:
            ws.close()
        district.close()
    return out / "district"


if __name__ == "__main__":
    print(main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/tisheng-district-demo")))
