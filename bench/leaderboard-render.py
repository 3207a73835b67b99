#!/usr/bin/env python3
"""Renders docs/leaderboard.md from what bench/leaderboard saved (python3 stdlib only).

    python3 bench/leaderboard-render.py [--out target/leaderboard] [--md docs/leaderboard.md]

Reads, for each tool, OUT/TOOL.json (`crashlab validate --all --moments all --repeat N -o json`),
OUT/TOOL.told.json (`--tell-scenario --moment crashloop`) and OUT/TOOL.meta.json (versions,
commands, wall times, the cluster). Deterministic: the same files give the same markdown (no
clock, no cluster, no network; every ordering is explicit).
"""

import argparse
import json
import os
import re
import sys
from collections import Counter

# The order of bench/leaderboard; any other TOOL.json found is appended in name order.
KNOWN = [
    "crashlab-diagnose",
    "k8s-sre-agent",
    "triagekit-mcp-k8s-triage",
    "k8s-debug-tool",
    "kube-debugger",
    "relcheck",
    "kubediag",
    "name-echo-control",
]
ROLE = {"crashlab-diagnose": "baseline", "name-echo-control": "control"}
MOMENTS = ["evidence", "running", "crashloop", "settled"]
CATEGORIES = ["missing-config", "resource-limits", "probe-failure", "dependency-down", "code-bug", "image-problem"]


def pct(x):
    return "-" if x is None else f"{round(x * 100):d} %"


def mean(xs):
    xs = [x for x in xs if x is not None]
    return sum(xs) / len(xs) if xs else None


