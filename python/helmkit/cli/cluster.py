"""`helmkit cluster up|down|status|env`: the local control plane (kwok, real API server)."""

from __future__ import annotations

import click

from helmkit.ops import cluster as ops


@click.group("cluster")
def cluster() -> None:
    """Run the local Kubernetes control plane (etcd, API server, controllers, fake nodes)."""


@cluster.command("up")
@click.option("--nodes", default=3, show_default=True, help="Fake nodes, one zone each.")
@click.option(
    "--no-real-node",
    is_flag=True,
    help="Only the kwok nodes: no kubelet, containerd or network namespace (non-root machines).",
)
@click.option("--dry-run", is_flag=True, help="Print the plan and stop.")
def up(nodes: int, no_real_node: bool, dry_run: bool) -> None:
    """Start the cluster (kwok nodes and one real node); does nothing when it is already up."""
    steps = ops.up(nodes=nodes, real_node=not no_real_node, dry_run=dry_run, echo=click.echo)
    if not steps:
        click.echo("cluster already up")


@cluster.command("down")
@click.option("--dry-run", is_flag=True, help="Print the plan and stop.")
def down(dry_run: bool) -> None:
    """Stop the cluster and every process it started."""
    steps = ops.down(dry_run=dry_run, echo=click.echo)
    if not steps:
        click.echo("cluster already down")


@cluster.command("status")
def status() -> None:
    """Print up/down/broken and the pid of each component; exit 1 unless up."""
    st = ops.status()
    click.echo(f"cluster: {st.phase.value}")
    for name, pid in sorted(st.pids.items()):
        click.echo(f"  {name}: pid {pid}")
    for name in st.dead:
        click.echo(f"  {name}: dead")
    healthy = True
    if st.phase is ops.Phase.UP and (st.node_running or st.node_leftovers):
        click.echo("real node:")
        for check in ops.node_health():
            healthy &= check.ok
            click.echo(f"  {check.name}: {'ok' if check.ok else 'FAILING'} ({check.detail})")
    if st.phase is not ops.Phase.UP or not healthy:
        raise SystemExit(1)
    click.echo(f"kubeconfig: {st.kubeconfig}")


@cluster.command("env")
def env() -> None:
    """Print the export line for the cluster's kubeconfig (use: eval "$(helmkit cluster env)")."""
    click.echo(ops.env_line())
