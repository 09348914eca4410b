"""GUI tests of the collecting window and the central school's pack dialogs (same set-up as tests/ui)."""

from tests.packs.conftest import central, central_dir, point_school, usb  # noqa: F401 - shared fixtures
from tests.ui.conftest import _chinese_app, dialogs  # noqa: F401 - no dialog ever blocks; Chinese Qt
from tests.ui.conftest import controller, demo_template, school_dir, window  # noqa: F401,E402 - the demo window
