#!/bin/sh
# triagekit-mcp-k8s-triage 0.1.0 (PyPI, https://github.com/Karthick-dev-cart/k8s-triage): an MCP
# server (FastMCP, stdio) whose tool `diagnose_workload` classifies each container of a pod into
# ranked candidate categories, deterministically (no model call inside the tool).
#
#   crashlab validate --all --diagnose examples/adapters/triagekit-mcp-k8s-triage.sh
#
# Starts the server as an MCP client would (`triagekit-mcp-k8s-triage` over stdio, with this
# environment so that it reads $KUBECONFIG), calls
#   diagnose_workload(namespace=$CRASHLAB_NAMESPACE, name=$CRASHLAB_POD, kind="pod")
# and prints the tool's structured result as JSON, unchanged:
#   {"namespace": "NS", "workload": "app", "kind": "pod",
#    "pods": [{"pod": "app", "phase": "Running", "node": "...",
#              "containers": [{"container": "app", "restart_count": 3,
#                              "candidates": [{"category": "crash_loop_unknown_cause",
#                                              "confidence": "low",
#                                              "evidence": "restart_count=3, no specific reason matched"}]}]}]}
# The server's other tools (explain_pod_events, get_pod_logs_since_last_restart, ...) are not
# called: its own runbook calls them only when this diagnosis is inconclusive.
#
# Its labels (`pods[].containers[].candidates[].category`, first = strongest): oom_killed,
# image_pull_error, config_error, probe_failure, scheduling_failure, crash_loop_unknown_cause,
# healthy. Confidence: high, medium, low. Note: oom_killed is read from the *current* state only
# (reason OOMKilled or exit code 137, so a liveness SIGKILL also counts), never from lastState:
# while the container waits in CrashLoopBackOff an OOM loop is crash_loop_unknown_cause.
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -eu
: "${CRASHLAB_NAMESPACE:?}" "${CRASHLAB_POD:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path triagekit-mcp-k8s-triage)
exec "$bin/python" - "$bin/triagekit-mcp-k8s-triage" <<'PY'
import asyncio, json, os, sys

from fastmcp import Client
from fastmcp.client.transports import StdioTransport


async def main() -> None:
    # No banner on stderr, and no look-up of a newer fastmcp on PyPI at every start.
    env = {"FASTMCP_SHOW_SERVER_BANNER": "false", "FASTMCP_CHECK_FOR_UPDATES": "off", **os.environ}
    server = StdioTransport(command=sys.argv[1], args=[], env=env)
    async with Client(server) as client:
        result = await client.call_tool(
            "diagnose_workload",
            {"namespace": os.environ["CRASHLAB_NAMESPACE"], "name": os.environ["CRASHLAB_POD"], "kind": "pod"},
        )
    print(json.dumps(result.structured_content, indent=2))


asyncio.run(main())
PY
