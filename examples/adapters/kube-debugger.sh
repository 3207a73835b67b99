#!/usr/bin/env bash
# kube-debugger 0.0.5 (PyPI, https://github.com/Ayushmishra05/KubeDebugger, command `debug`):
# rule-based checks of one pod through kubectl; `--explain` (not used) asks an LLM (Groq).
# Needs Python >= 3.12 (bench/leaderboard-tools picks one) and kubectl on PATH.
#
#   crashlab validate --all --diagnose examples/adapters/kube-debugger.sh
#
# Runs `debug pod $CRASHLAB_POD -n $CRASHLAB_NAMESPACE` and prints its text with the ANSI
# colours stripped, e.g.
#   1. The Issue is related to CrashLoopBackOff (A very common issue in K8S)
#   2. Let's Diagnose
#   Got it, This is something related to your application
#   Seems like your application has crashed due to some mismatch in logic or syntactical error, ...
#   📌 Suggestion
#   1. Check Exceptions, logical Errors or any Syntactical Errors inside your application
# and nothing at all when no rule matches. It has no labels; its fixed verdicts, by the last
# exit code (lastState) or the waiting reason: 1 "something related to your application",
# 2 "Some Shell script inside your application might have failed", 126/127 "something related
# to the command which you have used", 137 "your pod didn't have sufficient memory",
# CreateContainerConfigError "Something Related to CONFIGURATION based issues" with
# 'Secret "X" doesn't exist' / 'Configmap "X" doesn't exist' (it then lists Secrets or
# ConfigMaps of all namespaces through kubectl, names only). Any other exit code (143 from a
# liveness kill, 139, ...) gets no verdict: only the two CrashLoopBackOff lines, or nothing.
#
# Refused here: a pod waiting in ImagePullBackOff or ErrImagePull, for which the tool pings
# 8.8.8.8 and fetches google.com and hub.docker.com (ErrImageNeverPull is not among them).
#
# The tool is installed by bench/leaderboard-tools; CRASHLAB_TOOL_BIN=DIR uses another install.
set -euo pipefail
: "${CRASHLAB_NAMESPACE:?}" "${CRASHLAB_POD:?}"
bin=${CRASHLAB_TOOL_BIN:-}
[ -n "$bin" ] || bin=$("$(dirname "$0")/../../bench/leaderboard-tools" --print-path kube-debugger)
waiting=$(kubectl get pod "$CRASHLAB_POD" -n "$CRASHLAB_NAMESPACE" \
  -o jsonpath='{.status.containerStatuses[*].state.waiting.reason}')
case " $waiting " in
  *" ImagePullBackOff "* | *" ErrImagePull "*)
    echo "kube-debugger.sh: not run on $waiting (the tool would reach the internet)" >&2
    exit 3 ;;
esac
"$bin/debug" pod "$CRASHLAB_POD" -n "$CRASHLAB_NAMESPACE" | sed 's/\x1b\[[0-9;]*m//g'
