"""The lab inventory (it holds the lab password) is written 0600 and never through a symlink (V12)."""

import stat
from pathlib import Path

from pydantic import SecretStr

from probes.inventory import Inventory, InventoryHost, load_inventory, save_inventory

INVENTORY = Inventory(
    hosts=[
        InventoryHost(
            name="lab-a",
            endpoint="http://127.0.0.1:1/wsman",
            username="LAB\\u",
            password=SecretStr("lab-pw-77"),
        )
    ]
)


def test_planted_symlink_is_replaced_not_followed(tmp_path: Path) -> None:
    """V12 (S3): a symlink planted at the inventory path is replaced; its target never gets the password."""
    victim = tmp_path / "attacker-owned.txt"
    victim.write_text("")
    victim.chmod(0o666)
    path = tmp_path / "lab.yaml"
    path.symlink_to(victim)
    save_inventory(INVENTORY, path)
    assert victim.read_text() == ""
    assert not path.is_symlink()
    assert load_inventory(path).hosts[0].name == "lab-a"


def test_inventory_is_created_0600(tmp_path: Path) -> None:
    """V12 (S3): the file is private from its first byte (created 0600, then renamed into place)."""
    path = tmp_path / "lab.yaml"
    save_inventory(INVENTORY, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    save_inventory(INVENTORY, path)  # rewriting an existing file keeps it private
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["lab.yaml"]


def test_aliases_find_the_same_entry() -> None:
    """Inventory look-ups use the normalized name: `LAB-A.` is `lab-a`."""
    assert INVENTORY.get("LAB-A.") is INVENTORY.hosts[0]
