"""Rendering: scenarios, which renders a run needs and their cache keys, snapshots, reports."""
