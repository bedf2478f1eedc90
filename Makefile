# Thin entry points; the work is in scripts/ and helmkit.
SHELL := /bin/bash
export AI_NATIVE_CACHE ?= $(HOME)/.cache/ai-native
export PATH := $(CURDIR)/.venv/bin:$(AI_NATIVE_CACHE)/bin:$(PATH)
export KUBECONFIG ?= $(AI_NATIVE_CACHE)/cluster/kubeconfig
PY := .venv/bin/python

.PHONY: setup test check unit demo bench docs cluster-up cluster-down

setup:
	@scripts/bootstrap.sh all

check: setup  ## static checks: ruff, mypy strict, layer contracts
	.venv/bin/ruff check python tests bench
	.venv/bin/mypy
	.venv/bin/lint-imports

test: check  ## every test: unit, chart, component (real PostgreSQL/Redis), e2e (local control plane)
	@# pytest exits 5 when it collects nothing: say so instead of failing silently.
	.venv/bin/pytest -n 2 --dist loadgroup || { rc=$$?; \
	  if [ $$rc -eq 5 ]; then echo "make test: pytest collected no tests" >&2; fi; exit $$rc; }

unit: setup
	.venv/bin/pytest tests/unit

demo: setup
	scripts/demo.sh

bench: setup
	$(PY) bench/run.py

docs: setup
	.venv/bin/helmkit docs

cluster-up: setup
	.venv/bin/helmkit cluster up

cluster-down:
	.venv/bin/helmkit cluster down
