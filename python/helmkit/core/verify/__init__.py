"""`helmkit verify` and `helmkit status`: judgements and views from facts the adapters collected."""
