"""`changed_files`: what a branch changed since REF (three-dot), plus uncommitted and untracked
files, under the given roots, as absolute paths; clear usage errors otherwise. Real git, in
throwaway repositories with a fixed author, date and configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from linkcheck.errors import UsageError
from linkcheck.gitchanges import changed_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.invalid",
    "GIT_AUTHOR_DATE": "2026-11-29T14:00:00Z",
    "GIT_COMMITTER_NAME": "Test Committer",
    "GIT_COMMITTER_EMAIL": "committer@example.invalid",
    "GIT_COMMITTER_DATE": "2026-11-29T14:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch):
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def put(path: Path, text: str = "text\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def commit(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-gpg-sign", "-m", message)


@pytest.fixture
def repo(tmp_path):
    """main: docs/a.md, docs/b.md, docs/gone.md, notes.txt; branch `feature` off main, checked out."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    put(root / "docs" / "a.md")
    put(root / "docs" / "b.md")
    put(root / "docs" / "gone.md")
    put(root / "notes.txt")
    put(root / ".gitignore", "*.log\n")
    commit(root, "start")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def test_branch_commits_uncommitted_and_untracked_files(repo):
    put(repo / "docs" / "a.md", "changed on the branch\n")
    put(repo / "docs" / "c.md", "added on the branch\n")
    (repo / "docs" / "gone.md").unlink()
    commit(repo, "feature work")
    # Meanwhile main moves on: that change is not the branch's.
    git(repo, "checkout", "-q", "main")
    put(repo / "docs" / "b.md", "changed on main\n")
    commit(repo, "main work")
    git(repo, "checkout", "-q", "feature")
    # Not committed yet: a modified file, a new file, an ignored file.
    put(repo / "notes.txt", "edited\n")
    put(repo / "docs" / "d.md", "untracked\n")
    put(repo / "docs" / "debug.log", "ignored\n")

    changed = changed_files("main", [str(repo)])
    assert changed == {(repo / name).resolve() for name in ("docs/a.md", "docs/c.md", "docs/d.md", "notes.txt")}
    assert all(path.is_absolute() for path in changed)


def test_only_files_under_the_roots(repo, monkeypatch):
    put(repo / "docs" / "a.md", "x\n")
    put(repo / "notes.txt", "y\n")
    monkeypatch.chdir(repo)
    assert changed_files("main", ["docs"]) == {(repo / "docs" / "a.md").resolve()}
    assert changed_files("main", ["notes.txt"]) == {(repo / "notes.txt").resolve()}
    assert changed_files("main", ["docs/b.md"]) == set()
    assert changed_files("main", ["."]) == {(repo / "docs" / "a.md").resolve(), (repo / "notes.txt").resolve()}


def test_from_a_subfolder_paths_are_relative_to_the_repository_root(repo, monkeypatch):
    put(repo / "docs" / "a.md", "x\n")
    monkeypatch.chdir(repo / "docs")
    assert changed_files("main", ["."]) == {(repo / "docs" / "a.md").resolve()}
    assert changed_files("main") == {(repo / "docs" / "a.md").resolve()}


def test_odd_file_names_survive(repo):
    names = ["docs/with space.md", "docs/ünïcödé.md", 'docs/quote".md', "docs/tab\tname.md"]
    for name in names:
        put(repo / name)
    commit(repo, "odd names")
    assert changed_files("main", [str(repo)]) == {(repo / name).resolve() for name in names}


def test_nothing_changed_is_an_empty_set(repo):
    assert changed_files("main", [str(repo)]) == set()
    assert changed_files("HEAD", [str(repo)]) == set()


def test_a_commit_hash_and_a_relative_ref_work(repo):
    start = git(repo, "rev-parse", "HEAD").strip()
    put(repo / "docs" / "a.md", "x\n")
    commit(repo, "one")
    put(repo / "docs" / "b.md", "y\n")
    commit(repo, "two")
    assert changed_files(start, [str(repo)]) == {(repo / "docs" / "a.md").resolve(), (repo / "docs" / "b.md").resolve()}
    assert changed_files("HEAD~1", [str(repo)]) == {(repo / "docs" / "b.md").resolve()}


def test_roots_in_two_work_trees(repo, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    git(other, "init", "-q", "-b", "main")
    put(other / "x.md")
    commit(other, "start")
    put(other / "y.md")  # untracked
    put(repo / "docs" / "a.md", "x\n")
    assert changed_files("main", [str(repo), str(other)]) == {(repo / "docs" / "a.md").resolve(), (other / "y.md").resolve()}


def test_unknown_ref_is_a_usage_error_naming_it(repo):
    with pytest.raises(UsageError, match="unknown git revision 'origin/nope'") as caught:
        changed_files("origin/nope", [str(repo)])
    assert "fetch-depth: 0" in str(caught.value)


@pytest.mark.parametrize("ref", ["", "--output=/tmp/x", "-p"])
def test_option_like_or_empty_ref_is_refused(repo, ref):
    with pytest.raises(UsageError, match="needs a git revision"):
        changed_files(ref, [str(repo)])


def test_not_a_work_tree_is_a_usage_error(tmp_path, monkeypatch):
    outside = tmp_path / "plain"
    put(outside / "a.md")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    with pytest.raises(UsageError, match="needs a git work tree") as caught:
        changed_files("main", [str(outside)])
    assert str(outside) in str(caught.value)


def test_missing_root_is_a_usage_error(repo):
    with pytest.raises(UsageError, match="no such file or folder"):
        changed_files("main", [str(repo / "nope" / "deeper")])


def test_unrelated_histories_say_so(repo):
    git(repo, "checkout", "-q", "--orphan", "island")
    git(repo, "rm", "-q", "-r", "--cached", ".")
    put(repo / "island.md")
    commit(repo, "island")
    with pytest.raises(UsageError, match="share no commit"):
        changed_files("main", [str(repo)])


def test_no_git_at_all_is_a_usage_error(repo, monkeypatch):
    monkeypatch.setenv("PATH", str(repo / "empty-bin"))
    with pytest.raises(UsageError, match="no `git` command"):
        changed_files("main", [str(repo)])
