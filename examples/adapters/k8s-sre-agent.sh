#!/bin/sh
# k8s-sre-agent 0.1.0 (PyPI, https://github.com/Sudo-oy/k8s-sre-agent) in its deterministic
# mode: rule-based detectors, no LLM (`--llm none` overrides SRE_AGENT_LLM_PROVIDER).
#
#   crashlab validate --all --diagnose examples/adapters/k8s-sre-agent.sh
#
# Runs `k8s-sre-agent diagnose -n $CRASHLAB_NAMESPACE -o json --llm none` (the tool reads a
# whole namespace; it has no pod filter, only -l SELECTOR) and prints its JSON unchanged:
#   {"version": "0.1.0", "namespace": "...", "summary": {"critical": 1, "warning": 0, "info": 0},
#    "findings": [{"detector": "crash-loop", "severity": "critical", "workload": "Pod/app",
#                  "summary": "Container 'app' is in CrashLoopBackOff",
#                  "probable_cause": "Exit code 1: the application exited with a generic error; ...",
#                  "evidence": [...], "remediation": [...], "resources": ["Pod/app"]}],
#    "analysis": null, "llm": null, "warnings": []}
# or `"findings": []` when no detector fires. Findings are sorted by severity, then workload.
# The tool redacts `secret/token/password...=value` patterns in its output.
#
# Its labels (`findings[].detector`): oom-killed, crash-loop, config-error, image-pull,
# probe-failure, unschedulable, rollout, node. Severities: critical, warning, info.
# Note: crash-loop fires only while the container waits in CrashLoopBackOff; between two
# back-offs (Running, Error) an exit-1 loop yields no finding.
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -eu
: "${CRASHLAB_NAMESPACE:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path k8s-sre-agent)
exec "$bin/k8s-sre-agent" diagnose -n "$CRASHLAB_NAMESPACE" -o json --llm none
