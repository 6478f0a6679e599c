"""The import contract of ``server/``: the purity rules stated in the module docstrings and
``docs/architecture.md``, enforced by parsing every module's imports with ``ast`` (imports
inside functions included, relative imports resolved).

A rule names the modules it covers (a package prefix such as ``server.score`` or one
module) and the import prefixes they must not reach. The checker is run on the real tree
and on a throwaway tree with a forbidden import, to show it fails when it should.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

SERVER = Path(__file__).resolve().parents[2] / "server"

WEB_FRAMEWORK = ("flask", "flask_socketio", "socketio", "engineio", "werkzeug")
SQL = ("sqlalchemy", "alembic", "psycopg2")
NOTATION = ("music21", "verovio")
#: The use cases and everything below them: no web framework, nothing from web/ or sync/.
USE_CASES_AND_BELOW = (
    "server.score",
    "server.history",
    "server.voicing",
    "server.suggestions",
    "server.comments",
    "server.classrooms",
    "server.editing",
    "server.history_service",
    "server.sharing",
    "server.library",
    "server.persistence",
    "server.formats",
    "server.errors",
)


@dataclass(frozen=True)
class Rule:
    """Modules under any of ``covers`` must not import anything under ``forbids``."""

    name: str
    covers: tuple[str, ...]
    forbids: tuple[str, ...]
    #: Modules the rule names but lets through, each with the reason (a documented exception).
    except_in: tuple[str, ...] = ()


RULES = (
    Rule("music21 and verovio only in formats/", ("server",), NOTATION,
         except_in=("server.formats",)),
    Rule("SQL only in persistence/", ("server",), SQL, except_in=("server.persistence",)),
    Rule("no web framework in the use cases and below", USE_CASES_AND_BELOW, WEB_FRAMEWORK),
    Rule("nothing from web/ or sync/ in the use cases and below", USE_CASES_AND_BELOW,
         ("server.web", "server.sync", "server.extensions", "server.auth.sessions")),
    Rule("the score model imports only itself and server.errors", ("server.score",),
         ("server.",), except_in=()),
    Rule("history/ and voicing/ are pure", ("server.history", "server.voicing"),
         ("server.persistence", "server.editing", "server.history_service",
          "server.suggestions", "server.formats")),
    Rule("comment anchors are pure (the score model and the error base only)",
         ("server.comments.anchors",), ("server.",), except_in=()),
    Rule("classroom contribution numbers and roster parsing are pure",
         ("server.classrooms.contribution", "server.classrooms.roster"),
         ("server.persistence", "server.editing", "server.history_service", "server.suggestions",
          "server.formats")),
    Rule("the role check is pure", ("server.auth.roles",), WEB_FRAMEWORK + SQL),
    # The server side of the job pool loads nothing heavy: the job process does.
    Rule("the job pool's server side is light", ("server.offload",),
         WEB_FRAMEWORK + SQL + NOTATION + ("server.editing", "server.persistence",
                                           "server.formats", "server.history_service"),
         except_in=("server.offload.jobs", "server.offload.child")),
)  # fmt: skip

#: What ``server.score`` may import of ``server`` (its own modules and the error base).
SCORE_MAY_IMPORT = ("server.score", "server.errors")


def _under(name: str, prefix: str) -> bool:
    prefix = prefix.rstrip(".")
    return name == prefix or name.startswith(prefix + ".")


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(root: Path, path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, at any depth."""
    name = module_name(root, path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # ``from . import x`` / ``from pkg import mod`` may name submodules.
            found.extend((node.lineno, f"{target}.{alias.name}") for alias in node.names)
    return found


def violations(root: Path, rules: tuple[Rule, ...] = RULES) -> list[str]:
    """Every import in the tree at ``root`` (a package directory) that breaks a rule."""
    out: list[str] = []
    for path in sorted(root.rglob("*.py")):
        name = module_name(root, path)
        for line, target in imports_of(root, path):
            for rule in rules:
                if not any(_under(name, c) for c in rule.covers):
                    continue
                if any(_under(name, e) for e in rule.except_in):
                    continue
                if not any(_under(target, f) for f in rule.forbids):
                    continue
                if rule.forbids == ("server.",) and any(
                    _under(target, ok) for ok in SCORE_MAY_IMPORT
                ):
                    continue
                out.append(f"{path.relative_to(root.parent)}:{line}: {target} ({rule.name})")
    return out


def test_the_server_keeps_its_import_contract() -> None:
    assert violations(SERVER) == []


def test_the_checker_sees_every_kind_of_import() -> None:
    init = SERVER / "history_service.py"
    names = {target for _, target in imports_of(SERVER, init)}
    assert "server.editing" in names and "server.history.records" in names


def _tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "server"
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for directory in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        (directory / "__init__.py").touch()
    return root


CLEAN = {
    "score/model.py": "from ..errors import TuttiError\nfrom .ops import x\n",
    "score/ops.py": "x = 1\n",
    "errors.py": "class TuttiError(Exception): ...\n",
    "persistence/db.py": "import sqlalchemy\n",
    "formats/reader.py": "import music21\n",
    "web/views.py": "import flask\nfrom ..sync import protocol\n",
    "sync/protocol.py": "import flask_socketio\n",
}


def test_a_clean_tree_passes(tmp_path: Path) -> None:
    assert violations(_tree(tmp_path, CLEAN)) == []


@pytest.mark.parametrize(
    ("relative", "text", "rule"),
    [
        ("score/bad.py", "import flask\n", "no web framework"),
        ("score/bad.py", "def f():\n    from sqlalchemy import select\n", "SQL only"),
        ("score/bad.py", "from ..persistence import db\n", "the score model imports only"),
        ("history/bad.py", "from .. import web\n", "nothing from web/ or sync/"),
        ("history_service.py", "from .sync.protocol import EDIT\n", "nothing from web/ or sync/"),
        ("suggestions/bad.py", "import flask_socketio\n", "no web framework"),
        ("voicing/bad.py", "class A:\n    def m(self):\n        import verovio\n", "music21"),
        ("web/bad.py", "from sqlalchemy import select\n", "SQL only"),
        ("persistence/bad.py", "from flask import g\n", "no web framework"),
        ("editing.py", "import socketio\n", "no web framework"),
    ],
)
def test_the_checker_fails_on_a_forbidden_import(
    tmp_path: Path, relative: str, text: str, rule: str
) -> None:
    found = violations(_tree(tmp_path, {**CLEAN, relative: text}))
    assert len(found) >= 1
    assert all(relative in v for v in found)
    assert any(rule in v for v in found)


def test_numpy_is_declared_since_voicing_imports_it() -> None:
    import tomllib

    pyproject = tomllib.loads((SERVER.parent / "pyproject.toml").read_text(encoding="utf-8"))
    declared = {d.split("=")[0].split("[")[0].lower() for d in pyproject["project"]["dependencies"]}
    third_party = {
        target.split(".")[0]
        for path in SERVER.rglob("*.py")
        for _, target in imports_of(SERVER, path)
        if target.split(".")[0] in {"numpy", "music21", "verovio", "sqlalchemy", "flask"}
    }
    assert "numpy" in third_party
    assert third_party <= declared
    assert "numpy" in declared
