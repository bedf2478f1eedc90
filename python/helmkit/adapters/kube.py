"""The only place that talks to the Kubernetes API server, through the `kubernetes` client.

The client is imported inside `Kube.connect` so offline verbs (and `helmkit --help`) never load it.
Objects come back as plain JSON dicts (camelCase, as `kubectl get -o json` shows them): one raw GET
helper serves every kind, including custom resources. Secret values never leave this module:
`secrets()` replaces every value with "" before returning.
"""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from helmkit.adapters import kube_client
from helmkit.errors import EnvironmentProblem, HelmkitError

KubeObject = dict[str, Any]
MIN_REDACTED_CHARS = 6

# kind -> (API path prefix, plural); namespaced lists are built from these.
KINDS: dict[str, tuple[str, str]] = {
    "Pod": ("/api/v1", "pods"),
    "Service": ("/api/v1", "services"),
    "ConfigMap": ("/api/v1", "configmaps"),
    "Secret": ("/api/v1", "secrets"),
    "Event": ("/api/v1", "events"),
    "PersistentVolumeClaim": ("/api/v1", "persistentvolumeclaims"),
    "EndpointSlice": ("/apis/discovery.k8s.io/v1", "endpointslices"),
    "Deployment": ("/apis/apps/v1", "deployments"),
    "StatefulSet": ("/apis/apps/v1", "statefulsets"),
    "DaemonSet": ("/apis/apps/v1", "daemonsets"),
    "ReplicaSet": ("/apis/apps/v1", "replicasets"),
    "Job": ("/apis/batch/v1", "jobs"),
    "HorizontalPodAutoscaler": ("/apis/autoscaling/v2", "horizontalpodautoscalers"),
    "Ingress": ("/apis/networking.k8s.io/v1", "ingresses"),
    "HTTPRoute": ("/apis/gateway.networking.k8s.io/v1", "httproutes"),
    "Certificate": ("/apis/cert-manager.io/v1", "certificates"),
    "PodMetrics": ("/apis/metrics.k8s.io/v1beta1", "pods"),
    "PodDisruptionBudget": ("/apis/policy/v1", "poddisruptionbudgets"),
    "NetworkPolicy": ("/apis/networking.k8s.io/v1", "networkpolicies"),
    "CronJob": ("/apis/batch/v1", "cronjobs"),
    "ServiceAccount": ("/api/v1", "serviceaccounts"),
    "ResourceQuota": ("/api/v1", "resourcequotas"),
    "LimitRange": ("/api/v1", "limitranges"),
    "Role": ("/apis/rbac.authorization.k8s.io/v1", "roles"),
    "RoleBinding": ("/apis/rbac.authorization.k8s.io/v1", "rolebindings"),
}
# the kinds an application's namespace holds that a release may own (for `helmkit adopt`)
ADOPT_KINDS = (
    "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "Service", "ConfigMap", "Secret",
    "PersistentVolumeClaim", "Ingress", "HTTPRoute", "HorizontalPodAutoscaler",
    "PodDisruptionBudget", "NetworkPolicy", "ServiceAccount", "ResourceQuota", "LimitRange",
    "Role", "RoleBinding",
)  # fmt: skip
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
CONNECT_HINT = (
    'start the local control plane (`helmkit cluster up`, then `eval "$(helmkit cluster env)"`) '
    "or point KUBECONFIG / the environment's kubeContext at a reachable cluster"
)


CONFLICT = object()  # what _call returns for 409 Conflict when the caller expects it


def _lease_path(namespace: str, name: str) -> str:
    return f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{name}"


class KubeError(HelmkitError):
    """The API server refused or failed a request; the message names the request, not bodies."""


