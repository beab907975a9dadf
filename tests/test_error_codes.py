"""Every refusal carries a code from its app's enum (errors.py), never a bare string, so
that the codes a client may meet are listed in one place per app."""

from __future__ import annotations

import ast
from pathlib import Path

import caredesk

SRC = Path(caredesk.__file__).parent
REFUSALS = {"DomainError", "ValidationFailed", "Conflict"}


def refusals_with_bare_codes() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            code = node.args[0]
            if name in REFUSALS and isinstance(code, ast.Constant | ast.JoinedStr):
                found.append(f"{path.relative_to(SRC)}:{node.lineno}")
    return found


def test_refusals_take_their_code_from_an_enum() -> None:
    assert refusals_with_bare_codes() == []


def test_every_app_that_refuses_has_an_errors_module_with_a_code_enum() -> None:
    for path in sorted(SRC.rglob("*.py")):
        if {"tests", "migrations"} & set(path.parts) or path.parent == SRC:
            continue
        text = path.read_text(encoding="utf-8")
        if "ValidationFailed(" in text or "Conflict(" in text:
            app = path.relative_to(SRC).parts[0]
            errors = (SRC / app / "errors.py").read_text(encoding="utf-8")
            assert "(StrEnum):" in errors, app
