#!/bin/sh
# A STAND-IN for a diagnostic agent that answers differently from run to run, to see what
# `crashlab validate --repeat N` reports for one. It is deliberately flaky, and
# deterministically so: on odd-numbered runs (1st, 3rd, ...; crashlab numbers them in
# CRASHLAB_RUN with --repeat) it gives the built-in diagnoser's answer (`crashlab diagnose`,
# right on every built-in scenario); on even-numbered runs it blames memory, as
# examples/bad-diagnoser.sh does. Without CRASHLAB_RUN it counts its own calls instead.
#
#   export CRASHLAB_FLAKY_DIR=$(mktemp -d)
#   crashlab validate --diagnose examples/flaky-diagnoser.sh --repeat 3 exit-1
#
# With --repeat 3 on exit-1: right, wrong, right; pass@1 67%, pass@3 100%, pass^3 0%.
# It writes one line per call to $CRASHLAB_FLAKY_DIR/<container>.calls (required: a fresh
# directory per validation). Lines are appended, so calls side by side (`--fresh`, whose
# incidents may run at once) each count.
set -eu
: "${CRASHLAB_FLAKY_DIR:?set CRASHLAB_FLAKY_DIR to a fresh directory for the call counter}"
counter="$CRASHLAB_FLAKY_DIR/$CRASHLAB_CONTAINER.calls"
echo "run ${CRASHLAB_RUN:-?}" >> "$counter"
run=${CRASHLAB_RUN:-$(wc -l < "$counter")}
if [ $(( run % 2 )) -eq 1 ]; then
  exec crashlab diagnose "$CRASHLAB_POD" -n "$CRASHLAB_NAMESPACE" -o json
fi
echo "Pod $CRASHLAB_NAMESPACE/$CRASHLAB_POD keeps restarting: the container is running out of memory."
echo "Fix: increase memory (set limits.memory to 512Mi) and roll it out again."
