"""`helmkit render ENV | --values FILE... [--set K=V]... [--out DIR]`"""

from __future__ import annotations

from pathlib import Path

import click

from helmkit.cli.options import (
    cache_option,
    config_option,
    load,
    short_lived_run,
    values_options,
)
from helmkit.errors import UsageError


@click.command("render")
@click.argument("env", required=False)
@values_options
@click.option("--kube-version", default=None, help="Kubernetes version passed to helm.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one file per object into this directory instead of stdout. Files an earlier "
    "`render --out` wrote there are replaced or removed; other files are left alone.",
)
@cache_option
@config_option
def render(
    env: str | None,
    values_files: tuple[Path, ...],
    set_values: tuple[str, ...],
    kube_version: str | None,
    out_dir: Path | None,
    no_cache: bool,
    config_path: Path | None,
) -> None:
    """Render an environment's manifests (helmkit.yaml values, then --values, then --set),
    with its release name and namespace; or a custom set of values files."""
    from helmkit.core.model.manifests import dump_yaml
    from helmkit.ops.render import check_out_dir, render_environment, write_objects

    if not env and not values_files and not set_values:
        raise UsageError(
            "name an environment or give --values/--set",
            hint="e.g. `helmkit render staging` or `helmkit render -f my.yaml`",
        )
    short_lived_run()
    config = load(config_path)
    if out_dir is not None:
        check_out_dir(out_dir, config.path.parent)  # before helm runs
    objects = render_environment(
        config,
        env,
        values_files=values_files,
        set_values=set_values,
        kube_version=kube_version,
        use_cache=not no_cache,
    )
    if out_dir is None:
        click.echo(
            "".join(f"---\n# Source: {o.source}\n{dump_yaml(o.body)}" for o in objects), nl=False
        )
        return
    result = write_objects(objects, out_dir)
    message = f"wrote {len(result.written)} object file(s) to {out_dir}"
    if result.removed:
        message += f"; removed {len(result.removed)} stale file(s) of an earlier render"
    click.echo(message, err=True)
