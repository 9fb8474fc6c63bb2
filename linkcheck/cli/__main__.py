"""`python -m linkcheck.cli` (as `python -m linkcheck`)."""

from linkcheck.cli import main

main()
