"""Each test gets a fresh data folder with a small school."""

import pytest

from tests.services_part2.school import build_small_school


@pytest.fixture
def small(ws):
    return ws, build_small_school(ws)
