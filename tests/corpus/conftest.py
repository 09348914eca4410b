"""The corpus runs against the same small school as the reliability tests."""

from tests.reliability.conftest import school_template  # noqa: F401 - a shared fixture
