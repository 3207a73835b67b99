#!/bin/sh
# k8s-debug-tool 0.2.1 (PyPI, command `k8s-debug`): lists the pods of a namespace and, for each
# unhealthy one, its exact issues, a describe-like summary, its last 15 events and its log tail
# (the previous instance's when the container waits in CrashLoopBackOff). No LLM, no labels.
#
#   crashlab validate --all --diagnose examples/adapters/k8s-debug-tool.sh
#
# Runs `k8s-debug --namespace $CRASHLAB_NAMESPACE` (the tool has no pod filter) and prints its
# text unchanged:
#   === Pods in namespace: NS ===
#   app  Running
#
#   === Pods with issues in NS ===
#   ============================================================
#   Pod: app
#   ============================================================
#     Exact issue(s):
#       • container 'app' waiting: CrashLoopBackOff — back-off 10s restarting failed container=...
#     --- Describe (summary) ---      (phase, conditions, per container ready/restarts/state)
#     --- Recent events ---           ([time] Warning kubelet BackOff: Back-off restarting ...)
#     --- Logs (tail) ---             (the container's log lines)
# or "(none detected)". It reports raw facts (reasons, exit codes, messages, logs), no cause of
# its own: it has no category-like labels. It shows only the *current* state's termination
# (`terminated (exit 1): Error`), not lastState.
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -eu
: "${CRASHLAB_NAMESPACE:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path k8s-debug-tool)
exec "$bin/k8s-debug" --namespace "$CRASHLAB_NAMESPACE"
