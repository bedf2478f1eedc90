"""The light kubernetes client loader, in fresh interpreters (it registers package modules)."""

from __future__ import annotations

import subprocess
import sys

LOAD = "from helmkit.adapters import kube_client; config, exc = kube_client.load(); import sys\n"


def run(code: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-c", LOAD + code], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_load_gives_the_config_loader_and_api_exception_without_the_models() -> None:
    out = run(
        "print(config.new_client_from_config.__name__, exc.__name__)\n"
        "print(sum(m.startswith('kubernetes.client.models.') for m in sys.modules))\n"
        "print('kubernetes.client.api.core_v1_api' in sys.modules)"
    )
    assert out.split() == ["new_client_from_config", "ApiException", "0", "False"]


def test_the_full_client_still_works_after_a_light_load() -> None:
    out = run(
        "from kubernetes import client\n"
        "import kubernetes\n"
        "from kubernetes.client.models import V1Deployment\n"
        "print(client.CoreV1Api.__name__, client.V1Pod.__name__, V1Deployment.__name__)\n"
        "print(kubernetes.__version__ != '', kubernetes.watch.Watch.__name__)"
    )
    assert out.split() == ["CoreV1Api", "V1Pod", "V1Deployment", "True", "Watch"]


def test_a_full_import_first_is_left_alone() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import kubernetes.client\n" + LOAD + "print(type(sys.modules['kubernetes']).__name__)",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["module"]


def test_threads_completing_the_client_at_once_all_get_their_names() -> None:
    out = run(
        "import threading\n"
        "from kubernetes import client\n"
        "names = ['CoreV1Api', 'V1Pod', 'AppsV1Api', 'V1Deployment'] * 2\n"
        "got = []\n"
        "threads = [threading.Thread(target=lambda n=n: got.append(getattr(client, n).__name__))"
        " for n in names]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(len(got), len(set(got)))"
    )
    assert out.split() == ["8", "4"]
