"""bundle.json is written a section at a time from records kept as text, byte for byte what
json.dumps(indent=1) makes of the whole document, and masked like it."""

from __future__ import annotations

import json

from app.services.bundle.records import BundlePlan, PayloadFile, build_plan, bundle_json_bytes, write_bundle_json


def _whole_document(raw: bytes) -> bytes:
    """What json.dumps of the parsed document writes: the reference layout."""
    return (json.dumps(json.loads(raw), ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def test_streamed_bundle_json_is_the_whole_document_layout(school):
    ws, info = school
    plan = build_plan(ws)
    assert all(isinstance(v, bytes) for v in plan.records.values())      # no row dicts kept
    assert plan.record_rows > 40
    extra = {"bag_name": "X_1", "compliance": {"checked": True, "messages": [f"号码 {info.id_numbers[0]}"]},
             "empty": [], "nested": {"a": [{"b": 1.5}], "c": {}}}
    raw = bundle_json_bytes(plan, extra=extra, files=plan.files)
    assert raw == _whole_document(raw)
    doc = json.loads(raw)
    assert list(doc)[-1] == "files" and len(doc["files"]) == len(plan.files)
    assert doc["bag_name"] == "X_1" and doc["nested"] == {"a": [{"b": 1.5}], "c": {}}
    text = raw.decode("utf-8")
    for secret in info.id_numbers + info.phones:                         # masked everywhere, free text too
        assert secret not in text


def test_empty_parts_keep_the_layout():
    plan = BundlePlan("校", "S", "", "", "", 0, True, records={})
    raw = bundle_json_bytes(plan, extra={}, files=[])
    assert raw == _whole_document(raw) and json.loads(raw) == {"files": []}
    one = PayloadFile("data/a.txt", "0" * 64, 1, None, "report", "a.txt")
    raw = bundle_json_bytes(plan, extra={"k": "v"}, files=[one])
    assert raw == _whole_document(raw)


def test_written_to_a_stream_in_pieces(school):
    ws, _ = school
    plan = build_plan(ws)
    writes = []

    class Sink:
        def write(self, data: bytes) -> None:
            writes.append(len(data))

    write_bundle_json(plan, Sink(), extra={}, files=plan.files)
    assert len(writes) > len(plan.files) and max(writes) < sum(writes) / 2
