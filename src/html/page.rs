//! The HTML document around every report: one self-contained file with its style inline, no
//! script, no font, image or stylesheet fetched from anywhere.

use super::escape::esc;

/// The whole document: `title` in the head and as the heading, then `body` (already HTML).
pub fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n\
<title>{t}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n<h1>{t}</h1>\n{body}\
<footer>Written by crashlab {v}. Every time, exit code, reason, event and delay here was reported by the cluster (kubelet, runtime, API server); crashlab only measured and compared.</footer>\n\
</body>\n</html>\n",
        t = esc(title),
        v = env!("CARGO_PKG_VERSION"),
    )
}

/// Verdict badge: `pass`, `fail`, `error` (or any other word, shown as is).
pub fn badge(word: &str) -> String {
    let class = match word {
        "pass" | "graded" => "pass",
        "fail" => "fail",
        _ => "error",
    };
    format!("<span class=\"badge {class}\">{}</span>", esc(word))
}

const STYLE: &str = r#"body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1d2430; background: #ffffff; margin: 24px 32px; max-width: 1200px; font-size: 14px; line-height: 1.45; }
h1 { font-size: 24px; margin: 0 0 8px; }
h2 { font-size: 20px; margin: 32px 0 6px; padding-top: 12px; border-top: 3px solid #d5dbe5; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #334; }
.meta { color: #556; margin: 0 0 10px; }
.note, .muted { color: #667; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; font-size: 13px; font-weight: bold; color: #fff; vertical-align: middle; }
.badge.pass { background: #2e7d32; color: #fff; } .badge.fail { background: #c62828; color: #fff; } .badge.error { background: #ef6c00; color: #fff; }
.pass { color: #2e7d32; font-weight: bold; } .fail { color: #c62828; font-weight: bold; } .pending { color: #ef6c00; font-weight: bold; }
table { border-collapse: collapse; margin: 6px 0 12px; }
th, td { border: 1px solid #d5dbe5; padding: 4px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f7; }
table.checks td:nth-child(3), table.checks td:nth-child(4) { max-width: 460px; word-break: break-word; }
pre { background: #f5f7fa; border: 1px solid #e1e6ee; padding: 8px 10px; white-space: pre-wrap; word-break: break-word; font-size: 12.5px; max-height: 320px; overflow: auto; }
.explain { white-space: pre-wrap; background: #fbfcfe; border-left: 4px solid #8aa4c8; padding: 6px 12px; margin: 6px 0; }
ol.steps li { margin: 3px 0; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
footer { margin-top: 36px; color: #778; font-size: 12px; border-top: 1px solid #d5dbe5; padding-top: 8px; }
svg { background: #fff; }
svg text { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; }
svg .grid { stroke: #e3e8ef; stroke-width: 1; }
svg .lane { stroke: #c9d1dc; stroke-width: 1; }
svg .tick { font-size: 11px; fill: #556; }
svg .legend { font-size: 11px; fill: #334; }
svg .lane-name { font-size: 13px; font-weight: bold; fill: #1d2430; }
svg .lane-pod { font-size: 10.5px; fill: #667; }
svg .run { fill: #3f6fb5; stroke: #fff; stroke-width: 1; }
svg .run.open { fill: #76a7e0; }
svg .wait { fill: #f3c98b; }
svg .wait-label { font-size: 10px; fill: #a0601a; }
svg .step { stroke: #7e57c2; stroke-width: 1.5; stroke-dasharray: 6 3; }
svg .step-label { font-size: 10.5px; fill: #5e35b1; }
svg .exit { stroke: #555; stroke-width: 2.5; }
svg .exit.bad { stroke: #c62828; }
svg .exit-label { font-size: 10px; fill: #444; }
svg .exit-label.bad { fill: #b71c1c; }
svg .band { fill: #66bb6a; fill-opacity: 0.28; stroke: #43a047; stroke-opacity: 0.5; }
svg .nominal { stroke: #1b5e20; stroke-width: 2; stroke-dasharray: 3 2; }
svg .nominal-line { fill: none; stroke: #1b5e20; stroke-width: 2; stroke-dasharray: 5 3; }
svg .gap { stroke: #283593; stroke-width: 2; }
svg .gapmark.bad .gap { stroke: #c62828; }
svg .gap-label { font-size: 10.5px; font-weight: bold; fill: #283593; }
svg .gap-label.bad { fill: #c62828; }
svg .probe { stroke: #d81b60; stroke-width: 2; }
svg .ev { fill: #90a4ae; stroke: #fff; stroke-width: 1; }
svg .ev.warn { fill: #ef6c00; } svg .ev.backoff { fill: #f9a825; } svg .ev.killing { fill: #6a1b9a; } svg .ev.failed { fill: #c62828; }
svg .measured { fill: none; stroke: #283593; stroke-width: 2; }
svg .pt { fill: #78909c; } svg .pt.ok { fill: #2e7d32; } svg .pt.bad { fill: #c62828; }
svg .pt-label { font-size: 10.5px; fill: #283593; }
svg .series { fill: none; stroke-width: 2.2; }
svg .series.expected { stroke-dasharray: 5 3; stroke-width: 1.4; }
"#;
