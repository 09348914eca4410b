"""Import-dialog GUI tests: offscreen Qt, a copy of the demo school per test, no dialog ever blocks.

The fixtures (`dialogs`, `school_dir`, `controller`, `window`) are those of tests/ui/conftest.py.
"""

from tests.ui.conftest import (Dialogs, _chinese_app, controller, demo_template, dialogs,  # noqa: F401
                               school_dir, settle, window)