@dataclass
class Kube:
    """A connection to one cluster (the kube context of an environment, or the current one)."""

    context: str = ""
    _api: Any = field(default=None, repr=False)
    _connecting: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def connect(self) -> Kube:
        config, _ = kube_client.load()  # lazy: keeps offline verbs fast

        try:
            api_client = config.new_client_from_config(context=self.context or None)
        except Exception as exc:  # config errors come as several unrelated types
            where = os.environ.get("KUBECONFIG", "~/.kube/config")
            raise EnvironmentProblem(
                f"cannot load kube context {self.context or '(current)'} from {where}: {exc}",
                hint=CONNECT_HINT,
            ) from exc
        self._api = api_client
        return self

    def ready(self) -> Kube:
        """Connected once, whichever thread asks first."""
        with self._connecting:
            return self if self._api is not None else self.connect()

    # --- raw access -------------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        query: dict[str, str] | None = None,
        conflict: Any = None,
        content_type: str = "application/json",
    ) -> Any:
        _, ApiException = kube_client.load()
        if self._api is None:
            self.ready()
        try:
            response = self._api.call_api(
                path,
                method,
                query_params=list((query or {}).items()),
                header_params={"Accept": "application/json", "Content-Type": content_type},
                body=body,
                auth_settings=["BearerToken"],
                _preload_content=False,
                _return_http_data_only=True,
                _request_timeout=30,
            )
        except ApiException as exc:
            if exc.status == 404:
                return None
            if exc.status == 409 and conflict is not None:
                return conflict
            raise KubeError(
                f"{method} {path} refused by the API server: {exc.status} {exc.reason}"
            ) from exc
        except Exception as exc:  # urllib3 connection errors
            raise EnvironmentProblem(
                f"the Kubernetes API server is not reachable ({type(exc).__name__})",
                hint=CONNECT_HINT,
            ) from exc
        return json.loads(response.data or b"null")

    def get(self, path: str, query: dict[str, str] | None = None) -> Any:
        return self._call("GET", path, query=query)

    def list_kind(self, kind: str, namespace: str, selector: str = "") -> list[KubeObject] | None:
        """Objects of a kind in a namespace; None when the cluster does not serve the kind."""
        prefix, plural = KINDS[kind]
        query = {"labelSelector": selector} if selector else None
        found = self.get(f"{prefix}/namespaces/{namespace}/{plural}", query)
        return None if found is None else list(found.get("items") or [])

    def items(self, kind: str, namespace: str, selector: str = "") -> list[KubeObject]:
        return self.list_kind(kind, namespace, selector) or []

    # --- cluster facts ----------------------------------------------------------------------

    def server_version(self) -> str:
        info = self.get("/version") or {}
        return str(info.get("gitVersion", "?"))

    def served_api_versions(self) -> set[str]:
        """Every group/version the API server serves ("v1" for the core group)."""
        served = {f"{v}" for v in (self.get("/api") or {}).get("versions", [])}
        for group in (self.get("/apis") or {}).get("groups", []):
            served.update(v["groupVersion"] for v in group.get("versions", []))
        return served

    def namespace(self, name: str) -> KubeObject | None:
        found: KubeObject | None = self.get(f"/api/v1/namespaces/{name}")
        return found

    def create_namespace(self, name: str, labels: dict[str, str]) -> None:
        """Created, or already there (another run may create it at the same moment)."""
        body = {
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": labels},
        }
        self._call("POST", "/api/v1/namespaces", body=body, conflict=CONFLICT)

    # --- the release lock (a Lease; decisions in helmkit.core.release.lock) ---------------

    def lease(self, namespace: str, name: str) -> KubeObject | None:
        found: KubeObject | None = self.get(_lease_path(namespace, name))
        return found

    def create_lease(self, namespace: str, body: KubeObject) -> KubeObject | None:
        """The created Lease; None when another run created it first."""
        path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
        made = self._call("POST", path, body=body, conflict=CONFLICT)
        return None if made is CONFLICT else made

    def replace_lease(self, namespace: str, body: KubeObject) -> KubeObject | None:
        """The replaced Lease; None when it changed since `body`'s resourceVersion was read
        (another run took or renewed it) or it is gone."""
        path = _lease_path(namespace, body["metadata"]["name"])
        made = self._call("PUT", path, body=body, conflict=CONFLICT)
        return None if made is CONFLICT else made

    def cluster_names(self, path: str) -> set[str] | None:
        """Names of a cluster-scoped list (IngressClasses, ClusterIssuers); None if not served."""
        found = self.get(path)
        return None if found is None else {i["metadata"]["name"] for i in found.get("items") or []}

    def namespaced_names(self, path: str) -> set[str] | None:
        """`namespace/name` of a list across namespaces (Gateways); None if not served."""
        found = self.get(path)
        if found is None:
            return None
        return {
            f"{i['metadata'].get('namespace', '')}/{i['metadata']['name']}"
            for i in found.get("items") or []
        }

    def cluster_items(self, path: str) -> list[KubeObject] | None:
        """Objects of a list across the cluster (Nodes, IngressClasses, Deployments of every
        namespace); None if not served. A refused read raises KubeError (preflight says it could
        not check)."""
        found = self.get(path)
        return None if found is None else list(found.get("items") or [])

    def can_i(self, verb: str, group: str, resource: str, namespace: str) -> bool:
        body = {
            "apiVersion": "authorization.k8s.io/v1",
            "kind": "SelfSubjectAccessReview",
            "spec": {
                "resourceAttributes": {
                    "verb": verb,
                    "group": group,
                    "resource": resource,
                    "namespace": namespace,
                }
            },
        }
        review = self._call(
            "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", body=body
        )
        return bool((review or {}).get("status", {}).get("allowed"))

    # --- secrets: names and keys only -------------------------------------------------------

    def secrets(self, namespace: str, selector: str = "") -> list[KubeObject]:
        """Secrets with every value blanked: callers see names, types, labels and keys."""
        blanked: list[KubeObject] = []
        for secret in self.items("Secret", namespace, selector):
            keys = sorted(secret.get("data") or {})
            meta = secret.get("metadata", {})
            blanked.append(
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "type": secret.get("type", ""),
                    "metadata": {"name": meta.get("name"), "labels": meta.get("labels") or {}},
                    "data": dict.fromkeys(keys, ""),
                }
            )
        return blanked

    def release_labels(self, release: str, namespace: str) -> dict[int, dict[str, str]]:
        """revision -> labels of helm's release Secrets (custom labels included)."""
        out: dict[int, dict[str, str]] = {}
        for secret in self.secrets(namespace, f"owner=helm,name={release}"):
            labels = secret["metadata"]["labels"]
            if str(labels.get("version", "")).isdigit():
                out[int(labels["version"])] = dict(labels)
        return out

    def secret_redactor(self, namespace: str) -> Callable[[str], str]:
        """A function that replaces every value of the namespace's Secrets (decoded and as
        stored, base64) with ***, for texts helmkit did not write itself (helm's errors). The
        values stay inside the closure; helm's own release records are skipped (their values
        are compressed, so they never appear verbatim)."""
        values: set[str] = set()
        for secret in self.items("Secret", namespace):
            if secret.get("type") == "helm.sh/release.v1":
                continue
            for encoded in (secret.get("data") or {}).values():
                values.add(str(encoded))
                values.add(base64.b64decode(encoded).decode("utf-8", "replace"))
        # short values ("true", a port) would mask ordinary words and say nothing secret
        hidden = sorted((v for v in values if len(v) >= MIN_REDACTED_CHARS), key=len, reverse=True)

        def redact(text: str) -> str:
            for value in hidden:
                text = text.replace(value, "***")
            return text

        return redact

    def data_digests(self, namespace: str, names: list[str]) -> dict[str, str]:
        """Secret name -> sha256 of its data, to compare Secrets across operations unseen."""
        import hashlib

        out: dict[str, str] = {}
        for name in names:
            secret = self.get(f"/api/v1/namespaces/{namespace}/secrets/{name}")
            if secret is not None:
                blob = json.dumps(secret.get("data") or {}, sort_keys=True).encode()
                out[name] = hashlib.sha256(blob).hexdigest()
        return out

    # --- others -----------------------------------------------------------------------------

    def _log_response(
        self, namespace: str, pod: str, container: str, query: dict[str, str], timeout: Any
    ) -> Any:
        """The unread response of one container's log endpoint; a refusal is a KubeError."""
        _, ApiException = kube_client.load()
        if self._api is None:
            self.ready()
        try:
            return self._api.call_api(
                f"/api/v1/namespaces/{namespace}/pods/{pod}/log",
                "GET",
                query_params=list(query.items()),
                auth_settings=["BearerToken"],
                _preload_content=False,
                _return_http_data_only=True,
                _request_timeout=timeout,
            )
        except ApiException as exc:
            raise KubeError(f"logs of {pod}/{container}: {exc.status} {exc.reason}") from exc

    def pod_logs(self, namespace: str, pod: str, container: str, tail: int) -> str:
        query = {"container": container, "tailLines": str(tail)}
        response = self._log_response(namespace, pod, container, query, timeout=10)
        return str(response.data.decode("utf-8", "replace"))

    def pod_metrics(self, namespace: str) -> list[KubeObject] | None:
        """PodMetrics of the namespace (metrics.k8s.io); None when the API is not served. An
        API registered but not answering (metrics-server down) raises KubeError with its status."""
        return self.list_kind("PodMetrics", namespace)

    def follow_logs(
        self, namespace: str, pod: str, container: str, *, tail: int | None
    ) -> Iterator[str]:
        """Lines of one container as they are written (`kubectl logs -f`), until the container
        stops or the pod goes away; `tail` None: from its first line."""
        query = {"container": container, "follow": "true"}
        if tail is not None:
            query["tailLines"] = str(tail)
        try:
            # connect bounded; a quiet container may say nothing
            response = self._log_response(namespace, pod, container, query, timeout=(10, None))
        except HelmkitError:  # a refusal, or no connection to the cluster: says so already
            raise
        except Exception as exc:  # urllib3 connection errors
            raise KubeError(f"logs of {pod}/{container}: {type(exc).__name__}") from exc
        try:
            pending = b""
            for chunk in response.stream(4096, decode_content=True):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for line in complete:
                    yield line.decode("utf-8", "replace")
            if pending:
                yield pending.decode("utf-8", "replace")
        except Exception:  # the stream broke (pod deleted, connection reset): it simply ends
            return
        finally:
            response.release_conn()

    def delete_pod(self, namespace: str, name: str) -> None:
        self._call("DELETE", f"/api/v1/namespaces/{namespace}/pods/{name}")

    def delete_pvcs(self, namespace: str, selector: str) -> list[str]:
        deleted: list[str] = []
        for pvc in self.items("PersistentVolumeClaim", namespace, selector):
            name = pvc["metadata"]["name"]
            self._call("DELETE", f"/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}")
            deleted.append(name)
        return deleted

    # --- adoption (decisions in helmkit.core.release.adopt_*) -------------------------------

    def _object_path(self, kind: str, namespace: str, name: str = "") -> str:
        if kind == "PersistentVolume":
            base = "/api/v1/persistentvolumes"
        else:
            prefix, plural = KINDS[kind]
            base = f"{prefix}/namespaces/{namespace}/{plural}"
        return f"{base}/{name}" if name else base

    def objects(self, namespace: str, kinds: tuple[str, ...] = ADOPT_KINDS) -> list[KubeObject]:
        """Every object of `kinds` in the namespace, each with its kind; Secrets keep their key
        names and metadata but no value (nor kubectl's last-applied copy of them)."""
        out: list[KubeObject] = []
        for kind in kinds:
            for item in self.items(kind, namespace):
                item["kind"] = kind
                out.append(_blank_secret(item) if kind == "Secret" else item)
        return out

    def object(self, kind: str, namespace: str, name: str) -> KubeObject | None:
        found = self.get(self._object_path(kind, namespace, name))
        if found is not None:
            found["kind"] = kind
            return _blank_secret(found) if kind == "Secret" else found
        return None

    def persistent_volumes(self) -> list[KubeObject]:
        found = self.get("/api/v1/persistentvolumes") or {}
        return [{**pv, "kind": "PersistentVolume"} for pv in found.get("items") or []]

    def merge_patch(self, kind: str, namespace: str, name: str, body: KubeObject) -> None:
        self._call(
            "PATCH",
            self._object_path(kind, namespace, name),
            body=body,
            content_type="application/merge-patch+json",
        )

    def create(self, kind: str, namespace: str, body: KubeObject) -> bool:
        """Created; False when an object of that name exists already."""
        made = self._call("POST", self._object_path(kind, namespace), body=body, conflict=CONFLICT)
        return made is not CONFLICT

    def delete(self, kind: str, namespace: str, name: str, uid: str) -> str:
        """ "deleted" (or being deleted), "gone" (nothing of that name), or "changed" (re-created
        since it was read: a different uid, the precondition refuses and nothing is deleted)."""
        options: KubeObject = {
            "apiVersion": "v1",
            "kind": "DeleteOptions",
            "propagationPolicy": "Background",
        }
        if uid:
            options["preconditions"] = {"uid": uid}
        done = self._call(
            "DELETE", self._object_path(kind, namespace, name), body=options, conflict=CONFLICT
        )
        if done is None:
            return "gone"
        return "changed" if done is CONFLICT else "deleted"

    def secret_endpoints(self, namespace: str, name: str) -> dict[str, str]:
        """Key -> the URL it holds without its credentials (scheme://host:port/path), for the
        keys whose value is a URL; nothing else of the Secret leaves this module."""
        from urllib.parse import urlsplit

        secret = self.get(f"/api/v1/namespaces/{namespace}/secrets/{name}") or {}
        out: dict[str, str] = {}
        for key, encoded in (secret.get("data") or {}).items():
            text = base64.b64decode(encoded).decode("utf-8", "replace").strip()
            parts = urlsplit(text)
            if parts.scheme and parts.hostname and "://" in text:
                try:
                    port = f":{parts.port}" if parts.port else ""
                except ValueError:
                    port = ""
                out[key] = f"{parts.scheme}://{parts.hostname}{port}{parts.path}"
        return out


def _blank_secret(secret: KubeObject) -> KubeObject:
    meta = dict(secret.get("metadata") or {})
    notes = {k: v for k, v in (meta.get("annotations") or {}).items() if k != LAST_APPLIED}
    meta["annotations"] = notes
    meta.pop("managedFields", None)
    blanked = {k: v for k, v in secret.items() if k not in ("data", "stringData")}
    return {**blanked, "metadata": meta, "data": dict.fromkeys(secret.get("data") or {}, "")}
