"""`helmkit docs [--check]`: the values table and every values.schema.json, from schemas/values."""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.ops import docs as ops


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
    """Generate the README values table and the charts' values.schema.json files."""
    paths = ops.run(root, check=check)
    if check:
        click.echo(f"up to date: {len(paths)} generated files")
    else:
        click.echo("\n".join(f"wrote {p}" for p in paths) or "nothing to do: all up to date")
