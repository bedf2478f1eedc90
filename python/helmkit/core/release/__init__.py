"""`helmkit release` and the other mutating verbs: plan, revisions, lock, recovery, preflight."""
