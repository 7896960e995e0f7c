"""deploy/k8s must deploy every variant exactly as its variant.toml and docker-compose.yml say.

Each overlay is built by kubectl's kustomize; its objects are validated against the schemas of a
pinned Kubernetes release, then held to the variant's declaration, its compose services and the
image they build: the port, the migrate command, the image's own serve command, the probe paths,
the environment's names and the folders the server writes to.

    tox -e k8s
"""

from __future__ import annotations

import copy
import re
import subprocess
from pathlib import Path

import k8s_manifests
import pytest
from k8s_manifests import Overlay

import deployment

OVERLAYS = k8s_manifests.overlays()
DEPLOYMENTS = {each.variant.name: each for each in deployment.deployments(deployment.load_compose())}
SPEC_PATH = deployment.REPO_ROOT / "docs" / "spec.md"
SECRET_EXAMPLE = k8s_manifests.K8S_ROOT / "secret.example.env"
# The spec's drain: a server exits within 10 s of SIGTERM (spec 6.5).
SPEC_DRAIN_SECONDS = 10


@pytest.fixture(params=OVERLAYS, ids=lambda each: each.variant.name)
def overlay(request: pytest.FixtureRequest) -> Overlay:
    each = request.param
    if not each.path.is_dir():
        pytest.fail(f"no overlay for {each.variant.name}: {each.path} does not exist", pytrace=False)
    try:
        assert each.objects, f"the {each.variant.name} overlay builds no object"
    except k8s_manifests.ManifestError as error:
        pytest.fail(str(error), pytrace=False)
    return each


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


def pod_labels(workload: dict) -> dict[str, str]:
    return workload["spec"]["template"]["metadata"]["labels"]


def selects(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return selector.items() <= labels.items()


def secret_keys() -> set[str]:
    lines = SECRET_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0] for line in lines if line and not line.startswith("#")}


def spec_variables() -> set[str]:
    """The environment variables the spec's configuration table names."""
    return set(re.findall(r"^\| `([A-Z_]+)` \|", SPEC_PATH.read_text(encoding="utf-8"), flags=re.MULTILINE))


def mounted_volumes(workload: dict) -> dict[str, dict]:
    """Each mount path of the container, with the volume mounted there."""
    volumes = {volume["name"]: volume for volume in pod_spec(workload).get("volumes", [])}
    return {mount["mountPath"]: volumes[mount["name"]] for mount in Overlay.container(workload).get("volumeMounts", [])}


# --- the schemas ----------------------------------------------------------------------------


def test_every_variant_has_an_overlay() -> None:
    assert OVERLAYS, "no */variant.toml found"
    found = sorted(path.name for path in k8s_manifests.OVERLAYS_ROOT.iterdir() if path.is_dir())
    assert found == sorted(each.variant.name for each in OVERLAYS), "an overlay without a variant, or the reverse"


def test_objects_validate_against_the_pinned_schemas(overlay: Overlay) -> None:
    assert k8s_manifests.schema_errors(overlay.objects) == []


def test_the_schema_check_rejects_what_a_cluster_would(overlay: Overlay) -> None:
    """A misspelt field, a wrong type, and a ServiceMonitor interval Prometheus cannot parse all fail."""
    misspelt, wrong_type, bad_monitor = (copy.deepcopy(overlay.deployment) for _ in range(3))
    Overlay.container(misspelt)["readinesProbe"] = Overlay.container(misspelt).pop("readinessProbe")
    wrong_type["spec"]["replicas"] = "two"
    bad_monitor = copy.deepcopy(overlay.one("ServiceMonitor"))
    bad_monitor["spec"]["endpoints"][0]["interval"] = "fifteen seconds"
    errors = k8s_manifests.schema_errors([misspelt, wrong_type, bad_monitor])
    assert len(errors) == 3, errors


def test_no_two_overlays_share_names_or_select_each_other() -> None:
    names = [(each["kind"], each["metadata"]["name"]) for overlay in OVERLAYS for each in overlay.objects]
    assert len(names) == len(set(names)), "two variants would overwrite each other's objects in one namespace"
    for one in OVERLAYS:
        for other in OVERLAYS:
            if one is not other:
                selector = one.one("Service")["spec"]["selector"]
                assert not selects(selector, pod_labels(other.deployment)), (
                    f"{one.variant.name} selects {other.variant.name}"
                )


# --- the workloads against variant.toml and the image -----------------------------------------


