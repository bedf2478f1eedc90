"""`helmkit docs [--check]`: the values table and every values.schema.json, from schemas/values."""

from __future__ import annotations

import os
from pathlib import Path

import click

from helmkit.ops import docs as ops


def _paths(root: Path) -> dict[str, str]:
    config_path = root / "helmkit.yaml"
    if not config_path.is_file():
        return {}
    from helmkit.core.config import load_config

    config = load_config(config_path)
    chart_dir = os.path.relpath(config.chart, config_path.parent)
    return {"chart_dir": chart_dir, "schema_dir": config.docs_schema_dir}


@click.command("docs")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 naming each stale file.")
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="Repository root.",
)
def docs(check: bool, root: Path) -> None:
    """Generate the README values table, the charts' values.schema.json files and the rule
    list in README.md. The chart and the schema sources come from ROOT/helmkit.yaml (`chart`,
    `docs.schemaDir`) when it exists."""
    paths = ops.run(root, check=check, **_paths(root))
    if check:
        click.echo(f"up to date: {len(paths)} generated files")
    else:
        click.echo("\n".join(f"wrote {p}" for p in paths) or "nothing to do: all up to date")
