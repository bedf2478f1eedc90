"""Pure logic of helmkit, grouped by capability; no process, network or cluster I/O.

Layers (bottom first; each may import only those below it, enforced by import-linter):
  model    parsed manifests, findings, workload kinds, content hashes
  values   the values helm renders with: `--set` parsing, coalescing, YAML with line numbers
  helm     argv lists for every helm command helmkit runs
  lint     the rules table, policy rules, Kubernetes schemas, Chart.yaml checks
  config   helmkit.yaml (environments, target Kubernetes versions, rule settings)
  render   scenarios, render plans, snapshots, the render cache, report formats
  release / verify / cluster   the live verbs' decisions and the local cluster's description
See docs/architecture.md.
"""
