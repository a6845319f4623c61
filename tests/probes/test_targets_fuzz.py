"""Host-name validation never raises anything but BadHostName, and what it accepts is safe."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from probes.targets import BadHostName, validate_host

SAFE = re.compile(r"^[a-z0-9.:-]+$")


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=300))
def test_validate_host_on_any_text(text: str) -> None:
    """Any text is either refused with BadHostName or accepted as letters, digits, '.', ':' and '-'."""
    try:
        name = validate_host(text)
    except BadHostName as exc:
        assert str(exc)
    else:
        assert SAFE.match(name), name
        assert not name.startswith("-")
