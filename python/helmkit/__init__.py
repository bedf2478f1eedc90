"""helmkit: lint, render, snapshot-test, release and verify the ai-native Helm chart."""

__version__ = "0.1.0"
