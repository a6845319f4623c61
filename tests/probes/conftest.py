"""The full lab (every scenario file), with CMBOT_INVENTORY pointing at it."""

import pytest

from lab.testing import Lab


@pytest.fixture(scope="module")
def full_lab(lab: Lab) -> Lab:
    return lab
