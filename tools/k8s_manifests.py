"""deploy/k8s as data, for ``tools/test_k8s.py`` and ``tools/scale_smoke.py``.

Each overlay is built by ``kubectl kustomize`` (kubectl's own kustomize, as ``kubectl apply -k``
builds it) into the objects a cluster would be sent. They are checked against Kubernetes' schemas
of one pinned release (kubernetes-validate ships them), and the Prometheus Operator's
ServiceMonitor against that project's CRD schema (``tools/crds``, run by node).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import yaml

import variants

K8S_ROOT = variants.REPO_ROOT / "deploy" / "k8s"
OVERLAYS_ROOT = K8S_ROOT / "overlays"
CRD_TOOLS = variants.REPO_ROOT / "tools" / "crds"
# The Kubernetes release the objects are validated against: the oldest minor still supported
# upstream when this was written, so the manifests use nothing newer.
KUBERNETES_VERSION = "1.32.0"
# What kubernetes-validate has no schema for, and where its schema comes from instead.
CUSTOM_KINDS = {("monitoring.coreos.com/v1", "ServiceMonitor"): "tools/crds (@kubernetes-models/prometheus-operator)"}


class ManifestError(Exception):
    """An overlay does not build."""


def kubectl() -> str:
    binary = shutil.which("kubectl")
    if binary is None:
        raise ManifestError("no kubectl on PATH (its kustomize builds the overlays)")
    return binary


def build(overlay: Path) -> list[dict]:
    """The overlay's objects, as ``kubectl apply -k`` would send them."""
    outcome = subprocess.run([kubectl(), "kustomize", str(overlay)], capture_output=True, text=True, timeout=60)
    if outcome.returncode != 0:
        raise ManifestError(f"kubectl kustomize {overlay} failed:\n{outcome.stderr}")
    return [each for each in yaml.safe_load_all(outcome.stdout) if each]


def expand(value: str, environment: dict[str, str]) -> str:
    """A container env value with its ``$(NAME)`` references expanded as the kubelet does."""
    return re.sub(r"\$\$|\$\((\w+)\)", lambda match: environment.get(match[1], match[0]) if match[1] else "$", value)


@dataclass(frozen=True)
class Overlay:
    """One variant's overlay, built."""

    variant: variants.Variant

    @property
    def path(self) -> Path:
        return OVERLAYS_ROOT / self.variant.name

    @cached_property
    def objects(self) -> list[dict]:
        return build(self.path)

    def of_kind(self, kind: str) -> list[dict]:
        return [each for each in self.objects if each["kind"] == kind]

    def one(self, kind: str) -> dict:
        found = self.of_kind(kind)
        if len(found) != 1:
            raise AssertionError(f"the {self.variant.name} overlay has {len(found)} {kind} objects, not 1")
        return found[0]

    def named(self, kind: str, name: str) -> dict | None:
        return next((each for each in self.of_kind(kind) if each["metadata"]["name"] == name), None)

    @property
    def deployment(self) -> dict:
        return self.one("Deployment")

    @property
    def job(self) -> dict:
        return self.one("Job")

    @staticmethod
    def container(workload: dict) -> dict:
        containers = workload["spec"]["template"]["spec"]["containers"]
        if len(containers) != 1:
            raise AssertionError(f"{workload['metadata']['name']} has {len(containers)} containers, not 1")
        return containers[0]

    def environment(self, workload: dict, secret: dict[str, str], pod_ip: str) -> dict[str, str]:
        """The container's environment as the kubelet makes it: envFrom in order, then env, expanded.

        ``secret`` stands for the Secret's data, which these manifests reference but do not hold.
        """
        container, environment = self.container(workload), {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                config_map = self.named("ConfigMap", source["configMapRef"]["name"])
                if config_map is None:
                    raise AssertionError(f"{source['configMapRef']['name']} is not in the overlay")
                environment.update(config_map["data"])
            elif "secretRef" in source:
                environment.update(secret)
        for variable in container.get("env", []):
            if "value" in variable:
                environment[variable["name"]] = expand(variable["value"], environment)
            elif variable.get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "status.podIP":
                environment[variable["name"]] = pod_ip
            else:
                raise AssertionError(f"env {variable['name']}: only values and status.podIP are read here")
        return environment


def overlays() -> list[Overlay]:
    return [Overlay(variant) for variant in variants.all_variants()]


def schema_errors(objects: list[dict]) -> list[str]:
    """Every object against its schema: Kubernetes' own kinds strictly (no unknown fields), the
    ServiceMonitor against the Prometheus Operator's CRD. An object of a kind with no schema is an error."""
    import kubernetes_validate

    errors, custom = [], []
    for each in objects:
        label = f"{each['kind']} {each['metadata']['name']}"
        if (each["apiVersion"], each["kind"]) in CUSTOM_KINDS:
            custom.append(each)
            continue
        try:
            kubernetes_validate.validate(each, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{label}: {error.path}: {error.message}")
        except kubernetes_validate.SchemaNotFoundError:
            errors.append(f"{label}: no schema for {each['apiVersion']} in Kubernetes {KUBERNETES_VERSION}")
    if custom:
        node = shutil.which("node")
        if node is None or not (CRD_TOOLS / "node_modules").is_dir():
            raise ManifestError("the CRD schemas need node and `npm ci --prefix tools/crds` (tox -e k8s runs it)")
        outcome = subprocess.run(
            [node, str(CRD_TOOLS / "validate.mjs")],
            input=json.dumps(custom),
            capture_output=True,
            text=True,
            cwd=CRD_TOOLS,
            timeout=60,
            check=True,
        )
        for each, found in zip(custom, json.loads(outcome.stdout), strict=True):
            errors.extend(f"{each['kind']} {each['metadata']['name']}: {error}" for error in found)
    return errors
