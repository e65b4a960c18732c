"""The publish workspace: drafts written into a copy (the tree untouched), derived Rasa files
regenerated as `make data` does, and a readable diff."""
import shutil

import pytest

from bot import settings
from bot.faq.base import FaqBaseError
from bot.faq.sync import generated_files
from bot.studio import files, workspace


@pytest.fixture
def tree(tmp_path):
    root = tmp_path / "tree"
    shutil.copytree(settings.PROJECT_ROOT / "data", root / "data")
    shutil.copy2(settings.PROJECT_ROOT / "domain.yml", root / "domain.yml")
    return root


def test_derived_files_match_make_data_for_the_project_tree():
    from bot.faq.base import load_faq_base

    expected = {str(p.relative_to(settings.PROJECT_ROOT)): text for p, text in generated_files(load_faq_base()).items()}
    assert workspace.derived_files(settings.PROJECT_ROOT) == expected


def test_prepare_writes_the_plan_into_the_copy_only(tree, tmp_path):
    path = "data/faq/passport.yml"
    before = (tree / path).read_text(encoding="utf-8")
    changed = before.replace("    examples:\n", "    examples:\n      - 해외여행 가기 전에 여권 만드는 법\n", 1)
    work = workspace.prepare(tree, tmp_path / "work", {path: changed})
    assert (tree / path).read_text(encoding="utf-8") == before
    assert (work / path).read_text(encoding="utf-8") == changed
    assert "해외여행 가기 전에 여권 만드는 법" in (work / "data/nlu/faq.yml").read_text(encoding="utf-8")
    diff = workspace.unified_diff(files.snapshot(tree), files.snapshot(work))
    assert diff.startswith(f"--- a/{path}\n+++ b/{path}\n") and "+      - 해외여행 가기 전에 여권 만드는 법" in diff


def test_an_invalid_base_is_refused(tree, tmp_path):
    path = "data/faq/passport.yml"
    broken = (tree / path).read_text(encoding="utf-8").replace("department: passport", "department: nowhere", 1)
    with pytest.raises(FaqBaseError):
        workspace.prepare(tree, tmp_path / "work", {path: broken})
