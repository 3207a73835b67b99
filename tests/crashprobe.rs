//! Runs the embedded crash program natively and checks each mode's exit status, logs and
//! signal handling. The OOM kill itself (exit 137 under a memory cgroup) is measured on the
//! real cluster; here an address-space limit shows that the memory is really held and touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::OnceLock;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

/// Generous: everything here normally finishes in milliseconds.
const DEADLINE: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(5);

/// The probe written to disk once per build: named after its digest, so concurrent test runs
/// never rewrite a file that another one is executing.
fn probe_path() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let binary = crashlab::image::PROBE_BINARY;
        let digest = hex::encode(Sha256::digest(binary));
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"));
        let path = dir.join(format!("crashprobe-{}", &digest[..16]));
        let current = std::fs::read(&path).is_ok_and(|bytes| bytes == binary);
        if !current {
            let staging = dir.join(format!(
                "crashprobe-{}.{}",
                &digest[..16],
                std::process::id()
            ));
            std::fs::write(&staging, binary).unwrap();
            std::fs::set_permissions(&staging, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::rename(&staging, &path).unwrap();
        }
        path
    })
}

/// A running probe whose stdout and stderr are read line by line as they arrive.
struct Probe {
    args: Vec<String>,
    child: Child,
    stdout: Lines,
    stderr: Lines,
}

/// Lines of one output stream, collected by a reader thread.
struct Lines {
    receiver: Receiver<String>,
    seen: Vec<String>,
}

impl Lines {
    fn new(stream: impl Read + Send + 'static) -> Self {
        let (sender, receiver) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stream).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        Self {
            receiver,
            seen: Vec::new(),
        }
    }

    /// Waits for a line containing `needle` and returns it.
    fn wait_for(&mut self, needle: &str) -> Option<String> {
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return Some(line.clone());
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.receiver.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(needle) {
                        return Some(line);
                    }
                }
                Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => return None,
            }
        }
    }

    /// Everything, once the process has exited and closed the stream.
    fn rest(&mut self) -> String {
        let deadline = Instant::now() + DEADLINE;
        while let Ok(line) = self
            .receiver
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(line);
        }
        self.seen.iter().map(|l| format!("{l}\n")).collect()
    }
}

/// What a probe left behind.
struct Finished {
    status: ExitStatus,
    stdout: String,
    stderr: String,
}

impl Probe {
    fn start(args: &[&str]) -> Self {
        Self::start_with(args, |_| {})
    }

    fn start_with(args: &[&str], configure: impl FnOnce(&mut Command)) -> Self {
        let mut command = Command::new(probe_path());
        command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        configure(&mut command);
        let mut child = command.spawn().unwrap();
        Self {
            args: args.iter().map(|a| a.to_string()).collect(),
            stdout: Lines::new(child.stdout.take().unwrap()),
            stderr: Lines::new(child.stderr.take().unwrap()),
            child,
        }
    }

    fn wait_for_stdout(&mut self, needle: &str) -> String {
        match self.stdout.wait_for(needle) {
            Some(line) => line,
            None => self.fail(&format!("no stdout line containing {needle:?}")),
        }
    }

    fn wait_for_stderr(&mut self, needle: &str) -> String {
        match self.stderr.wait_for(needle) {
            Some(line) => line,
            None => self.fail(&format!("no stderr line containing {needle:?}")),
        }
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: plain kill(2) on our own child, which has not been reaped yet.
        let rc = unsafe { libc::kill(self.child.id() as libc::pid_t, signal) };
        assert_eq!(rc, 0, "kill: {}", std::io::Error::last_os_error());
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the process to exit on its own (with a deadline) and collects its output.
    fn finish(mut self) -> Finished {
        let deadline = Instant::now() + DEADLINE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() > deadline {
                self.fail("did not exit");
            }
            thread::sleep(POLL);
        };
        Finished {
            status,
            stdout: self.stdout.rest(),
            stderr: self.stderr.rest(),
        }
    }

    fn fail(&mut self, problem: &str) -> ! {
        let _ = self.child.kill();
        panic!(
            "crashprobe {:?}: {problem}\nstdout:\n{}\nstderr:\n{}",
            self.args,
            self.stdout.seen.join("\n"),
            self.stderr.seen.join("\n"),
        );
    }
}

