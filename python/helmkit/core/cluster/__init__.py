"""The local cluster: control plane config, the real node, its config files."""