def test_server_runs_the_image_compose_builds_with_its_own_serve_command(overlay: Overlay) -> None:
    """No command or args: the image's CMD runs variant.toml's serve (tools/test_deployment.py proves it)."""
    container, compose_service = Overlay.container(overlay.deployment), DEPLOYMENTS[overlay.variant.name].server
    assert container["image"].rpartition(":")[0] == compose_service["image"], "kustomize's image is not compose's"
    assert "command" not in container and "args" not in container


def test_migrate_job_runs_the_migrate_declaration_in_the_server_image(overlay: Overlay) -> None:
    job, server = Overlay.container(overlay.job), Overlay.container(overlay.deployment)
    assert job["command"] == list(overlay.variant.migrate) and "args" not in job
    assert job["image"] == server["image"]
    assert job["envFrom"] == server["envFrom"], "the migration must prepare the server's database"
    assert pod_spec(overlay.job)["restartPolicy"] == "Never"


def test_two_replicas_on_the_variant_port(overlay: Overlay) -> None:
    deployment_spec, port = overlay.deployment["spec"], overlay.variant.port
    assert deployment_spec["replicas"] == 2
    assert Overlay.container(overlay.deployment)["ports"] == [{"name": "http", "containerPort": port}]
    environment = overlay.environment(overlay.deployment, {}, "10.0.0.1")
    assert environment["PORT"] == str(port) and environment["HOST"] == "0.0.0.0"
    annotations = overlay.deployment["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {
        "prometheus.io/scrape": "true",
        "prometheus.io/path": "/metrics",
        "prometheus.io/port": str(port),
    }


def test_probes_are_the_spec_health_routes(overlay: Overlay) -> None:
    container = Overlay.container(overlay.deployment)
    paths = {probe: container[probe]["httpGet"] for probe in ("startupProbe", "livenessProbe", "readinessProbe")}
    assert paths == {
        "startupProbe": {"path": "/health/live", "port": "http"},
        "livenessProbe": {"path": "/health/live", "port": "http"},
        "readinessProbe": {"path": "/health/ready", "port": "http"},
    }


def test_shutdown_fits_the_spec_drain(overlay: Overlay) -> None:
    container, spec = Overlay.container(overlay.deployment), pod_spec(overlay.deployment)
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep", "the preStop hook is a pause while the endpoints are removed"
    pause = int(command[1])
    assert 0 < pause < SPEC_DRAIN_SECONDS
    assert spec["terminationGracePeriodSeconds"] > pause + SPEC_DRAIN_SECONDS, "the kubelet would SIGKILL mid-drain"


def test_containers_are_unprivileged_on_a_read_only_root(overlay: Overlay) -> None:
    dockerfile = DEPLOYMENTS[overlay.variant.name].image.dockerfile_path.read_text(encoding="utf-8")
    image_uid = int(re.search(r"useradd [^\n]*--uid (\d+)", dockerfile)[1])
    for workload in (overlay.deployment, overlay.job):
        spec, container = pod_spec(workload), Overlay.container(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] == image_uid, "the image's user, by number"
        assert spec["automountServiceAccountToken"] is False
        assert container["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        resources = container["resources"]
        assert {"cpu", "memory"} <= resources["requests"].keys() and {"cpu", "memory"} <= resources["limits"].keys()


def test_every_folder_the_image_writes_to_is_a_volume(overlay: Overlay) -> None:
    """The image's WRITABLE_FOLDERS (compose's build args) and /tmp, each a volume on the read-only root."""
    image = DEPLOYMENTS[overlay.variant.name].image
    workdir = image.final("WORKDIR")[-1][0].rstrip("/")
    writable = {f"{workdir}/{folder}" for folder in image.parser.args["WRITABLE_FOLDERS"].split()} | {"/tmp"}
    for workload in (overlay.deployment, overlay.job):
        mounted = mounted_volumes(workload)
        assert writable <= mounted.keys(), f"{workload['kind']} lacks {sorted(writable - mounted.keys())}"
    # A server replica keeps nothing: every volume of its Pod is an emptyDir.
    assert all("emptyDir" in volume for volume in mounted_volumes(overlay.deployment).values())
    for volume in pod_spec(overlay.job).get("volumes", []):
        if claim := volume.get("persistentVolumeClaim"):
            assert overlay.named("PersistentVolumeClaim", claim["claimName"]), f"no claim {claim['claimName']}"


# --- the environment ------------------------------------------------------------------------


def test_environment_names_are_compose_and_the_spec_ones(overlay: Overlay) -> None:
    """Every variable compose gives the server, and only the spec's (or compose's, or the Downward API's)."""
    environment = overlay.environment(overlay.deployment, dict.fromkeys(secret_keys(), "x"), "10.0.0.1")
    compose_names = set(DEPLOYMENTS[overlay.variant.name].server["environment"])
    assert compose_names <= environment.keys()
    downward = {each["name"] for each in Overlay.container(overlay.deployment).get("env", []) if "valueFrom" in each}
    assert environment.keys() <= spec_variables() | compose_names | downward


def test_secrets_are_referenced_never_contained(overlay: Overlay) -> None:
    assert overlay.of_kind("Secret") == []
    secret_sources = [
        each["secretRef"]["name"] for each in Overlay.container(overlay.deployment)["envFrom"] if "secretRef" in each
    ]
    assert secret_sources == [f"tasktracker-{overlay.variant.name}"]
    config = overlay.environment(overlay.deployment, {}, "10.0.0.1")
    assert not secret_keys() & config.keys(), "a secret in the ConfigMap"
    assert secret_keys() == {"DATABASE_URL", "SECRET_KEY"}


def test_the_real_secret_file_is_git_ignored() -> None:
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "deploy/k8s/secret.env"], cwd=deployment.REPO_ROOT, capture_output=True
    )
    assert ignored.returncode == 0, "deploy/k8s/secret.env would be committed"


