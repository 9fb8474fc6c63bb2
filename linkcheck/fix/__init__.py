"""`linkcheck fix`: rewrite citations in place, in each document's own idiom, from history.

    plan = plan_fixes(paths, history, settings, FixOptions(cross_site=False))
    print("".join(render_diff(file) for file in plan.changed))   # the dry run
    apply_fixes(plan)                                             # --write

`plan` (what to change, no writing), one rule module per format (`markdown`, `html`,
`wikitext`, `bibtex`, `rst`, `plaintext`; the registry is `plan.RULES`), `textfile`
(exact bytes in, exact bytes out, atomic replace) and `apply` (diff and write).
"""

from linkcheck.fix.apply import Applied, apply_fixes, render_diff
from linkcheck.fix.plan import Change, FileFix, FixOptions, FixPlan, Skipped, plan_fixes

__all__ = [
    "Applied",
    "Change",
    "FileFix",
    "FixOptions",
    "FixPlan",
    "Skipped",
    "apply_fixes",
    "plan_fixes",
    "render_diff",
]
