#!/bin/sh
# A STAND-IN for a diagnostic agent that answers differently from run to run, to see what
# `crashlab validate --repeat N` reports for one. It is deliberately flaky, and
# deterministically so: on odd-numbered calls (1st, 3rd, ...) per target container name (tools
# are not told the scenario's name) it gives the
# built-in diagnoser's answer (`crashlab diagnose`, right on every built-in scenario); on
# even-numbered calls it blames memory, as examples/bad-diagnoser.sh does.
#
#   export CRASHLAB_FLAKY_DIR=$(mktemp -d)
#   crashlab validate --diagnose examples/flaky-diagnoser.sh --repeat 3 exit-1
#
# With --repeat 3 on exit-1: right, wrong, right; pass@1 67%, pass@3 100%, pass^3 0%.
# It counts its calls in $CRASHLAB_FLAKY_DIR/<container>.calls (required: a fresh directory
# per validation, so the counting starts at 1).
set -eu
: "${CRASHLAB_FLAKY_DIR:?set CRASHLAB_FLAKY_DIR to a fresh directory for the call counter}"
counter="$CRASHLAB_FLAKY_DIR/$CRASHLAB_CONTAINER.calls"
calls=$(( $(cat "$counter" 2>/dev/null || echo 0) + 1 ))
echo "$calls" > "$counter"
if [ $(( calls % 2 )) -eq 1 ]; then
  exec crashlab diagnose "$CRASHLAB_POD" -n "$CRASHLAB_NAMESPACE" -o json
fi
echo "Pod $CRASHLAB_NAMESPACE/$CRASHLAB_POD keeps restarting: the container is running out of memory."
echo "Fix: increase memory (set limits.memory to 512Mi) and roll it out again."
