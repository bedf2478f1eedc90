"""The values helm renders with: `--set` parsing, coalescing, YAML with line numbers, secret keys,
the values schema and docs."""