impl Drop for Probe {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(args: &[&str]) -> Finished {
    Probe::start(args).finish()
}

/// A port on 127.0.0.1 with nothing listening on it.
fn closed_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// Sends one HTTP/1.1 GET and returns (status code, body).
fn http_get(port: u16, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: kube-probe/1.34\r\n\
         Accept: */*\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let (head, body) = response
        .split_once("\r\n\r\n")
        .expect("a complete response");
    let status = head
        .strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("bad status line in {head:?}"));
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .expect("Content-Length")
        .parse()
        .unwrap();
    assert_eq!(body.len(), length, "body length");
    (status, body.to_owned())
}

/// Starts `serve 0 <status> …` and returns it with the port it reports listening on.
fn serve(health_status: &str, extra: &[&str]) -> (Probe, u16) {
    let mut args = vec!["serve", "0", health_status];
    args.extend_from_slice(extra);
    let mut probe = Probe::start(&args);
    let line = probe.wait_for_stdout("listening on 0.0.0.0:");
    let port = line
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (probe, port)
}

#[test]
fn exit_prints_the_default_message_and_exits_with_the_code() {
    let out = run(&["exit", "3"]);
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(out.stdout, "starting app v1.4.2\nloading configuration\n");
    assert_eq!(
        out.stderr,
        "fatal: config file /etc/app/config.yaml not found\n"
    );
}

#[test]
fn exit_prints_a_custom_message() {
    let out = run(&["exit", "42", "panic:", "runtime", "error"]);
    assert_eq!(out.status.code(), Some(42));
    assert_eq!(out.stderr, "panic: runtime error\n");
}

#[test]
fn exit_zero_is_a_clean_completion() {
    let out = run(&["exit", "0"]);
    assert!(out.status.success());
}

#[test]
fn oom_holds_and_touches_every_chunk_until_memory_runs_out() {
    const LIMIT_MIB: u64 = 256;
    let mut command = Command::new(probe_path());
    command
        .args(["oom", "16"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // SAFETY: the hook only calls setrlimit, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let limit = libc::rlimit {
                rlim_cur: LIMIT_MIB << 20,
                rlim_max: LIMIT_MIB << 20,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &limit) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = command.spawn().unwrap();
    let mut stdout = Lines::new(child.stdout.take().unwrap());
    let mut stderr = Lines::new(child.stderr.take().unwrap());
    // wait4 rather than Child::wait: its rusage tells how much memory was really resident.
    // `child` is not used afterwards, so nothing signals or waits for the reaped pid.
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value to be overwritten.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child; both pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    assert_eq!(reaped, pid, "wait4: {}", std::io::Error::last_os_error());
    let status = ExitStatus::from_raw(status);
    let stdout = stdout.rest();
    let stderr = stderr.rest();

    // Allocation failed under the limit, so it logged and aborted; inside a memory cgroup the
    // OOM killer (SIGKILL, exit 137) gets there first.
    assert_eq!(status.signal(), Some(libc::SIGABRT), "{status:?}\n{stderr}");
    assert!(
        stderr.contains("fatal: could not allocate 16 MiB after"),
        "{stderr}"
    );
    let steps: Vec<u64> = stdout
        .lines()
        .filter_map(|l| {
            l.strip_prefix("allocated ")?
                .strip_suffix(" MiB")?
                .parse()
                .ok()
        })
        .collect();
    let expected: Vec<u64> = (1..=steps.len() as u64).map(|i| i * 16).collect();
    assert_eq!(steps, expected, "progress in 16 MiB steps:\n{stdout}");
    let held = *steps.last().unwrap();
    assert!(
        held >= LIMIT_MIB / 2,
        "only {held} MiB held under a {LIMIT_MIB} MiB limit: memory is being freed"
    );
    // ru_maxrss is in KiB and only counts pages that were written.
    let resident_mib = usage.ru_maxrss as u64 / 1024;
    assert!(
        resident_mib >= held,
        "{resident_mib} MiB resident but {held} MiB allocated: pages are not touched"
    );
}

#[test]
fn serve_answers_healthz_with_the_configured_status_and_other_paths_200() {
    let (mut probe, port) = serve("500", &[]);
    let (status, body) = http_get(port, "/healthz");
    assert_eq!(status, 500);
    assert_eq!(body, "unhealthy: dependency check failed\n");
    assert_eq!(http_get(port, "/").0, 200);
    assert_eq!(http_get(port, "/api/orders?id=1").0, 200);
    let logged = probe.wait_for_stdout("\"GET /healthz HTTP/1.1\"");
    assert_eq!(
        logged,
        "127.0.0.1 \"GET /healthz HTTP/1.1\" 500 35 \"kube-probe/1.34\""
    );
    probe.wait_for_stdout("\"GET /api/orders?id=1 HTTP/1.1\" 200");
}

#[test]
fn serve_healthz_can_be_healthy() {
    let (_probe, port) = serve("200", &[]);
    assert_eq!(http_get(port, "/healthz"), (200, "ok\n".to_owned()));
}

#[test]
fn serve_exits_143_on_sigterm_by_default() {
    let (probe, port) = serve("500", &[]);
    assert_eq!(http_get(port, "/healthz").0, 500);
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143), "{:?}", out.status);
    assert!(
        out.stdout.ends_with("received SIGTERM, shutting down\n"),
        "{}",
        out.stdout
    );
}

#[test]
fn serve_with_on_sigterm_exit_exits_143() {
    let (probe, _port) = serve("200", &["--on-sigterm", "exit"]);
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143), "{:?}", out.status);
    assert!(out.stdout.contains("received SIGTERM, shutting down\n"));
}

#[test]
fn serve_ignoring_sigterm_survives_it_and_dies_only_on_sigkill() {
    let (mut probe, port) = serve("500", &["--on-sigterm", "ignore"]);
    probe.wait_for_stdout("ignoring SIGTERM");
    probe.signal(libc::SIGTERM);
    // An ignored signal is discarded when it is sent, so by now it has had all its effect.
    // Still serving afterwards is the proof it survived.
    assert_eq!(http_get(port, "/healthz").0, 500);
    probe.signal(libc::SIGTERM);
    assert_eq!(http_get(port, "/").0, 200);
    assert!(probe.is_running());
    probe.signal(libc::SIGKILL);
    let out = probe.finish();
    assert_eq!(out.status.signal(), Some(libc::SIGKILL), "{:?}", out.status);
    assert!(!out.stdout.contains("shutting down"), "{}", out.stdout);
}

#[test]
fn serve_rejects_a_bad_on_sigterm_value() {
    let out = run(&["serve", "8080", "500", "--on-sigterm", "maybe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr
            .starts_with("crashprobe: serve: --on-sigterm must be exit or ignore, got \"maybe\"\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn require_env_fails_when_the_variable_is_unset() {
    let out = Probe::start_with(&["require-env", "DATABASE_URL"], |c| {
        c.env_remove("DATABASE_URL");
    })
    .finish();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        "error: required environment variable DATABASE_URL is not set; \
         cannot connect to database\n"
    );
}

#[test]
fn require_env_treats_an_empty_variable_as_unset() {
    let out = Probe::start_with(&["require-env", "API_TOKEN"], |c| {
        c.env("API_TOKEN", "");
    })
    .finish();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        "error: required environment variable API_TOKEN is not set; cannot start\n"
    );
}

#[test]
fn require_env_runs_when_the_variable_is_set_without_logging_it() {
    let mut probe = Probe::start_with(&["require-env", "DATABASE_URL"], |c| {
        c.env("DATABASE_URL", "postgres://secret@db/app");
    });
    probe.wait_for_stdout("ready");
    assert!(probe.is_running());
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143));
    assert!(out.stdout.contains("DATABASE_URL is set (24 bytes)\n"));
    assert!(!out.stdout.contains("secret"), "{}", out.stdout);
}

#[test]
fn connect_to_a_closed_port_reports_connection_refused() {
    let port = closed_port().to_string();
    let out = run(&["connect", "127.0.0.1", &port, "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        format!(
            "error: could not connect to postgres at 127.0.0.1:{port}: \
             connection refused (os error 111)\n"
        )
    );
}

#[test]
fn connect_with_an_empty_host_fails() {
    let out = run(&["connect", "", "5432", "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr
            .starts_with("error: could not connect to postgres: host is empty"),
        "{}",
        out.stderr
    );
}

#[test]
fn connect_reports_an_unexpanded_service_variable() {
    let out = run(&[
        "connect",
        "$(POSTGRES_SERVICE_HOST)",
        "$(POSTGRES_SERVICE_PORT)",
        "postgres",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        "error: could not connect to postgres: $(POSTGRES_SERVICE_HOST):$(POSTGRES_SERVICE_PORT) \
         is an unexpanded variable reference (does the Service exist?)\n"
    );
}

#[test]
fn connect_to_a_listening_port_runs() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port().to_string();
    let mut probe = Probe::start(&["connect", "127.0.0.1", &port]);
    probe.wait_for_stdout(&format!("connected to upstream at 127.0.0.1:{port}"));
    listener.accept().unwrap();
    assert!(probe.is_running());
}

#[test]
fn sleep_runs_until_sigterm() {
    let mut probe = Probe::start(&["sleep"]);
    probe.wait_for_stdout("ready");
    assert!(probe.is_running());
    probe.signal(libc::SIGTERM);
    assert_eq!(probe.finish().status.code(), Some(143));
}

#[test]
fn pause_exits_zero_on_sigterm() {
    let mut probe = Probe::start(&["pause"]);
    // Not PID 1 here, so it warns; the warning comes after its handlers are installed.
    probe.wait_for_stderr("Warning: pause should be the first process");
    assert!(probe.is_running());
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(0), "{:?}", out.status);
    assert!(
        out.stderr
            .contains("Shutting down, got signal: Terminated\n")
    );
}

#[test]
fn pause_exits_zero_on_sigint() {
    let mut probe = Probe::start(&["pause"]);
    probe.wait_for_stderr("Warning: pause should be the first process");
    probe.signal(libc::SIGINT);
    assert_eq!(probe.finish().status.code(), Some(0));
}

#[test]
fn unknown_mode_prints_usage_and_exits_2() {
    let out = run(&["explode"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr
            .starts_with("crashprobe: unknown mode \"explode\"\n\nusage: crashprobe MODE"),
        "{}",
        out.stderr
    );
    let out = run(&[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stderr.starts_with("crashprobe: no mode given\n"));
}

#[test]
fn oom_pauses_between_steps_when_asked_as_a_growing_leak_does() {
    let mut probe = Probe::start(&["oom", "1", "300"]);
    probe.wait_for_stdout("allocated 1 MiB");
    let first = std::time::Instant::now();
    probe.wait_for_stdout("allocated 2 MiB");
    let between = first.elapsed();
    assert!(
        between >= Duration::from_millis(250),
        "the second step came {between:?} after the first"
    );
    probe.signal(libc::SIGKILL);
}

#[test]
fn oom_refuses_a_pause_it_cannot_use() {
    let out = run(&["oom", "8", "soon"]);
    assert_eq!(out.status.code(), Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .starts_with("crashprobe: oom: PAUSE_MS must be 0-60000, got \"soon\"\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn wrap_exits_as_a_shell_does_with_the_childs_code_or_128_plus_its_signal() {
    let out = run(&["wrap", "exit", "3", "boom"]);
    assert_eq!(out.status.code(), Some(3), "{}", out.stderr);
    assert!(out.stderr.contains("boom\n"), "{}", out.stderr);
    assert!(
        out.stderr.ends_with("wrap: exit exited with 3\n"),
        "{}",
        out.stderr
    );

    let mut probe = Probe::start(&["wrap", "sleep"]);
    probe.wait_for_stdout("ready");
    // The child is the only other crashprobe whose parent is the wrapper.
    let child = std::fs::read_to_string(format!(
        "/proc/{}/task/{}/children",
        probe.pid(),
        probe.pid()
    ))
    .unwrap();
    let child: i32 = child.split_whitespace().next().unwrap().parse().unwrap();
    // SAFETY: signals our own grandchild.
    unsafe { libc::kill(child, libc::SIGKILL) };
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(137), "{}", out.stderr);
    assert!(
        out.stderr
            .ends_with("wrap: sleep was killed by signal 9; exiting with 137\n"),
        "{}",
        out.stderr
    );
}
