"""redis.conf from the rendered chart, loaded by a real redis-server.

Only port, bind and dir are overridden on the command line (a private loopback port and a temp
dir instead of the pod's /data); everything else is the chart's configuration as rendered.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from component_chart import configmap_data, find, render, write_files
from component_servers import RedisServer, redis_server

pytestmark = [pytest.mark.component, pytest.mark.xdist_group("redis")]

REDIS_CONFIGMAP = "ai-native-redis"


@pytest.fixture(scope="module")
def rendered_conf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = configmap_data(render(), REDIS_CONFIGMAP)
    return write_files(data, tmp_path_factory.mktemp("redis-conf")) / "redis.conf"


@pytest.fixture(scope="module")
def server(rendered_conf: Path) -> Iterator[RedisServer]:
    with redis_server(rendered_conf) as running:
        yield running


def config_get(server: RedisServer, name: str) -> str:
    import redis

    client = redis.Redis(host="127.0.0.1", port=server.port, decode_responses=True)
    return str(client.config_get(name)[name])


def test_rendered_config_is_loaded(server: RedisServer) -> None:
    assert config_get(server, "maxmemory") == "536870912"  # 512mb
    assert config_get(server, "maxmemory-policy") == "allkeys-lru"
    assert config_get(server, "appendonly") == "yes"
    assert config_get(server, "appendfsync") == "everysec"
    assert config_get(server, "save") == ""  # the AOF is the persistence


def test_writes_reach_the_append_only_file(server: RedisServer) -> None:
    import redis

    client = redis.Redis(host="127.0.0.1", port=server.port)
    client.set("llm-cache:probe", "cached answer")
    aof_dir = server.base_dir / config_get(server, "appenddirname")
    files = sorted(aof_dir.iterdir())
    assert any(f.name.endswith(".incr.aof") for f in files), files
    assert any(b"llm-cache:probe" in f.read_bytes() for f in files if f.suffix == ".aof")


def test_statefulset_mounts_the_rendered_config() -> None:
    manifests = render()
    pod = find(manifests, "StatefulSet", "ai-native-redis")["spec"]["template"]["spec"]
    container = pod["containers"][0]
    mounts = {m["name"]: m["mountPath"] for m in container["volumeMounts"]}
    # The AOF directory is the data volume: the config file leaves `dir` to the command line.
    assert container["command"] == [
        "redis-server",
        f"{mounts['config']}/redis.conf",
        "--dir",
        mounts["data"],
    ]
    config_volume = next(v for v in pod["volumes"] if v["name"] == "config")
    assert config_volume["configMap"]["name"] == REDIS_CONFIGMAP


def test_values_change_the_rendered_config(tmp_path: Path) -> None:
    data = configmap_data(
        render(
            "redis.maxmemory=256mb", "redis.maxmemoryPolicy=allkeys-lfu", "redis.appendonly=false"
        ),
        REDIS_CONFIGMAP,
    )
    conf = write_files(data, tmp_path) / "redis.conf"
    checksums = {
        find(render(*v), "StatefulSet", "ai-native-redis")["spec"]["template"]["metadata"][
            "annotations"
        ]["checksum/config"]
        for v in ((), ("redis.maxmemory=256mb",))
    }
    assert len(checksums) == 2, "the pod does not roll when redis.conf changes"
    with redis_server(conf) as other:
        assert config_get(other, "maxmemory") == str(256 * 1024 * 1024)
        assert config_get(other, "maxmemory-policy") == "allkeys-lfu"
        assert config_get(other, "appendonly") == "no"
