#!/bin/sh
# UNTESTED: this adapter has never met a real k8sgpt (it cannot be installed where crashlab is
# developed: the Go module proxy refuses it). Its jq reads k8sgpt's documented JSON only.
#
# Wires k8sgpt (https://k8sgpt.ai) into `crashlab validate`, without crashlab depending on it:
#
#   crashlab validate --all --timeout 2m --diagnose examples/k8sgpt-adapter.sh
#
# `k8sgpt analyze -o json` prints
#   {"status": "ProblemDetected", "problems": 1,
#    "results": [{"kind": "Pod", "name": "NAMESPACE/POD", "parentObject": "...",
#                 "error": [{"Text": "...", "KubernetesDoc": "", "Sensitive": []}],
#                 "details": "..."}]}
# (`details` holds the AI explanation with --explain). crashlab grades
#   {"category": "<one of the five>", "summary": "<everything the tool said>"}
# so this wrapper keeps the results about our pod, puts every text it has in `summary` (key
# facts are matched there) and maps the texts to a category with k8sgpt's own wording. The
# mapping is the adapter's opinion, not k8sgpt's: k8sgpt reports symptoms, not categories.
#
# Needs: k8sgpt on PATH (plus `k8sgpt auth add` for --explain), jq. Set K8SGPT_FLAGS to add
# flags, e.g. K8SGPT_FLAGS=--explain.
set -eu

# shellcheck disable=SC2086 # K8SGPT_FLAGS is a list of flags.
k8sgpt analyze --namespace "$CRASHLAB_NAMESPACE" --filter Pod --output json ${K8SGPT_FLAGS:-} |
  jq --arg pod "$CRASHLAB_NAMESPACE/$CRASHLAB_POD" '
    [.results[]? | select(.name == $pod)] as $mine
    | ([$mine[] | (.error[]?.Text), .details] | map(select(. != null and . != "")) | join("\n")) as $text
    | {
        category: (
          if   ($text | test("OOMKilled|out of memory|memory limit"; "i")) then "resource-limits"
          elif ($text | test("(liveness|readiness|startup) probe|Unhealthy"; "i")) then "probe-failure"
          elif ($text | test("(secret|configmap)s? \"[^\"]*\" not found|CreateContainerConfigError|not set|config(uration)? file"; "i")) then "missing-config"
          elif ($text | test("connection refused|no endpoints|could not connect|unreachable"; "i")) then "dependency-down"
          elif ($text | length) > 0 then "code-bug"
          else null end),
        summary: $text
      }'
