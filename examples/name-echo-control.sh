#!/bin/sh
# A control, not a diagnoser: it prints every name it can read about the incident and
# concludes nothing. It looks at no pod status, no event and no log: only the scenario's name
# if it was told (CRASHLAB_SCENARIO, with --tell-scenario), the namespace, and the names,
# labels and annotations of the namespace and of everything in it. On blind incidents (the
# default of `crashlab validate`) it must never see a scenario's name nor be given a
# category; the only key facts it can meet are the incident's own object names (a Service
# called postgres), which are evidence, not a leak.
#
#   crashlab validate --all --diagnose examples/name-echo-control.sh
#
# Needs: kubectl on PATH.
set -u
echo "scenario: ${CRASHLAB_SCENARIO:-}"
echo "namespace: $CRASHLAB_NAMESPACE pod: $CRASHLAB_POD container: $CRASHLAB_CONTAINER"
kubectl get namespace "$CRASHLAB_NAMESPACE" \
  -o go-template='{{.metadata.name}} {{.metadata.labels}} {{.metadata.annotations}}{{"\n"}}' 2>&1
kubectl get all,configmaps,secrets,serviceaccounts -n "$CRASHLAB_NAMESPACE" \
  -o go-template='{{range .items}}{{.kind}} {{.metadata.name}} {{.metadata.labels}} {{.metadata.annotations}}{{"\n"}}{{end}}' 2>&1
