// Validates the custom resources on stdin (a JSON array of objects) against the Prometheus
// Operator's CRD schemas, as published in @kubernetes-models/prometheus-operator. Prints one JSON
// array: for each object, its list of errors (empty when it is valid). Run by tools/k8s_manifests.py.
import { readFileSync } from "node:fs";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const KINDS = { "monitoring.coreos.com/v1/ServiceMonitor": ServiceMonitor };
const objects = JSON.parse(readFileSync(0, "utf8"));
const results = objects.map((object) => {
  const model = KINDS[`${object.apiVersion}/${object.kind}`];
  if (!model) return [`no schema here for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return [String(error.message ?? error)];
  }
});
process.stdout.write(JSON.stringify(results));
