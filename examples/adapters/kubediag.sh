#!/usr/bin/env bash
# kubediag 0.0.2 (PyPI, "Kubernetes Diagnostic Tool built by AWS Premium Support"): in this
# version the whole tool prints every pod of the cluster with its IP; it takes no options and
# diagnoses nothing. No LLM, no labels. Kept as a floor for the leaderboard.
#
#   crashlab validate --all --diagnose examples/adapters/kubediag.sh
#
# Runs `kubediag`, strips its ANSI colours and keeps its header and the lines of
# $CRASHLAB_NAMESPACE (other namespaces may be other incidents, whose names would leak their
# scenario), prints:
#   Listing pods with their IPs:
#   10.244.0.12	NS	app
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -euo pipefail
: "${CRASHLAB_NAMESPACE:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path kubediag)
"$bin/kubediag" | sed 's/\x1b\[[0-9;]*m//g' |
  awk -F'\t' -v ns="$CRASHLAB_NAMESPACE" 'NR == 1 || $2 == ns'
