"""Why an item is not in a reviewer's queue (回避 / 他人评定), and taking one over (issue 14 item 3)."""

from app.services import review_queue


def _q(**kw):
    base = dict(teacher_id=1, teacher="王芳", staff_no="", subject="", group="", point_code="A1", point_name="",
                item_id=1, item_seq=1, item_title="方案", stage="初评", files=(), grade=None, round=1,
                last_reviewer="")
    base.update(kw)
    return review_queue.QueueItem(**base)


def test_hidden_reasons_and_take_over():
    own = _q(teacher="张伟", item_id=1)
    regrade = _q(item_id=2, stage="复评", grade="不合格", round=2, last_reviewer="刘教研员")
    fresh = _q(item_id=3)
    items = [own, regrade, fresh]
    assert review_queue.filter_queue(items, reviewer="张伟") == [fresh]
    hidden = review_queue.hidden_from(items, reviewer="张伟")
    assert [(h.item.item_id, h.reason) for h in hidden] == [(1, "回避"), (2, "他人评定")]
    assert review_queue.filter_queue(items, reviewer="张伟", taken_over={regrade.key}) == [regrade, fresh]
    assert "刘教研员 1 项" in review_queue.hidden_text(hidden)
