"""Loading entries: validation errors name file, entry and field; CMBOT_KB_PATH overlays."""

from pathlib import Path

import pytest
import yaml

from bot.cli.main import main
from knowledge.causes import CAUSE_IDS
from knowledge.loader import BUILTIN_DIR, KnowledgeError, load_entries, validate_dir

GOOD = yaml.safe_load((BUILTIN_DIR / "dual-scan.yaml").read_text(encoding="utf-8"))


def _write(directory: Path, name: str, data: object) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _broken(**changes: object) -> dict[str, object]:
    data = {**GOOD, "id": "custom-cause"}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (_broken(en={**GOOD["en"], "remedy": [{"command": "x"}]}), "field en.remedy.0.text: Field required"),
        (_broken(patterns=[{"regex": "a(b"}]), "field patterns.0.regex: Value error, regex does not compile"),
        (_broken(codes=["80072EE2"]), "field codes: Value error, '80072EE2': write codes as 0x"),
        (_broken(colour="red"), "field colour: Extra inputs are not permitted"),
        (_broken(ja={**GOOD["ja"], "remedy": GOOD["ja"]["remedy"][:1]}), "translate every step"),
        (
            {k: v for k, v in _broken().items() if k != "ja"},
            "no ja text: add a top-level `ja:` block (title, cause, symptoms, remedy); every reply language",
        ),
        (_broken(de=GOOD["en"]), "field de: Extra inputs are not permitted"),
    ],
)
def test_invalid_entry_names_file_entry_and_field(tmp_path: Path, data: object, message: str) -> None:
    """A broken entry is reported with its file, its id, the field path and the fix."""
    path = _write(tmp_path, "custom-cause", data)
    good, problems = validate_dir(tmp_path)
    assert good == 0
    assert len(problems) >= 1
    assert problems[0].startswith(f"{path}: entry 'custom-cause': ")
    assert any(message in p for p in problems), problems


def test_id_must_match_file_name(tmp_path: Path) -> None:
    """An entry whose id differs from its file name is refused."""
    _write(tmp_path, "other-name", _broken())
    _, problems = validate_dir(tmp_path)
    assert "must equal the file name 'other-name'" in problems[0]


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    """A YAML syntax error names the file and the line."""
    path = tmp_path / "bad.yaml"
    path.write_text("id: bad\nen: [unclosed\n", encoding="utf-8")
    _, problems = validate_dir(tmp_path)
    assert problems[0].startswith(f"{path}: line ")


def test_unquoted_hex_code_is_accepted(tmp_path: Path) -> None:
    """YAML reads 0x80072EE2 as an integer; the model turns it back into the code."""
    path = tmp_path / "custom-cause.yaml"
    text = yaml.safe_dump(_broken(codes=[]), allow_unicode=True).replace("codes: []", "codes: [0x80072EE2]")
    path.write_text(text, encoding="utf-8")
    kb = load_entries([tmp_path])
    entry = kb.get("custom-cause")
    assert entry is not None and entry.codes == ["0x80072EE2"]


def test_overlay_adds_and_overrides(tmp_path: Path) -> None:
    """A team's directory (CMBOT_KB_PATH) adds an entry and overrides a built-in one by id."""
    _write(tmp_path, "custom-cause", _broken())
    override = {**GOOD, "en": {**GOOD["en"], "title": "Our own dual-scan wording"}}
    _write(tmp_path, "dual-scan", override)
    kb = load_entries([tmp_path])
    assert kb.get("custom-cause") is not None
    entry = kb.get("dual-scan")
    assert entry is not None and entry.text("en").title == "Our own dual-scan wording"
    assert len(kb) == len(load_entries(())) + 1


def test_broken_overlay_raises_with_every_problem(tmp_path: Path) -> None:
    """Loading with a broken team directory raises KnowledgeError listing each problem."""
    _write(tmp_path, "custom-cause", _broken(links=[]))
    with pytest.raises(KnowledgeError) as info:
        load_entries([tmp_path])
    assert "field links" in str(info.value)


def test_cli_kb_validate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`cmbot kb validate` prints OK for the built-in entries and exits 1 with errors."""
    assert main(["kb", "validate"]) == 0
    assert capsys.readouterr().out.startswith(f"OK: {len(CAUSE_IDS)} entries")
    _write(tmp_path, "custom-cause", _broken(links=[]))
    assert main(["kb", "validate", str(tmp_path)]) == 1
    assert "custom-cause.yaml: entry 'custom-cause': field links" in capsys.readouterr().out
