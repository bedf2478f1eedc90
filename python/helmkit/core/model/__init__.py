"""Shared object model: parsed manifests, findings and waivers, workload kinds, content hashes."""
