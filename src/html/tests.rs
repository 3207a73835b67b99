//! The HTML report, pinned by snapshots of reports rendered from recordings of real runs
//! (`tests/fixtures/recordings/`), from the committed matrix results
//! (`tests/fixtures/matrix/`) and from a validation result (`tests/fixtures/validate/`,
//! the document `validate::tests` pins for `examples/bad-diagnoser.sh`).

use std::path::{Path, PathBuf};

use crate::report::{JsonReporter, Reporter};
use crate::results::{parse_result, read_result};
use crate::runner::replay_cluster::ReplayCluster;
use crate::runner::replay_run::replay_blocking;
use crate::runner::{RunOptions, Verdict};
use crate::scenario::{Catalogue, Scenario};
use crate::timeline::{Observed, Recording};

use super::*;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn catalogue() -> Vec<Scenario> {
    Catalogue::builtin()
        .entries()
        .iter()
        .map(|e| e.scenario.clone())
        .collect()
}

fn recording(name: &str) -> Recording {
    let path = fixture(&format!("recordings/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// `crashlab report RECORDING.json`, as the CLI does it.
fn report_of(rel: &str) -> String {
    let path = fixture(rel);
    let result = read_result(&path).unwrap();
    render_result(&result, &catalogue(), &path).unwrap()
}

/// The `<svg class="timeline">` element of a report.
fn timeline_of(html: &str) -> &str {
    let start = html.find("<svg class=\"timeline\"").expect("a timeline");
    let end = start + html[start..].find("</svg>").unwrap() + "</svg>".len();
    &html[start..end]
}

#[test]
fn recordings_render_as_their_runs_reported() {
    for name in [
        "oom",
        "liveness",
        "bad-rollout",
        "init-crash",
        "missing-secret-ref",
    ] {
        let html = report_of(&format!("recordings/{name}.json"));
        insta::assert_snapshot!(format!("run__{name}"), html);
    }
}

#[test]
fn the_oom_timeline_draws_each_measured_delay_against_the_kubelets_curve() {
    let html = report_of("recordings/oom.json");
    let svg = timeline_of(&html);
    // Four instances, each ended by the kernel: exit code 137, OOMKilled.
    assert_eq!(svg.matches("<title>instance ").count(), 4, "{svg}");
    assert_eq!(svg.matches(">137 OOMKilled<").count(), 4);
    // Three measured gaps (0 s, 12 s, 26 s), each with its band and nominal tick, all within.
    // (One more of each: the legend's swatch.)
    assert_eq!(svg.matches("<rect class=\"band\"").count(), 1 + 3);
    assert_eq!(svg.matches("<line class=\"nominal\"").count(), 1 + 3);
    for label in [">0s<", ">12s<", ">26s<"] {
        assert!(svg.contains(label), "{label} missing");
    }
    assert_eq!(svg.matches("class=\"gapmark ok\"").count(), 3);
    assert!(
        svg.contains(
            "restart 3: waited 26s; the kubelet&#39;s delay 20s, allowed 20s … 42s: within"
        )
    );
    // The chart and its table agree.
    assert!(html.contains("<tr><td>3</td><td>26s</td><td>20s</td><td>20s … 42s</td><td><span class=\"pass\">within</span></td></tr>"));
}

#[test]
fn a_delay_outside_the_band_is_marked() {
    // The oom recording judged as if the kubelet waited a flat 30 s: its 12 s and 26 s came
    // too early.
    let rec = recording("oom");
    let mut scenario = catalogue()
        .into_iter()
        .find(|s| s.metadata.name == "oom")
        .unwrap();
    let b = scenario.spec.expect.backoff.as_mut().unwrap();
    (b.initial_seconds, b.max_seconds, b.slack_seconds) = (Some(30), Some(30), 0);
    let run = run_of_recording(&rec, &scenario);
    assert_eq!(run.scenarios[0].verdict, Verdict::Fail);
    let html = render_run(&run, std::slice::from_ref(&scenario));
    let svg = timeline_of(&html);
    assert_eq!(svg.matches("class=\"gapmark bad\"").count(), 2, "{svg}");
    assert!(html.contains("<span class=\"fail\">outside</span>"));
}

#[test]
fn markup_from_the_cluster_is_escaped() {
    let mut rec = recording("oom");
    for o in &mut rec.observations {
        if let Observed::PreviousLogs { text, .. } = &mut o.what {
            text.push_str("<script>alert('log')</script>\n");
        }
        if let Observed::Event { object } = &mut o.what {
            object.message = Some("<img src=x onerror=alert(1)> & <script>".to_owned());
        }
    }
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.metadata.name == "oom")
        .unwrap();
    let html = render_run(&run_of_recording(&rec, &scenario), &[scenario]);
    assert!(!html.contains("<script"), "a <script> got through");
    assert!(!html.contains("<img"), "an <img> got through");
    assert!(html.contains("&lt;script&gt;alert(&#39;log&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt; &amp; &lt;script&gt;"));
}

#[test]
fn a_report_is_self_contained() {
    for rel in [
        "recordings/oom.json",
        "matrix/local-1.34.json",
        "validate/bad-diagnoser.json",
    ] {
        let html = report_of(rel);
        assert!(html.starts_with("<!DOCTYPE html>"), "{rel}");
        for forbidden in [
            "<script", "<link", "<img", "@import", "url(", "http://", "https://",
        ] {
            let found = html
                .replace("http://www.w3.org/2000/svg", "")
                .contains(forbidden);
            assert!(!found, "{rel}: {forbidden} in the report");
        }
    }
}

#[test]
fn matrix_results_chart_every_column() {
    let html = report_of("matrix/local-1.35-1.36.json");
    insta::assert_snapshot!("matrix__local-1.35-1.36", html);
    // exit-1 on two columns: two measured lines, two dashed kubelet curves.
    let chart = &html[html.find("<section id=\"exit-1\">").unwrap()..];
    assert_eq!(chart.matches("<polyline class=\"series\" ").count(), 2);
    assert_eq!(
        chart
            .matches("<polyline class=\"series expected\" ")
            .count(),
        2
    );
    assert!(chart.contains("kubelet: 1s → 300s (dashed)"));
    assert!(chart.contains("kubelet: 10s → 300s (dashed)"));
    insta::assert_snapshot!("matrix__local-1.34", report_of("matrix/local-1.34.json"));
}

#[test]
fn the_validate_table_puts_each_answer_beside_the_ground_truth() {
    let html = report_of("validate/bad-diagnoser.json");
    insta::assert_snapshot!("validate__bad-diagnoser", html);
    assert!(html.contains("<td>missing-secret-ref</td><td>category <b>missing-config</b>"));
    assert!(html.contains("category <b class=\"fail\">resource-limits</b>"));
    assert!(html.contains("<span class=\"fail\">wrong advice:</span> raise the memory limit"));
}

#[test]
fn the_run_reporter_writes_what_report_renders_from_the_json() {
    let rec = recording("liveness");
    let scenario = catalogue()
        .into_iter()
        .find(|s| s.metadata.name == "liveness")
        .unwrap();
    let options = RunOptions {
        context: "local".into(),
        ..Default::default()
    };
    let events = replay_blocking(
        || ReplayCluster::new(rec.clone()),
        std::slice::from_ref(&scenario),
        options,
    )
    .events;
    let mut html = HtmlReporter::new(Vec::new(), vec![scenario.clone()]);
    let mut json = JsonReporter::new(Vec::new());
    for ev in &events {
        html.handle(ev).unwrap();
        json.handle(ev).unwrap();
    }
    html.finish().unwrap();
    json.finish().unwrap();
    let written = String::from_utf8(html.into_inner()).unwrap();
    let json = String::from_utf8(json.into_inner()).unwrap();
    let path = Path::new("run.json");
    let rendered = render_result(&parse_result(&json, path).unwrap(), &[scenario], path).unwrap();
    assert_eq!(written, rendered);
    assert!(written.contains("<h2>liveness <span class=\"badge pass\">pass</span></h2>"));
    // Liveness failures are probe ticks, the kills markers.
    assert!(timeline_of(&written).contains("<line class=\"probe\""));
    assert!(timeline_of(&written).contains("<circle class=\"ev killing\""));
}

#[test]
fn a_recording_of_a_scenario_not_in_the_catalogue_is_refused_naming_it() {
    let f = Path::new("x.json");
    let mut rec = recording("oom");
    rec.scenario = "my-own".into();
    let text = serde_json::to_string(&rec).unwrap();
    let parsed = parse_result(&text, f).unwrap();
    let e = render_result(&parsed, &catalogue(), f).unwrap_err();
    assert_eq!(
        e.to_string(),
        "x.json: a recording of scenario `my-own`, which is not in the catalogue: give its scenario file with `-f FILE`"
    );
}
