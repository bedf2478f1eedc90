"""argv lists for every helm command helmkit runs, per Helm major (run by adapters.helm)."""
