//! `crashlab grade --scenario NAME ANSWER_FILE`: one answer graded against a scenario's
//! ground truth with validate's rules, for suites that run the tool themselves.

use std::io::Read as _;

use super::args::{GradeArgs, OutputFormat};
use super::catalogue_cmd::catalogue_with;
use super::cli_error::{CliError, Exit};
use crate::timeline::{Recording, Timeline};
use crate::validate::{
    ClusterWords, Given, GradeOptions, Recorded, ToolOutput, grade_in, parse_category_map,
};

pub fn run(args: GradeArgs) -> Result<Exit, CliError> {
    let cat = catalogue_with(&args.files)?;
    let scenario = cat
        .get(&args.scenario)
        .map_err(|e| CliError::usage(e.to_string()))?
        .scenario
        .clone();
    let truth = scenario.spec.ground_truth.clone().ok_or_else(|| {
        CliError::usage(format!(
            "scenario \"{}\" has no groundTruth, so there is nothing to grade against",
            args.scenario
        ))
    })?;
    if !(0.0..=1.0).contains(&args.min_score) {
        return Err(CliError::usage(format!(
            "--min-score {}: expected a score from 0 to 1 (e.g. 0.75)",
            args.min_score
        )));
    }
    let answer = read_answer(&args.answer)?;
    let category_map = match &args.category_map {
        Some(spec) => {
            parse_category_map(spec).map_err(|e| CliError::usage(format!("--category-map: {e}")))?
        }
        None => Vec::new(),
    };
    let timeline = match &args.recording {
        Some(path) => Some(read_recording(path)?),
        None => None,
    };
    let cluster = timeline.as_ref().map(|t| {
        ClusterWords::of(t)
            .with_manifest_names(scenario.spec.all_manifests(), &scenario.metadata.name)
    });
    let recorded = timeline.as_ref().map(Recorded::of);
    let name = scenario.metadata.name.as_str();
    let words: Vec<&str> = if name.contains(|c: char| c == '-' || c.is_ascii_digit()) {
        vec![name]
    } else {
        Vec::new()
    };
    let strings: Vec<&str> = args.given.iter().map(String::as_str).collect();
    let grade = grade_in(
        &truth,
        &ToolOutput::ok(answer),
        &GradeOptions {
            category_field: args.category_field.clone(),
            category_map,
        },
        &Given {
            strings: &strings,
            words: &words,
            cluster: cluster.as_ref(),
            recorded: recorded.as_ref(),
        },
    );
    let passed = grade.score >= args.min_score - 1e-9;
    let text = match args.output {
        OutputFormat::Json => {
            let mut doc = serde_json::json!({
                "scenario": name,
                "score": grade.score,
                "passed": passed,
                "min_score": args.min_score,
            });
            if let (Some(o), Ok(serde_json::Value::Object(g))) =
                (doc.as_object_mut(), serde_json::to_value(&grade))
            {
                o.insert("grade".to_owned(), serde_json::Value::Object(g));
            }
            format!(
                "{}\n",
                serde_json::to_string_pretty(&doc).unwrap_or_default()
            )
        }
        OutputFormat::Human => human(name, &grade, args.min_score, passed),
    };
    print!("{text}");
    Ok(if passed { Exit::Pass } else { Exit::Fail })
}

fn human(name: &str, g: &crate::validate::Grade, min: f64, passed: bool) -> String {
    let pct = |x: f64| format!("{:.0}%", x * 100.0);
    let mut out = format!(
        "{name}: {} ({} the minimum of {})\n",
        pct(g.score),
        if passed { "at least" } else { "below" },
        pct(min)
    );
    let c = &g.category;
    out.push_str(&format!(
        "  category: {} (expected {}, {})\n",
        if c.correct { "right" } else { "wrong" },
        c.expected,
        c.source.describe()
    ));
    for f in &g.key_facts {
        let how = match (f.found, f.quoted) {
            (true, false) => "named",
            (true, true) => "quoted, not concluded",
            (false, _) => "missed",
        };
        out.push_str(&format!("  fact: {} — {how}\n", f.name));
    }
    for w in g.wrong_given() {
        out.push_str(&format!("  wrong advice: {}\n", w.name));
    }
    for c in &g.contradictions {
        out.push_str(&format!(
            "  contradicted by the recording: {:?} ({}); recorded: {}\n",
            c.claim, c.fact, c.recorded
        ));
    }
    out
}

fn read_answer(path: &std::path::Path) -> Result<String, CliError> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::usage(format!("reading the answer from stdin: {e}")))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| {
        CliError::usage(format!("{}: {e}", path.display()))
            .with_hint("give the tool's answer as a file, or - to read it from stdin")
    })
}

fn read_recording(path: &std::path::Path) -> Result<Timeline, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("--recording {}: {e}", path.display())))?;
    let rec: Recording = serde_json::from_str(&text).map_err(|e| {
        CliError::usage(format!(
            "--recording {}: line {}, column {}: not a crashlab recording: {e}",
            path.display(),
            e.line(),
            e.column()
        ))
        .with_hint("record one with `crashlab run SCENARIO --record DIR`")
    })?;
    Ok(Timeline::from_recording(&rec))
}
