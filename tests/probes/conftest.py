"""The full lab (every scenario file), with CMBOT_INVENTORY pointing at it."""

import os
from collections.abc import Iterator

import pytest

from lab.testing import Lab, run_lab


@pytest.fixture(scope="module")
def full_lab() -> Iterator[Lab]:
    with run_lab() as lab:
        previous = os.environ.get("CMBOT_INVENTORY")
        os.environ["CMBOT_INVENTORY"] = str(lab.inventory_path)
        try:
            yield lab
        finally:
            if previous is None:
                os.environ.pop("CMBOT_INVENTORY", None)
            else:
                os.environ["CMBOT_INVENTORY"] = previous
