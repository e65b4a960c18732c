"""The rooms of the house (README "Architecture"): who may import whom, and what each process loads."""
import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FRAMEWORK_FREE = ["bot/korean", "bot/faq", "bot/conversation", "bot/handoff", "bot/embeddings", "bot/storage",
                  "bot/studio"]
FRAMEWORKS = {"rasa", "rasa_sdk", "sanic"}


def imported_roots(path: Path) -> set:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    roots = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("package", FRAMEWORK_FREE)
def test_domain_rooms_import_no_framework(package):
    offenders = {str(p.relative_to(ROOT)): imported_roots(p) & FRAMEWORKS for p in (ROOT / package).rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_nothing_imports_the_actions():
    importers = [str(p.relative_to(ROOT)) for p in (ROOT / "bot").rglob("*.py") if "actions" in imported_roots(p)]
    assert importers == []


def test_the_web_app_process_loads_no_rasa():
    probe = ("import sys, bot.web.app; bot.web.app.create_app(); "
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'rasa', 'rasa_sdk', 'tensorflow', 'torch'}))")
    result = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "[]"
