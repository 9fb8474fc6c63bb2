# Conveniences for developers; the README's two Quick start commands need none of this.
PYTHON ?= .venv/bin/python

.PHONY: test docs bench

test:
	bash .ci/run

# config.toml and the README's settings table are generated from linkcheck/config.py.
docs:
	$(PYTHON) -c "from pathlib import Path; from linkcheck.config import regenerate_docs; regenerate_docs(Path('.'))"

bench:
	$(PYTHON) bench/run.py
