import pytest

from app.services import faults


@pytest.fixture
def school(ws):
    """A workspace with a school on the 瓦房店 programme (网络研修 ≥25 + 校本实践 ≥25)."""
    from app.services.school import init_school
    init_school(ws, name="测试小学", code="21028100", environment="多媒体", programme_id="wafangdian-2023")
    return ws


@pytest.fixture(autouse=True)
def _no_faults():
    yield
    faults.clear()
