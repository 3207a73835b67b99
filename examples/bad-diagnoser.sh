#!/bin/sh
# A deliberately bad diagnoser, to see what `crashlab validate` does with one: whatever the
# pod, it blames memory. It is right (in part) about `oom` only, and gives wrong advice on
# every other scenario.
#
#   crashlab validate --diagnose examples/bad-diagnoser.sh --all
#
# crashlab runs it once per reproduced scenario with CRASHLAB_NAMESPACE, CRASHLAB_POD,
# CRASHLAB_CONTAINER and KUBECONFIG set. Its answer is plain text, so the
# category is read from the words (here "out of memory": resource-limits).
echo "Pod $CRASHLAB_NAMESPACE/$CRASHLAB_POD keeps restarting: the container is running out of memory."
echo "Fix: increase memory (set limits.memory to 512Mi) and roll it out again."