def load(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def md_escape(s):
    return str(s).replace("|", "\\|").replace("\n", " ")


FALLBACK = re.compile(r"^crashlab: (\S+): (\w+) moment \((.*)\); running the tool")


def fallbacks(path):
    """From a validate log (stderr): {(scenario, asked moment): (actual moment, why)} for every
    call that did not run at the moment asked. The JSON has the asked moment per run only."""
    found = {}
    if not os.path.exists(path):
        return found
    with open(path) as f:
        for line in f:
            m = FALLBACK.match(line.rstrip("\n"))
            if not m:
                continue
            name, actual, note = m.groups()
            asked = re.search(r"instead of (\w+)|before (\w+) came", note)
            asked = (asked.group(1) or asked.group(2)) if asked else ("crashloop" if "CrashLoopBackOff" in note else "?")
            if actual == "settled":
                why = "watch-ended"  # the watch ended before the moment came (or came back)
            elif "contract has no CrashLoopBackOff" in note:
                why = "no-crashloop-contract"
            elif "never restarts" in note:
                why = "never-restarts"
            else:
                why = "other"
            found[(name, asked)] = (actual, why)
    return found


def tools_in(out):
    found = sorted(f[: -len(".json")] for f in os.listdir(out)
                   if f.endswith(".json") and not f.endswith(".told.json") and not f.endswith(".meta.json"))
    return [t for t in KNOWN if t in found] + [t for t in found if t not in KNOWN]


class Tool:
    def __init__(self, out, name):
        self.name = name
        self.doc = load(os.path.join(out, name + ".json"))
        self.told = load(os.path.join(out, name + ".told.json"))
        self.meta = load(os.path.join(out, name + ".meta.json")) or {}
        self.scenarios = self.doc["scenarios"]
        self.summary = self.doc["summary"]
        self.graded = [s for s in self.scenarios if s.get("score") is not None]
        self.fell_back = fallbacks(os.path.join(out, name + ".log"))

    @property
    def label(self):
        role = ROLE.get(self.name)
        return f"{self.name} ({role})" if role else self.name

    @property
    def repeat(self):
        return self.summary.get("repeat", 1)

    def cells(self):
        """(scenario, moment) cells with their repeats, for pass@k and pass^k."""
        for s in self.scenarios:
            for m in s.get("moments") or []:
                if m.get("repeats"):
                    yield s["name"], m["moment"], m["repeats"]

    def pass_at(self):
        return mean([r["pass_at_n"] for _, _, r in self.cells()])

    def pass_all(self):
        return mean([r["pass_all_n"] for _, _, r in self.cells()])

    def right_everywhere(self):
        return mean([1.0 if s.get("passed") else 0.0 for s in self.graded])

    def moment(self, m):
        return (self.summary.get("moments") or {}).get(m)

    def category(self, c):
        return mean([s["score"] for s in self.graded if s["expected_category"] == c])

    def calls(self, doc):
        xs = []
        for s in doc["scenarios"]:
            runs = s.get("runs") or ([{"tool_elapsed_s": s["tool"].get("elapsed_s")}] if s.get("tool") else [])
            xs += [r["tool_elapsed_s"] for r in runs if r.get("tool_elapsed_s") is not None]
        return xs

    def actual(self, name, asked):
        """The moment the blind calls asked for `asked` were made at (from the log)."""
        return self.fell_back.get((name, asked), (asked, None))[0]

    def moment_score(self, s, m):
        for x in s.get("moments") or []:
            if x["moment"] == m and x.get("repeats"):
                return x["repeats"]["score_mean"]
        return None


def render(out):
    names = tools_in(out)
    if not names:
        sys.exit(f"leaderboard-render: no TOOL.json under {out}/")
    tools = [Tool(out, n) for n in names]
    ranked = sorted(tools, key=lambda t: (-(t.summary.get("overall_score") or 0), t.name))
    metas = [t.meta for t in tools if t.meta]
    L = []
    w = L.append

    # --- header -----------------------------------------------------------------------------
    dates = sorted({(m.get("main") or m.get("told") or {}).get("started", "")[:10] for m in metas} - {""})
    commits = sorted({m.get("crashlab_commit") for m in metas if m.get("crashlab_commit")})
    binaries = sorted({m.get("crashlab_version") for m in metas if m.get("crashlab_version")})
    servers = sorted({m.get("server_version") for m in metas if m.get("server_version")})
    contexts = sorted({m.get("context") for m in metas if m.get("context")})
    nodes = sorted({m.get("nodes") for m in metas if m.get("nodes")})
    dirty = sorted({m.get("worktree_changes", 0) for m in metas})
    parallel = sorted({m.get("parallel") for m in metas if m.get("parallel")})
    timeouts = sorted({m.get("timeout") for m in metas if m.get("timeout")})
    cores = sorted({str(m.get("cores")) for m in metas if m.get("cores")})
    n_scen = max(t.summary["scenarios"] for t in tools)

    w("# Leaderboard: public crash-loop diagnosers on live incidents")
    w("")
    w("Generated by `bench/leaderboard` (rendered by `bench/leaderboard-render.py` from the JSON under "
      "`target/leaderboard/`). **The numbers are for the tools' deterministic modes** (rule-based, no LLM "
      "behind any of them), **graded by crashlab's own rules** (`crashlab validate`: 0.5 for the right "
      "category + 0.5 × the share of key facts named − 0.25 per wrong advice, clamped to 0..1; no model, "
      "no judge). A tool's own labels are mapped to crashlab's categories only where the tool prints them "
      "in JSON (see *How it was run*); the other tools are read as text.")
    w("")
    w(f"- date (UTC): {', '.join(dates) or '-'}")
    if len(commits) > 1:  # the repository moved between tools: say which ran at which commit
        c = "; ".join(f"`{x}` ({', '.join(t.name for t in tools if t.meta.get('crashlab_commit') == x)})"
                      for x in commits)
    else:
        c = ", ".join(f"`{x}`" for x in commits) or "-"
    note = ""
    if any(d for d in dirty):
        note = f" (work tree with {', '.join(str(d) for d in dirty if d)} changed tracked files)"
    w(f"- crashlab: commit {c}{note}; binary `{'`, `'.join(binaries) or '-'}`")
    w(f"- cluster: context `{', '.join(contexts) or '-'}`, server {', '.join(servers) or '-'}; "
      f"node {'; '.join(nodes) or '-'}")
    w(f"- host: {', '.join(cores) or '?'} cores; `--parallel {', '.join(map(str, parallel)) or '?'}`, "
      f"`--timeout {', '.join(timeouts) or '?'}`, tools run one after another")
    w(f"- catalogue: {n_scen} built-in scenarios, blind incidents (random namespace, no scenario name "
      "anywhere the tool can read), each tool run at four moments of the same incident")
    w("")
    w("| tool | pinned version |")
    w("|---|---|")
    for t in tools:
        w(f"| {t.label} | {md_escape(t.meta.get('version', '-'))} |")
    w("")

    # --- main table ---------------------------------------------------------------------------
    reduced = [t for t in tools if t.repeat != 3]
    w("## Scores")
    w("")
    head = (["tool", "overall", "pass@3", "pass^3", "all runs right"] + MOMENTS
            + [f"{c} ({sum(1 for s in tools[0].scenarios if s['expected_category'] == c)})" for c in CATEGORIES])
    w("| " + " | ".join(head) + " |")
    w("|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|")
    for t in ranked:
        star = f" (k={t.repeat})" if t.repeat != 3 else ""
        row = [f"**{t.label}**" if t.name in ROLE else t.label,
               pct(t.summary.get("overall_score")) + ("" if t.summary["scored"] == t.summary["scenarios"]
                                                       else f" ({t.summary['scored']}/{t.summary['scenarios']})"),
               pct(t.pass_at()) + star, pct(t.pass_all()) + star, pct(t.right_everywhere())]
        row += [pct(t.moment(m)) for m in MOMENTS]
        row += [pct(t.category(c)) for c in CATEGORIES]
        w("| " + " | ".join(row) + " |")
    w("")
    w("- **overall**: mean over the graded scenarios of each scenario's mean score over all its runs "
      "(4 moments × k runs; `summary.overall_score`). Scenarios whose fixture did not reproduce are not "
      "graded and never count against a tool (the count is shown when any).")
    w("- **pass@3 / pass^3**: per scenario and moment, whether at least one / every one of the k = 3 runs "
      "was *right* (score 100 %: right category, every key fact, no wrong advice), averaged over "
      "scenario × moment. For a deterministic tool a difference between the two means the incident "
      "changed under it between calls, not that the tool is random.")
    w("- **all runs right**: share of scenarios right on every run at every moment (`passed`: pass^(4k)).")
    w("- **evidence / running / crashloop / settled**: mean score at that moment (`summary.moments`). "
      "*evidence*: as soon as every signal the scenario promises is visible; *running*: right after the "
      "next restart; *crashloop*: waiting in CrashLoopBackOff with the next restart at least 10 s away "
      "(crashlab's default moment); *settled*: after the observe window. A moment that does not apply "
      "(crashloop on a scenario that never crash-loops) runs at evidence.")
    w("- **per category**: mean score over the scenarios of that expected category (count in the header).")
    if reduced:
        w("- **k < 3**: " + ", ".join(t.name for t in reduced) + f" ran {', '.join(sorted({str(t.repeat) for t in reduced}))} "
          "time(s) per moment instead of 3 (`--repeat-for`), to fit the time budget; their pass@k and pass^k are "
          "over those k runs.")
    w("")

    # --- per moment, by scenario: where the moment changes the score -------------------------------
    w("### Where the moment changes the score")
    w("")
    w("Scenarios whose mean score differs between moments (per tool; evidence / running / crashloop / settled):")
    w("")
    any_diff = False
    for t in ranked:
        rows = []
        for s in t.graded:
            xs = [t.moment_score(s, m) for m in MOMENTS]
            if len({x for x in xs if x is not None}) > 1:
                rows.append(f"{s['name']} " + " / ".join(pct(x) for x in xs))
        if rows:
            any_diff = True
            w(f"- {t.label}: " + "; ".join(rows))
    if not any_diff:
        w("- none")
    w("")

    # --- moments that did not come as asked ---------------------------------------------------
    w("### Moments that did not come as asked")
    w("")
    w("`runs[].moment` in the JSON is the moment *asked*; when it does not apply or does not come, "
      "crashlab runs the tool at another one and says so only in its log (`TOOL.log`, read here) and, "
      "for the first run, in `saw.note`. Scenarios (of the catalogue) per tool and reason:")
    w("")
    w("| tool | crashloop → evidence: contract has no CrashLoopBackOff | running → evidence: target never restarts | → settled: the observe window ended first |")
    w("|---|--:|--:|---|")
    for t in ranked:
        by = {}
        for (name, asked), (actual, why) in sorted(t.fell_back.items()):
            by.setdefault(why, []).append((name, asked))
        late = by.get("watch-ended", [])
        w(f"| {t.label} | {len(by.get('no-crashloop-contract', []))} | {len(by.get('never-restarts', []))} | "
          + (f"{len(late)}: " + ", ".join(f"{n} ({a})" for n, a in late) if late else "0") + " |")
    contract = sorted({n for t in tools for (n, a), (_, why) in t.fell_back.items() if why == "no-crashloop-contract"})
    if contract:
        w("")
        w("Contract has no CrashLoopBackOff (the crashloop column holds a call made right after the running "
          "moment's calls for these): " + ", ".join(contract) + ".")
    w("")

    # --- blind vs told ------------------------------------------------------------------------
    w("## Blind vs told")
    w("")
    w("The main runs are blind: the namespace is `crashlab-` and random characters and nothing the tool "
      "can read names the scenario. One extra run per tool with `--tell-scenario --moment crashloop` "
      "(readable namespace `crashlab-<scenario>-xxxxx`, `CRASHLAB_SCENARIO` set, one run per scenario) "
      "shows what that changes. The told run asks for crashloop, but on the scenarios of the table above "
      "it runs at evidence (or, when the window closes first, settled), while the blind *crashloop* "
      "column holds calls made later in the incident: the fair comparison is the blind score at the "
      "moment the told run actually ran (`saw.moment` of the told JSON), on a different incident "
      "(reproduced afresh) of the same scenario.")
    w("")
    w("| tool | blind, all moments | blind, crashloop | told, crashloop | same moment: blind → told (scenarios) | told − blind (same moment) | scenarios that differ (blind → told, same moment) |")
    w("|---|--:|--:|--:|--:|--:|---|")
    for t in ranked:
        if not t.told:
            w(f"| {t.label} | {pct(t.summary.get('overall_score'))} | {pct(t.moment('crashloop'))} | - | - | - | not run |")
            continue
        told = t.told["summary"].get("overall_score")
        blind = t.moment("crashloop")
        by_told = {s["name"]: s for s in t.told["scenarios"] if s.get("score") is not None}
        diffs, same, skipped = [], [], []
        for s in t.graded:
            x = by_told.get(s["name"])
            if x is None:
                continue
            at = (x.get("saw") or {}).get("moment", "crashloop")
            # The blind calls made at that moment: asked for it and not moved, else moved to it.
            asked = [m for m in MOMENTS if t.actual(s["name"], m) == at]
            asked.sort(key=lambda m: m != at)
            b = t.moment_score(s, asked[0]) if asked else None
            if b is None:
                skipped.append(f"{s['name']} ({at})")
                continue
            same.append((b, x["score"]))
            if abs(b - x["score"]) > 1e-9:
                diffs.append(f"{s['name']} ({at}) {pct(b)}→{pct(x['score'])}")
        b_same = mean([b for b, _ in same])
        t_same = mean([x for _, x in same])
        delta = "-" if b_same is None else f"{round((t_same - b_same) * 100):+d} pts"
        rest = f" (no blind call at the same moment: {', '.join(skipped)})" if skipped else ""
        w(f"| {t.label} | {pct(t.summary.get('overall_score'))} | {pct(blind)} | {pct(told)} | {pct(b_same)} → {pct(t_same)} ({len(same)}) | "
          f"{delta} | {md_escape('; '.join(diffs) or 'none')}{md_escape(rest)} |")
    w("")

    # --- the control ---------------------------------------------------------------------------
    control = [t for t in tools if ROLE.get(t.name) == "control"]
    if control:
        t = control[0]
        w("## The control")
        w("")
        w("`examples/name-echo-control.sh` prints only names (the scenario's if told, the namespace, the "
          "pod and container it was given, and the names, labels and annotations of the namespace and "
          "of what is in it) and concludes nothing: whatever it scores is credit a name gave away. What "
          "crashlab credited it with (first run of each scenario; the control is deterministic):")
        w("")
        for kind, doc in (("blind", t.doc), ("told", t.told)):
            if not doc:
                continue
            rows = []
            for s in doc["scenarios"]:
                if not s.get("score"):
                    continue
                g = s.get("grade") or {}
                got = [f"{f['name']} ← `{f.get('matched')}`" for f in g.get("key_facts", []) if f.get("found")]
                cat = g.get("category") or {}
                if cat.get("found"):
                    src = cat.get("source") or {}
                    got.insert(0, f"category {cat['found']} ← `{src.get('phrase') or src.get('value')}`")
                rows.append(f"{s['name']} {pct(s['score'])}: " + "; ".join(got))
            w(f"- {kind} ({pct(doc['summary'].get('overall_score'))} overall): "
              + (md_escape(" · ".join(rows)) if rows else "nothing"))
        w("")

    # --- per tool: what it missed -------------------------------------------------------------
    w("## What each tool missed")
    w("")
    grade_moments = sorted({(s.get("saw") or {}).get("moment", "?") for t in tools for s in t.graded})
    w("From the graded answer `crashlab validate -o json` details per scenario: that of the **first run** "
      f"(moment: {', '.join(grade_moments)}); the other runs carry a score only. A fact *only quoted* was "
      "found only in text the tool copied from the cluster (a log line, an event message), not in its "
      "own words.")
    w("")
    for t in ranked:
        missed, wrong, sources = Counter(), Counter(), Counter()
        facts = found = quoted = right = 0
        for s in t.graded:
            g = s.get("grade") or {}
            for f in g.get("key_facts", []):
                facts += 1
                if f.get("found"):
                    found += 1
                    quoted += bool(f.get("quoted"))
                else:
                    missed[f["name"]] += 1
            for f in g.get("wrong_answers", []):
                if f.get("found"):
                    wrong[f["name"]] += 1
            cat = g.get("category") or {}
            right += bool(cat.get("correct"))
            sources[(cat.get("source") or {}).get("from", "none")] += 1
        top = sorted(missed.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        w(f"### {t.label}")
        w("")
        w(f"- category right on {right}/{len(t.graded)} scenarios (read from: "
          + ", ".join(f"{k} {v}" for k, v in sorted(sources.items())) + ")")
        w(f"- key facts named {found}/{facts}; **only quoted, not concluded: {quoted}**")
        w("- missed most: " + ("; ".join(f"{md_escape(k)} ×{v}" for k, v in top) if top else "nothing"))
        w("- wrong advice given: " + ("; ".join(f"{md_escape(k)} ×{v}" for k, v in
                                              sorted(wrong.items(), key=lambda kv: (-kv[1], kv[0]))) or "none"))
        nr = [s["name"] for s in t.scenarios if s.get("score") is None]
        if nr:
            w(f"- not graded (fixture did not reproduce or not run): {', '.join(nr)}")
        w("")

    # --- timings ------------------------------------------------------------------------------
    w("## Wall time")
    w("")
    w("| tool | main run (moments × k) | told run | tool calls | mean call |")
    w("|---|--:|--:|--:|--:|")
    total = 0
    for t in tools:
        mm, tm = t.meta.get("main") or {}, t.meta.get("told") or {}
        calls = t.calls(t.doc)
        total += (mm.get("wall_s") or 0) + (tm.get("wall_s") or 0)
        fmt = lambda s: "-" if s is None else f"{s // 60}m{s % 60:02d}s"
        w(f"| {t.label} | {fmt(mm.get('wall_s'))} | {fmt(tm.get('wall_s'))} | {len(calls)} | "
          f"{(sum(calls) / len(calls)) if calls else 0:.2f} s |")
    w(f"| total | | | | {total // 60}m{total % 60:02d}s |")
    w("")

    # --- how it was run -----------------------------------------------------------------------
    w("## How it was run")
    w("")
    w("```sh")
    w("CRASHLAB=/path/to/crashlab bench/leaderboard            # installs the tools, runs everything, renders")
    w("bench/leaderboard --render-only                         # re-renders this file from target/leaderboard/")
    w("```")
    w("")
    w("The exact commands, from the repository root (each tool's stdout per call is under "
      "`target/leaderboard/TOOL/` and `target/leaderboard/told/TOOL/`):")
    w("")
    w("```sh")
    for t in tools:
        for kind in ("main", "told"):
            cmd = (t.meta.get(kind) or {}).get("command")
            if cmd:
                w(f"{cmd} > target/leaderboard/{t.name}{'.told' if kind == 'told' else ''}.json")
    w("```")
    w("")
    w("Tools with labels of their own in JSON are graded through `--category-field` and `--category-map` "
      "(those of `src/validate/tests.rs`); `crash-loop` / `crash_loop_unknown_cause` name no cause and map "
      "to `none`. relcheck prints a JSON list (not ranked; `POD_LIMITS` and `POD_ROOT` fail everywhere), "
      "which crashlab's default `category` field does not reach, so its category is read from its text. "
      "k8s-debug-tool, kube-debugger and kubediag print text. The control (`examples/name-echo-control.sh`) "
      "prints only names and must score 0 on blind incidents.")
    w("")
    return "\n".join(L)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default="target/leaderboard")
    p.add_argument("--md", default="docs/leaderboard.md")
    a = p.parse_args()
    text = render(a.out)
    os.makedirs(os.path.dirname(a.md) or ".", exist_ok=True)
    with open(a.md, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
