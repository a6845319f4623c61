"""Read a YAML data file into a pydantic model, with errors that name the file, line and field.

Policy files, lab scenarios and inventories all go through here, so an author always sees the
same kind of message: `path: field rules.0.name: Field required`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

ModelT = TypeVar("ModelT", bound=BaseModel)


def field_problems(exc: ValidationError) -> str:
    """`field a.b: message; field c: message` for every error pydantic found."""
    return "; ".join(
        f"field {'.'.join(str(p) for p in err['loc']) or '(top)'}: {err['msg']}" for err in exc.errors()
    )


def read_yaml(path: Path, error: type[Exception], what: str) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise error(f"{path}: the {what} is not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise error(f"{path}:{where} is not valid YAML") from None


def load_model(path: Path, model: type[ModelT], error: type[Exception], what: str) -> ModelT:
    raw = read_yaml(path, error, what)
    try:
        return model.model_validate(raw or {})
    except ValidationError as exc:
        raise error(f"{path}: {field_problems(exc)}") from None
