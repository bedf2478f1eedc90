"""`helmkit adopt`: the seed's Secret against the chart's existingSecret contract (names only)."""

from __future__ import annotations

from adopt_objects import NS, SEED_KEYS, chart_objects

from helmkit.core.release import adopt_secret as asec

GOOD_DB = {"DATABASE_URL": "postgresql://ai-native-postgresql:5432/ai_native"}


# the chart's helm test pod reads REDIS_URL by name
TEST_POD = {
    "kind": "Pod",
    "metadata": {"name": "ai-native-test", "annotations": {"helm.sh/hook": "test"}},
    "spec": {"containers": [{"env": [
        {"name": "REDIS_URL",
         "valueFrom": {"secretKeyRef": {"name": "ai-native-secrets", "key": "REDIS_URL"}}},
    ]}]},
}  # fmt: skip


def check(keys=SEED_KEYS, endpoints=GOOD_DB, redis="ai-native-redis", extra=()):
    return asec.check_secret(
        "ai-native-secrets",
        keys,
        endpoints,
        [*chart_objects(), *extra],
        namespace=NS,
        database_service="ai-native-postgresql",
        database="ai_native",
        redis_service=redis,
    )


def test_without_a_pod_reading_redis_url_its_absence_is_a_warning() -> None:
    result = check()
    assert not result.problems
    (warning,) = result.warnings
    assert "has no REDIS_URL" in warning
    assert warning.endswith("add REDIS_URL=redis://ai-native-redis:6379/0")


def test_the_seeds_secret_is_refused_with_the_exact_redis_url_to_add() -> None:
    result = check(extra=[TEST_POD])
    (problem,) = result.problems
    assert problem.message == "Secret ai-native-secrets lacks REDIS_URL, which the chart needs"
    assert problem.fix == (
        "add them: kubectl -n ai-native-staging patch secret ai-native-secrets --type merge -p "
        '\'{"stringData": {"REDIS_URL": "redis://ai-native-redis:6379/0"}}\''
    )
    assert not [w for w in result.warnings if "REDIS_URL" in w]


def test_keys_a_pod_reads_by_name_and_the_app_needs_refuse() -> None:
    result = check(keys=["OPENAI_API_KEY", "GEMINI_API_KEY", "REDIS_URL"], endpoints={})
    (problem,) = result.problems
    assert "lacks DATABASE_URL, JWT_SECRET_KEY, POSTGRES_PASSWORD" in problem.message
    assert "kubectl -n ai-native-staging patch secret ai-native-secrets" in problem.fix


def test_a_database_url_to_another_host_refuses() -> None:
    result = check(endpoints={"DATABASE_URL": "postgresql://postgresql:5432/ai_native"})
    (problem,) = result.problems
    assert "points at postgresql:5432/ai_native" in problem.message
    assert "ai-native-postgresql:5432/ai_native" in problem.message


def test_the_service_may_be_named_by_its_cluster_dns_name() -> None:
    fqdn = "postgresql://ai-native-postgresql.ai-native-staging.svc.cluster.local/ai_native"
    assert not check(endpoints={"DATABASE_URL": fqdn}).problems


def test_a_redis_url_elsewhere_warns_only() -> None:
    result = check(
        keys=[*SEED_KEYS, "REDIS_URL"], endpoints={**GOOD_DB, "REDIS_URL": "redis://redis:6379/0"}
    )
    assert not result.problems
    assert any("points at redis:6379, not at the chart's Redis" in w for w in result.warnings)


def test_without_redis_in_the_chart_no_redis_url_is_expected() -> None:
    assert not [w for w in check(redis="").warnings if "REDIS_URL" in w]


def test_referenced_keys_skip_optional_refs_and_other_secrets() -> None:
    pod = {
        "kind": "Pod",
        "spec": {
            "containers": [
                {
                    "env": [
                        {"name": "A", "valueFrom": {"secretKeyRef": {"name": "s", "key": "A"}}},
                        {
                            "name": "B",
                            "valueFrom": {
                                "secretKeyRef": {"name": "s", "key": "B", "optional": True}
                            },
                        },
                        {"name": "C", "valueFrom": {"secretKeyRef": {"name": "t", "key": "C"}}},
                    ]
                }
            ]
        },
    }
    assert asec.referenced_keys([pod], "s") == {"A"}
