//! The HTML report as a person sees it: `crashlab report` renders committed results, real
//! headless Chromium (Debian's `chromium` package) screenshots them, and the PNG must have
//! the window's size, not be blank, and show the timeline's and charts' own colours, so the
//! SVG was drawn, not just the text.
//!
//! `#[ignore]`d like the other tests that need something outside cargo; `cargo test --
//! --include-ignored` (and CI, which installs chromium) runs them, and without chromium they
//! fail with how to install it: there is no skipping. Chromium is kept off the network: DNS
//! resolves nothing, background services are off, and the page itself forbids every fetch
//! (Content-Security-Policy `default-src 'none'`).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{self, Run, fixture};

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 2000;

/// Debian's chromium, installed first when missing (see `support::program_from_apt`).
fn chromium() -> PathBuf {
    support::program_from_apt("chromium", "chromium")
}

/// `crashlab report RESULT --html DIR/NAME.html`, then Chromium's screenshot of it.
fn render(result: &str, dir: &Path, name: &str) -> (String, png::OutputInfo, Vec<u8>) {
    let html = dir.join(format!("{name}.html"));
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_crashlab"));
    cmd.args(["report"])
        .arg(fixture(result))
        .arg("--html")
        .arg(&html);
    Run::new(cmd).expect_code(0);
    let png_path = dir.join(format!("{name}.png"));
    let mut cmd = Command::new("timeout");
    cmd.arg("120")
        .arg(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            "--disable-extensions",
            "--no-first-run",
            "--no-default-browser-check",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            "--host-resolver-rules=MAP * ~NOTFOUND",
        ])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg(format!("--screenshot={}", png_path.display()))
        .arg(format!("file://{}", html.display()))
        .env("HOME", dir);
    let run = Run::new(cmd);
    run.expect_code(0);
    let file = std::fs::File::open(&png_path)
        .unwrap_or_else(|e| panic!("{}: {e}\n{}", png_path.display(), run.stderr()));
    let mut decoder = png::Decoder::new(std::io::BufReader::new(file));
    decoder.set_transformations(png::Transformations::EXPAND | png::Transformations::STRIP_16);
    let mut reader = decoder.read_info().expect("a PNG");
    let mut buf = vec![0; reader.output_buffer_size().expect("a size")];
    let info = reader.next_frame(&mut buf).expect("a decodable PNG");
    buf.truncate(info.buffer_size());
    (std::fs::read_to_string(&html).unwrap(), info, buf)
}

/// RGB of every pixel of rows `from..to`.
fn pixels(info: &png::OutputInfo, buf: &[u8], rows: std::ops::Range<u32>) -> Vec<[u8; 3]> {
    let channels = info.color_type.samples();
    assert!(
        channels >= 3,
        "an RGB(A) screenshot, got {:?}",
        info.color_type
    );
    rows.flat_map(|y| {
        let line = &buf[(y as usize * info.line_size)..][..info.line_size];
        line.chunks(channels)
            .map(|p| [p[0], p[1], p[2]])
            .collect::<Vec<_>>()
    })
    .collect()
}

fn rgb(hex: &str) -> [u8; 3] {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
    [(v >> 16) as u8, (v >> 8) as u8, v as u8]
}

/// How many pixels have exactly this colour.
fn count(px: &[[u8; 3]], hex: &str) -> usize {
    let c = rgb(hex);
    px.iter().filter(|p| **p == c).count()
}

fn assert_not_blank(name: &str, info: &png::OutputInfo, buf: &[u8]) {
    assert_eq!(
        (info.width, info.height),
        (WIDTH, HEIGHT),
        "{name}: window size"
    );
    let px = pixels(info, buf, 0..info.height);
    let distinct: HashSet<[u8; 3]> = px.iter().copied().collect();
    let inked = px.iter().filter(|p| **p != [255, 255, 255]).count();
    eprintln!(
        "{name}: {}x{}, {} colours, {inked} of {} pixels not white",
        info.width,
        info.height,
        distinct.len(),
        px.len()
    );
    assert!(
        distinct.len() > 50,
        "{name}: only {} colours",
        distinct.len()
    );
    assert!(
        inked * 100 > px.len(),
        "{name}: {inked} of {} pixels are not white",
        px.len()
    );
}

#[test]
#[ignore = "needs headless Chromium (apt-get install chromium); run with --include-ignored"]
fn the_oom_report_renders_its_timeline_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (html, info, buf) = render("recordings/oom.json", dir.path(), "oom");
    assert!(html.contains("<svg class=\"timeline\""));
    assert_not_blank("oom", &info, &buf);
    // The first screen holds the heading, the timeline and the back-off chart. Every mark
    // the stylesheet colours must be there, drawn: the pass badge, the waiting band
    // (CrashLoopBackOff), the BackOff event markers, the exits and the kubelet's curve.
    let top = pixels(&info, &buf, 0..900);
    for (what, colour, at_least) in [
        ("pass badge", "#2e7d32", 100),
        ("waiting band", "#f3c98b", 200),
        ("BackOff markers", "#f9a825", 3 * 40),
        ("exit marks", "#c62828", 30),
        ("measured back-off line", "#283593", 100),
    ] {
        let n = count(&top, colour);
        eprintln!("oom: {what} ({colour}): {n} pixels");
        assert!(
            n >= at_least,
            "{what} ({colour}): {n} pixels, expected at least {at_least}"
        );
    }
    // The timeline is not a uniform strip: its rows carry many colours.
    let timeline = pixels(&info, &buf, 300..480);
    let distinct: HashSet<[u8; 3]> = timeline.iter().copied().collect();
    eprintln!("oom: timeline rows 300..480: {} colours", distinct.len());
    assert!(
        distinct.len() > 30,
        "the timeline area has {} colours",
        distinct.len()
    );
}

#[test]
#[ignore = "needs headless Chromium (apt-get install chromium); run with --include-ignored"]
fn the_matrix_chart_and_the_validate_table_render_in_chromium() {
    let dir = tempfile::tempdir().unwrap();
    let (_, info, buf) = render("matrix/local-1.35-1.36.json", dir.path(), "matrix");
    assert_not_blank("matrix", &info, &buf);
    let top = pixels(&info, &buf, 0..700);
    // One line per column, in the chart's first two colours.
    for colour in ["#0072b2", "#d55e00"] {
        let n = count(&top, colour);
        eprintln!("matrix: line {colour}: {n} pixels");
        assert!(n >= 150, "matrix line {colour}: {n} pixels");
    }
    let (_, info, buf) = render("validate/bad-diagnoser.json", dir.path(), "validate");
    assert_not_blank("validate", &info, &buf);
    // Fail badges (the bad diagnoser scores below the minimum) and the table header.
    let px = pixels(&info, &buf, 0..info.height);
    assert!(count(&px, "#c62828") >= 400, "fail badges");
    assert!(count(&px, "#eef2f7") >= 2000, "table header");
}
