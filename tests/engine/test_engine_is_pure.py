"""The engine imports only the standard library: no Django, no third-party packages."""

import ast
import subprocess
import sys
from pathlib import Path

import recupera.engine

ENGINE_DIR = Path(recupera.engine.__file__).parent


def test_engine_modules_import_only_the_standard_library() -> None:
    offenders = []
    files = sorted(ENGINE_DIR.glob("*.py"))
    assert len(files) >= 10
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:  # relative import inside the engine
                    continue
                names = [node.module or ""]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if (
                    top not in sys.stdlib_module_names
                    and name != "recupera.engine"
                    and not (name.startswith("recupera.engine."))
                ):
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_importing_the_engine_does_not_load_django() -> None:
    code = (
        "import sys, recupera.engine, recupera.engine.replay\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad)\n"
    )
    src = str(ENGINE_DIR.parent.parent)
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": ""},
    )
    assert out.stdout.strip() == "[]"
