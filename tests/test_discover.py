"""Walking input folders: globs, hidden folders, .gitignore, symlink loops, binary and non-UTF-8 files."""

import os

import pytest

from linkcheck.discover import DiscoverOptions, Discovery, read_text
from linkcheck.errors import InputError


def tree(root, files):
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def found(root, **options):
    discovery = Discovery(DiscoverOptions(**options))
    documents = list(discovery.documents([root]))
    prefix = root.as_posix() + "/"
    return sorted(doc.display.removeprefix(prefix) for doc in documents), discovery.notices


def test_known_suffixes_are_read_and_others_skipped(tmp_path):
    tree(tmp_path, {"a.md": "x", "b.html": "x", "c.txt": "x", "d.py": "x", "e.json": "x", "sub/e.markdown": "x"})
    names, _ = found(tmp_path)
    assert names == ["a.md", "b.html", "c.txt", "sub/e.markdown"]


def test_hidden_folders_and_git_are_skipped_by_default(tmp_path):
    tree(tmp_path, {".hidden/a.md": "x", ".git/b.md": "x", "c.md": "x"})
    assert found(tmp_path)[0] == ["c.md"]
    assert found(tmp_path, hidden=True)[0] == [".hidden/a.md", "c.md"]


def test_include_and_exclude_globs(tmp_path):
    tree(tmp_path, {"docs/a.md": "x", "docs/b.py": "x", "build/c.md": "x"})
    assert found(tmp_path, exclude=["build/"])[0] == ["docs/a.md"]
    assert found(tmp_path, include=["*.py"])[0] == ["docs/b.py"]


def test_gitignore_inside_a_work_tree(tmp_path):
    tree(tmp_path, {".git/HEAD": "ref", ".gitignore": "ignored/\n*.draft.md\n!keep.draft.md\n", "a.md": "x",
                    "ignored/b.md": "x", "c.draft.md": "x", "keep.draft.md": "x", "sub/.gitignore": "local.md\n",
                    "sub/local.md": "x", "sub/other.md": "x"})
    assert found(tmp_path)[0] == ["a.md", "keep.draft.md", "sub/other.md"]
    assert "ignored/b.md" in found(tmp_path, gitignore=False)[0]


def test_gitignore_outside_a_work_tree_is_not_applied(tmp_path):
    tree(tmp_path, {".gitignore": "a.md\n", "a.md": "x"})
    assert found(tmp_path)[0] == ["a.md"]


def test_symlink_loop_is_not_followed(tmp_path):
    tree(tmp_path, {"a/x.md": "x"})
    os.symlink(tmp_path / "a", tmp_path / "a" / "loop")
    names, notices = found(tmp_path)
    assert names == ["a/x.md"]
    assert any("symlink loop" in notice.message for notice in notices)


def test_binary_file_is_skipped_with_a_notice(tmp_path):
    tree(tmp_path, {"image.md": b"\x89PNG\x00\x00\x01", "a.md": "x"})
    names, notices = found(tmp_path)
    assert names == ["a.md"]
    assert [notice.message for notice in notices] == ["skipped: binary file"]


def test_unreadable_file_is_a_notice(tmp_path, monkeypatch):
    """Root reads every file, so unreadability is simulated at the open() call."""
    tree(tmp_path, {"secret.md": "x", "fine.md": "x"})
    real_open = type(tmp_path).open

    def open_or_refuse(self, *args, **kwargs):
        if self.name == "secret.md":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(type(tmp_path), "open", open_or_refuse)
    names, notices = found(tmp_path)
    assert names == ["fine.md"]
    assert [notice.message for notice in notices] == ["skipped: cannot read (Permission denied)"]


def test_missing_input_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        list(Discovery(DiscoverOptions()).documents([tmp_path / "missing"]))


def test_explicit_file_is_read_whatever_its_suffix(tmp_path):
    tree(tmp_path, {"notes.log": "see https://example.org"})
    documents = list(Discovery(DiscoverOptions()).documents([tmp_path / "notes.log"]))
    assert [doc.format for doc in documents] == ["plaintext"]


