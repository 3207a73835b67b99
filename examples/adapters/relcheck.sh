#!/bin/sh
# relcheck 0.1.3 (PyPI): rule-based checks of Kubernetes resources. No LLM.
#
#   crashlab validate --all --diagnose examples/adapters/relcheck.sh
#
# Runs `relcheck $CRASHLAB_NAMESPACE --deep --format json`: the namespace and, with --deep, its
# pods, Services, ConfigMaps, Secrets, PVCs and workloads. Not `relcheck $CRASHLAB_POD`: the
# tool looks a bare name up in the kubeconfig's current namespace only, and its pod mode builds
# the pod without `status`, so no runtime check (crash loop, OOMKilled, ...) can fail there.
# Prints its JSON unchanged: a list of the checks that failed,
#   [{"resource_kind": "Pod", "resource_name": "app", "namespace": "NS",
#     "check_id": "POD_CRASHLOOP", "check_title": "Pod is CrashLoopBackOff",
#     "category": "fault", "passed": false, "details": "CrashLoopBackOff detected",
#     "description": "...", "probable_cause": "...", "solution": "", "extra": {}}, ...]
# in check order (not ranked), or `[]`. Progress ("🔍 Checking Namespace ...") goes to stderr.
#
# Its labels: `check_id` (POD_CRASHLOOP, POD_OOMKILLED, POD_LIVENESS, POD_READINESS,
# POD_IMAGEPULL, POD_PENDING, POD_INIT_FAILED, POD_LIMITS, POD_ROOT, POD_CPU_THROTTLE,
# SVC_SELECTOR, SVC_PORT_MISMATCH, NP_BASELINE, NP_DB_BLOCK, ING_TLS, ING_DRIFT, ING_SVC_TYPE,
# DNS_COREDNS_CRASH, DEP_REPLICAS, DEP_ROLLOUT_STUCK, STS_PVC, DS_TOLERATIONS, UNEVENT_SCHED,
# CM_SIZE, SECRET_TYPE, PVC_SC, PVC_PENDING, HPA_NO_METRICS) and `category`, which is only
# `fault` or `misconfig` (not a cause: crashlab's default --category-field `category` does
# not reach it, the document being a list).
# Seen on a live cluster: its pod checks look for camelCase keys (lastState, restartCount) in the
# snake_case dicts of the Kubernetes client, so POD_OOMKILLED fires only while the container's
# *current* state is OOMKilled and POD_LIVENESS never fires; POD_LIMITS (any container without
# both cpu and memory limits) and POD_ROOT fail on every crashlab scenario.
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -eu
: "${CRASHLAB_NAMESPACE:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path relcheck)
exec "$bin/relcheck" "$CRASHLAB_NAMESPACE" --deep --format json
