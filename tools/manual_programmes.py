"""Writes the user manual's chapter on the six programmes from the presets themselves.

    python tools/manual_programmes.py            # print the chapter
    python tools/manual_programmes.py --write    # replace it in docs/用户手册.md (between the markers)

A test checks the manual holds exactly this text, so the manual never drifts from the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.services.programmes import load_preset, preset_ids  # noqa: E402
from app.services.programmes.adjust import rule_views  # noqa: E402
from app.services.programmes.schema import GROUPS  # noqa: E402

MANUAL = Path(__file__).resolve().parent.parent / "docs" / "用户手册.md"
BEGIN = "<!-- 各项目方案的规则：由 tools/manual_programmes.py 生成，请勿手改 -->"
END = "<!-- 各项目方案的规则：结束 -->"


def chapter() -> str:
    out = [BEGIN, ""]
    for pid in preset_ids():
        doc = load_preset(pid)
        title = (doc.get("document") or {}).get("title", "")
        out.append(f"#### {doc['name']}（编号 `{pid}`）")
        out.append("")
        out.append(f"依据：{title}。" if title else "")
        out.append("")
        views = rule_views(doc, None)
        for group in GROUPS:
            rows = [v for v in views if v.group == group]
            if not rows:
                continue
            out.append(f"- **{group}**")
            for v in rows:
                state = "" if v.on else "（默认不启用）"
                out.append(f"  - {v.label}：{v.text}{state}  ")
                out.append(f"    依据：{v.basis}")
        if doc.get("notes"):
            out.append("- **说明**")
            out += [f"  - {n}" for n in doc["notes"]]
        out.append("")
    out.append(END)
    return "\n".join(out)


def main() -> int:
    text = chapter()
    if "--write" not in sys.argv:
        print(text)
        return 0
    manual = MANUAL.read_text(encoding="utf-8")
    start, end = manual.index(BEGIN), manual.index(END) + len(END)
    MANUAL.write_text(manual[:start] + text + manual[end:], encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