def test_html_without_suffix_is_sniffed(tmp_path):
    tree(tmp_path, {"page": "<!DOCTYPE html><html><a href='https://example.org'>x</a></html>"})
    documents = list(Discovery(DiscoverOptions()).documents([tmp_path / "page"]))
    assert documents[0].format == "html"


def test_non_utf8_text_is_decoded_with_a_notice(tmp_path):
    text = "Café déjà vu, voir https://example.org/é pour les détails. " * 20
    tree(tmp_path, {"latin.txt": text.encode("latin-1")})
    document = next(Discovery(DiscoverOptions()).documents([tmp_path]))
    decoded, notice = read_text(document)
    assert "déjà" in decoded
    assert notice is not None and "not UTF-8" in notice.message and "windows-1252" in notice.message


def test_utf8_bom_is_stripped(tmp_path):
    tree(tmp_path, {"a.md": "\ufeff# Title"})
    document = next(Discovery(DiscoverOptions()).documents([tmp_path]))
    assert read_text(document) == ("# Title", None)


def test_declared_html_charset_is_honoured(tmp_path):
    html = '<html><head><meta charset="iso-8859-7"></head><body>Καλημέρα <a href="https://example.org">x</a></body></html>'
    tree(tmp_path, {"greek.html": html.encode("iso-8859-7")})
    document = next(Discovery(DiscoverOptions()).documents([tmp_path]))
    assert "Καλημέρα" in read_text(document)[0]


def test_a_folder_named_explicitly_is_walked_even_if_gitignored(tmp_path):
    tree(tmp_path, {".git/HEAD": "ref", ".gitignore": "build/\n", "build/out.md": "x", "build/.gitignore": "*.tmp.md\n",
                    "build/skip.tmp.md": "x"})
    names, _ = found(tmp_path / "build")
    assert names == ["out.md"]  # the folder itself is wanted; its own .gitignore still applies
    assert found(tmp_path)[0] == []


def test_exclude_globs_match_the_displayed_path_too(tmp_path, monkeypatch):
    """Issue 17, 11: `check docs --exclude-path docs/news.txt` skips the file the reports call docs/news.txt."""
    tree(tmp_path, {"docs/news.txt": "x", "docs/keep.md": "x", "docs/drafts/a.md": "x", "other/news.txt": "x"})
    monkeypatch.chdir(tmp_path)

    def names(inputs, **options):
        return sorted(doc.display for doc in Discovery(DiscoverOptions(**options)).documents(inputs))

    everything = ["docs/drafts/a.md", "docs/keep.md", "docs/news.txt"]
    assert names(["docs"]) == everything
    # as the reports show the file (the PATH argument joined) ...
    assert names(["docs"], exclude=["docs/news.txt"]) == ["docs/drafts/a.md", "docs/keep.md"]
    assert names(["./docs/"], exclude=["docs/news.txt"]) == ["docs/drafts/a.md", "docs/keep.md"]
    assert names(["docs"], exclude=["docs/drafts/"]) == ["docs/keep.md", "docs/news.txt"]
    assert names(["docs", "other"], exclude=["/docs/news.txt"]) == ["docs/drafts/a.md", "docs/keep.md", "other/news.txt"]
    # ... and, as before, relative to the PATH argument
    assert names(["docs"], exclude=["news.txt"]) == ["docs/drafts/a.md", "docs/keep.md"]
    assert names(["docs"], exclude=["/drafts/"]) == ["docs/keep.md", "docs/news.txt"]
    assert names(["docs", "other"], exclude=["other/news.txt"]) == everything
    # include globs read paths the same two ways
    assert names(["docs"], include=["docs/drafts/**"]) == ["docs/drafts/a.md"]
    assert names(["docs"], include=["drafts/**"]) == ["docs/drafts/a.md"]
