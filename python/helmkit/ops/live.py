"""What every live verb starts from: the environment, its helm and its cluster.

`LiveEnv` resolves helmkit.yaml's environment once, discovers helm, and opens the kube adapter on
the environment's kubeContext (empty: the current context of KUBECONFIG, like helm and kubectl).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helmkit.adapters.helm import Helm, HelmResult
from helmkit.adapters.kube import Kube
from helmkit.core.config import Environment, HelmkitConfig, find_config, load_config
from helmkit.core.helm import argv as hal
from helmkit.core.helm.argv import HelmVersion
from helmkit.core.model import live_manifests as lm
from helmkit.core.release import recovery
from helmkit.core.release import revisions as rv
from helmkit.core.release.meta import parse_duration
from helmkit.errors import HelmkitError, ReleaseNotFoundError

Echo = Callable[[str], None]
# helm's --timeout bounds each operation (hooks, then the wait); the process gets room for both.
PROCESS_TIMEOUT_FACTOR = 3
PROCESS_TIMEOUT_SLACK_S = 60.0


@dataclass
class LiveEnv:
    config: HelmkitConfig
    env: Environment
    helm: Helm
    timeout: str
    echo: Echo
    kube: Kube = field(default_factory=Kube)
    verbose: bool = False

    @property
    def target(self) -> hal.Target:
        return hal.Target(self.env.release, self.env.namespace, self.env.kube_context)

    @property
    def version(self) -> HelmVersion:
        return self.helm.version

    @property
    def process_timeout_s(self) -> float:
        return parse_duration(self.timeout) * PROCESS_TIMEOUT_FACTOR + PROCESS_TIMEOUT_SLACK_S

    def run(self, argv: list[str], *, timeout_s: float | None = None) -> HelmResult:
        return self.helm.run(
            argv, timeout=timeout_s or self.process_timeout_s, die_with_parent=True
        )

    def read(self, argv: list[str]) -> HelmResult:
        """A helm call that only reads (history, get): the adapter's default bound
        (HELMKIT_HELM_TIMEOUT), not the one of a release."""
        return self.helm.run(argv)

    def history(self) -> list[rv.Revision]:
        """Revisions oldest first; [] when the release does not exist."""
        try:
            out = self.read(hal.history_argv(self.target)).stdout
        except ReleaseNotFoundError:
            return []
        return rv.parse_history(out)

    def manifest(self, revision: int | None = None) -> list[lm.KubeObject]:
        out = self.read(hal.get_manifest_argv(self.target, revision=revision)).stdout
        return lm.parse_manifests(out)

    def hooks(self, revision: int | None = None) -> list[lm.KubeObject]:
        out = self.read(hal.get_hooks_argv(self.target, revision=revision)).stdout
        return lm.parse_manifests(out)

    def _get_all(
        self, revision: int | None
    ) -> tuple[hal.PrintedRevision | None, list[lm.KubeObject], list[lm.KubeObject]]:
        """One `helm get all`: the revision line it printed, its manifest and hook objects."""
        argv = hal.get_manifest_and_hooks_argv(self.target, revision=revision)
        out = self.read(argv).stdout
        manifest, hooks = hal.split_manifest_and_hooks(out)
        return hal.printed_revision(out), lm.parse_manifests(manifest), lm.parse_manifests(hooks)

    def manifest_and_hooks(
        self, revision: int | None = None
    ) -> tuple[list[lm.KubeObject], list[lm.KubeObject]]:
        """A revision's manifest objects and hook objects from one helm process."""
        _, manifest, hooks = self._get_all(revision)
        return manifest, hooks

    def newest_manifest_and_hooks(
        self,
    ) -> tuple[rv.Revision, list[lm.KubeObject], list[lm.KubeObject]] | None:
        """The newest revision (number, status, chart), its manifest objects and hook objects;
        None when the release does not exist (or helm printed no revision line)."""
        try:
            printed, manifest, hooks = self._get_all(None)
        except ReleaseNotFoundError:
            return None
        if printed is None:
            return None
        revision = rv.Revision(
            printed.number, printed.status, None, printed.chart, printed.app_version, ""
        )
        return revision, manifest, hooks

    def command(self, argv: list[str]) -> str:
        return hal.shown(argv)

    def brief_error(self, stderr: str) -> str:
        """helm's error text for a person: Secret values of the namespace masked, and (unless
        --verbose) trimmed to its first lines and its last error line."""
        try:
            text = self.kube.secret_redactor(self.env.namespace)(stderr).strip()
        except HelmkitError:
            # the Secrets cannot be read to mask them: show only helm's last error line
            return "\n  " + recovery.brief_error(stderr, head_lines=0)[-1]
        if self.verbose:
            return "\n" + text
        return "\n" + "\n".join(f"  {line}" for line in recovery.brief_error(text))


def open_env(
    env_name: str,
    *,
    config_path: Path | None,
    timeout: str | None,
    echo: Echo,
    verbose: bool = False,
) -> LiveEnv:
    path = config_path or find_config(Path.cwd())
    config = load_config(path)
    env = config.environment(env_name)
    chosen = timeout or env.timeout
    parse_duration(chosen)  # a bad --timeout is a usage error before anything runs
    return LiveEnv(config, env, Helm.discover(), chosen, echo, Kube(env.kube_context), verbose)