def test_django_allows_the_host_names_the_cluster_sends() -> None:
    """The probes and Prometheus ask for the Pod's address, the Ingress for its host name."""
    overlay = next(each for each in OVERLAYS if each.variant.name == "django")
    allowed = overlay.environment(overlay.deployment, {}, "10.1.2.3")["DJANGO_ALLOWED_HOSTS"].split(",")
    assert "10.1.2.3" in allowed
    assert overlay.one("Ingress")["spec"]["rules"][0]["host"] in allowed


# --- the objects around the replicas ---------------------------------------------------------


def test_service_ingress_and_monitor_reach_the_server_pods_only(overlay: Overlay) -> None:
    service, labels = overlay.one("Service"), pod_labels(overlay.deployment)
    assert selects(service["spec"]["selector"], labels)
    assert not selects(service["spec"]["selector"], pod_labels(overlay.job)), "the Service would route to the Job"
    assert service["spec"]["ports"] == [{"name": "http", "port": 80, "targetPort": "http"}]
    backend = overlay.one("Ingress")["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": service["metadata"]["name"], "port": {"name": "http"}}
    monitor = overlay.one("ServiceMonitor")["spec"]
    assert selects(monitor["selector"]["matchLabels"], service["metadata"]["labels"])
    assert [endpoint["port"] for endpoint in monitor["endpoints"]] == ["http"]
    assert monitor["endpoints"][0]["path"] == "/metrics"


def test_disruptions_and_autoscaling_keep_two_replicas(overlay: Overlay) -> None:
    labels, name = pod_labels(overlay.deployment), overlay.deployment["metadata"]["name"]
    budget = overlay.one("PodDisruptionBudget")["spec"]
    assert selects(budget["selector"]["matchLabels"], labels) and budget["minAvailable"] == 1
    autoscaler = overlay.one("HorizontalPodAutoscaler")["spec"]
    assert autoscaler["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
    assert autoscaler["minReplicas"] == overlay.deployment["spec"]["replicas"] <= autoscaler["maxReplicas"]
    assert [metric["resource"]["name"] for metric in autoscaler["metrics"]] == ["cpu"]


def test_network_policy_lets_only_the_ingress_and_prometheus_in(overlay: Overlay) -> None:
    policy = overlay.one("NetworkPolicy")["spec"]
    assert selects(policy["podSelector"]["matchLabels"], pod_labels(overlay.deployment))
    assert policy["policyTypes"] == ["Ingress"]
    (rule,) = policy["ingress"]
    peers = {
        (selector["key"], selector["operator"], *selector["values"])
        for peer in rule["from"]
        for selector in peer["podSelector"]["matchExpressions"]
    }
    assert peers == {("app.kubernetes.io/name", "In", "ingress-nginx"), ("app.kubernetes.io/name", "In", "prometheus")}
    # Each from its own namespace, and nothing else: no label added to the peers' selectors.
    assert all(peer.keys() == {"namespaceSelector", "podSelector"} for peer in rule["from"])
    assert all(peer["podSelector"].keys() == {"matchExpressions"} for peer in rule["from"])
    assert rule["ports"] == [{"port": "http", "protocol": "TCP"}]


def test_readme_applies_each_overlay_that_exists() -> None:
    readme = (deployment.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "kubectl apply -k deploy/k8s/overlays/" in readme
    for path in (each.rstrip(".") for each in re.findall(r"deploy/k8s/[\w./<>-]+", readme)):
        if Path(path).name != "secret.env" and "<" not in path:
            assert (deployment.REPO_ROOT / path).exists(), f"the README names {path}"
