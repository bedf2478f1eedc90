"""Lint: the rules table, policy rules on rendered objects, Kubernetes schemas and removed APIs,
Chart.yaml checks."""
