//! Runs the embedded crash program natively and checks each mode's exit status, logs and
//! signal handling. The OOM kill itself (exit 137 under a memory cgroup) is measured on the
//! real cluster; here an address-space limit shows that the memory is really held and touched.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
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
            crate::support::write_program(&staging, binary);
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
        command.args(args);
        configure(&mut command);
        Self::spawn(command, args)
    }

    /// Starts the probe as PID 1 of a new PID namespace, as in a container, through util-linux
    /// `unshare --fork`, which exits the way its child did (it re-raises the signal that
    /// killed it). None, after saying so, where PID namespaces are not available.
    fn start_as_pid1(args: &[&str]) -> Option<Self> {
        if !namespaces_available() {
            return None;
        }
        let mut command = Command::new("unshare");
        command
            .args(["--pid", "--fork", "--"])
            .arg(probe_path())
            .args(args);
        without_core_dumps(&mut command);
        Some(Self::spawn(command, args))
    }

    fn spawn(mut command: Command, args: &[&str]) -> Self {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
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

/// Whether this test process may create PID and mount namespaces (as root does); says so
/// when not, for the tests that then skip.
fn namespaces_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    let available = *AVAILABLE.get_or_init(|| {
        Command::new("unshare")
            .args(["--pid", "--mount", "--fork", "true"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if !available {
        eprintln!("skipped: `unshare --pid --mount --fork` is not permitted here (needs root)");
    }
    available
}

/// Sets RLIMIT_CORE to 0, so that a probe killed by SIGSEGV or SIGABRT leaves no core file in
/// the working directory.
fn without_core_dumps(command: &mut Command) {
    // SAFETY: the hook only calls setrlimit, which is async-signal-safe.
    unsafe {
        command.pre_exec(|| {
            let none = libc::rlimit {
                rlim_cur: 0,
                rlim_max: 0,
            };
            if libc::setrlimit(libc::RLIMIT_CORE, &none) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

/// Runs the probe without core dumps until it exits.
fn run_crashing(args: &[&str]) -> Finished {
    Probe::start_with(args, without_core_dumps).finish()
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
    // Reaped below with wait4, not Child::wait.
    #[allow(clippy::zombie_processes)]
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
    // Timed from the spawn, not from seeing the first line: a reader that sees the first line
    // late (a loaded machine, 48 test threads) would shorten the gap and fail a program that
    // paused. The first step comes at once, so the second cannot be seen before the pause
    // (1 s) is over; without a pause it would come within milliseconds.
    let spawned = std::time::Instant::now();
    let mut probe = Probe::start(&["oom", "1", "1000"]);
    probe.wait_for_stdout("allocated 1 MiB");
    probe.wait_for_stdout("allocated 2 MiB");
    let second = spawned.elapsed();
    assert!(
        second >= Duration::from_millis(1000),
        "the second step came {second:?} after the start"
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

#[test]
fn usage_lists_every_mode_and_serve_option() {
    let out = run(&["help"]);
    assert_eq!(out.status.code(), Some(0));
    for entry in [
        "signal SEGV|ABRT",
        "crash python|go|java|node [DETAIL]",
        "serve PORT HEALTH_STATUS [OPTIONS]",
        "--on-sigterm exit|ignore",
        "--health-delay-ms N",
        "--healthy-after SECONDS",
        "--listen-after SECONDS",
        "db PORT [--listen-after SECONDS]",
        "write PATH",
        "parse-config PATH",
    ] {
        assert!(
            out.stdout.contains(entry),
            "{entry:?} missing:\n{}",
            out.stdout
        );
    }
}

#[test]
fn signal_segv_dies_by_a_real_segmentation_fault() {
    let out = run_crashing(&["signal", "SEGV"]);
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{:?}", out.status);
    assert_eq!(
        out.stdout,
        "starting app v1.4.2\nloading native extension /usr/lib/app/libimgproc.so\n\
         resizing upload 7f3a9c2e.jpg (4032x3024)\n"
    );
    assert_eq!(out.stderr, "");
}

#[test]
fn signal_abrt_prints_a_failed_assertion_and_dies_by_sigabrt() {
    let out = run_crashing(&["signal", "SIGABRT"]);
    assert_eq!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
    assert_eq!(
        out.stderr,
        "app: src/cache/lru.c:214: lru_evict: Assertion `entry->refcount > 0' failed.\n"
    );
}

#[test]
fn signal_rejects_a_signal_it_cannot_raise() {
    let out = run(&["signal", "TERM"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr
            .starts_with("crashprobe: signal: expected SEGV or ABRT, got \"TERM\"\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn wrap_signal_abrt_exits_134_and_says_aborted_as_sh_does() {
    let out = run_crashing(&["wrap", "signal", "ABRT"]);
    assert_eq!(out.status.code(), Some(134), "{}", out.stderr);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "app: src/cache/lru.c:214: lru_evict: Assertion `entry->refcount > 0' failed."
    );
    // "(core dumped)" only where a core is really written (a piped core_pattern).
    assert!(lines[1].starts_with("Aborted"), "{}", out.stderr);
    assert_eq!(
        lines[2],
        "wrap: signal was killed by signal 6; exiting with 134"
    );
}

#[test]
fn wrap_signal_segv_exits_139_and_says_segmentation_fault() {
    let out = run_crashing(&["wrap", "signal", "SEGV"]);
    assert_eq!(out.status.code(), Some(139), "{}", out.stderr);
    assert!(
        out.stderr.starts_with("Segmentation fault"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .ends_with("\nwrap: signal was killed by signal 11; exiting with 139\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn as_pid1_signal_segv_still_dies_by_sigsegv() {
    let Some(probe) = Probe::start_as_pid1(&["signal", "SEGV"]) else {
        return;
    };
    let out = probe.finish();
    assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{:?}", out.status);
    assert!(out.stdout.contains("resizing upload"), "{}", out.stdout);
}

#[test]
fn as_pid1_signal_abrt_cannot_die_by_sigabrt_but_wrap_exits_134() {
    let Some(probe) = Probe::start_as_pid1(&["signal", "ABRT"]) else {
        return;
    };
    let out = probe.finish();
    // PID 1 drops the SIGABRT it sends itself; the C library's fallback ends it instead.
    assert_ne!(out.status.signal(), Some(libc::SIGABRT), "{:?}", out.status);
    assert!(!out.status.success());
    if cfg!(all(target_arch = "x86_64", target_env = "gnu")) {
        // glibc's abort() then executes `hlt`, a forced SIGSEGV: 139 in Kubernetes.
        assert_eq!(out.status.signal(), Some(libc::SIGSEGV), "{:?}", out.status);
    }

    let out = Probe::start_as_pid1(&["wrap", "signal", "ABRT"])
        .unwrap()
        .finish();
    assert_eq!(out.status.code(), Some(134), "{}", out.stderr);
    assert!(
        out.stderr
            .ends_with("wrap: signal was killed by signal 6; exiting with 134\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn crash_python_prints_a_key_error_traceback_and_exits_1() {
    let out = run(&["crash", "python"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, "starting app v1.4.2\n");
    assert_eq!(
        out.stderr,
        r#"Traceback (most recent call last):
  File "/app/main.py", line 48, in <module>
    main()
  File "/app/main.py", line 41, in main
    settings = load_settings()
               ^^^^^^^^^^^^^^^
  File "/app/settings.py", line 17, in load_settings
    database_url = os.environ["DATABASE_URL"]
                   ~~~~~~~~~~^^^^^^^^^^^^^^^^
  File "<frozen os>", line 714, in __getitem__
KeyError: 'DATABASE_URL'
"#
    );

    let out = run(&["crash", "python", "REDIS_HOST"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stderr.ends_with(
            r#"
    redis_host = os.environ["REDIS_HOST"]
                 ~~~~~~~~~~^^^^^^^^^^^^^^
  File "<frozen os>", line 714, in __getitem__
KeyError: 'REDIS_HOST'
"#
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn crash_go_panics_on_a_nil_pointer_and_exits_2() {
    let out = run(&["crash", "go"]);
    assert_eq!(out.status.code(), Some(2));
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6f8e2d]",
            "",
            "goroutine 1 [running]:",
        ]
    );
    assert_eq!(
        lines[lines.len() - 2..],
        ["main.main()", "\t/src/cmd/app/main.go:27 +0x25"]
    );

    // Any other panic has no fault line.
    let out = run(&["crash", "go", "assignment to entry in nil map"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr
            .starts_with("panic: assignment to entry in nil map\n\ngoroutine 1 [running]:\n"),
        "{}",
        out.stderr
    );
}

#[test]
fn crash_java_prints_an_uncaught_exception_and_its_cause_and_exits_1() {
    let out = run(&["crash", "java"]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "Exception in thread \"main\" java.lang.IllegalStateException: \
         Could not connect to database at postgres:5432"
    );
    assert_eq!(
        lines[1],
        "\tat com.acme.app.db.ConnectionPool.initialize(ConnectionPool.java:87)"
    );
    assert!(
        lines.contains(&"Caused by: java.net.ConnectException: Connection refused"),
        "{}",
        out.stderr
    );
    assert_eq!(lines.last(), Some(&"\t... 2 more"));
    let frames = lines.iter().filter(|l| l.starts_with("\tat ")).count();
    assert_eq!(frames, 11, "{}", out.stderr);

    let out = run(&["crash", "java", "Missing property spring.datasource.url"]);
    assert!(
        out.stderr.starts_with(
            "Exception in thread \"main\" java.lang.IllegalStateException: \
             Missing property spring.datasource.url\n"
        ),
        "{}",
        out.stderr
    );
}

#[test]
fn crash_node_runs_out_of_heap_and_exits_134() {
    let out = run(&["crash", "node", "512"]);
    assert_eq!(out.status.code(), Some(134), "{:?}", out.status);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines[..3], ["", "<--- Last few GCs --->", ""]);
    // The isolate line carries the real pid, as V8's does.
    let gc = format!(
        "[{}:0x5581c1e4a2c0]    52345 ms: Mark-Compact 502.6 (549.3) -> 500.4 (550.5) MB",
        out_pid(&out)
    );
    assert!(lines[3].starts_with(&gc), "{}\n{gc}", lines[3]);
    let fatal = lines
        .iter()
        .position(|l| {
            *l == "FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory"
        })
        .unwrap_or_else(|| panic!("no FATAL ERROR line:\n{}", out.stderr));
    assert_eq!(lines[fatal - 3..fatal], ["", "<--- JS stacktrace --->", ""]);
    assert_eq!(lines[fatal + 1], "----- Native stack trace -----");
    assert_eq!(lines[fatal + 3], " 1: 0xca5580 node::Abort() [node]");

    let out = run(&["crash", "node"]);
    assert_eq!(out.status.code(), Some(134));
    assert!(
        out.stderr.contains("Mark-Compact 2038.6 (2085.3)"),
        "{}",
        out.stderr
    );
}

/// The pid in the V8 isolate prefix `[PID:0x…]`.
fn out_pid(out: &Finished) -> String {
    out.stderr
        .lines()
        .find_map(|l| {
            l.strip_prefix('[')?
                .split_once(':')
                .map(|(pid, _)| pid.to_owned())
        })
        .expect("an isolate line")
}

#[test]
fn crash_rejects_an_unknown_runtime_or_heap_limit() {
    let out = run(&["crash", "ruby"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.starts_with(
            "crashprobe: crash: runtime must be python, go, java or node, got \"ruby\"\n"
        ),
        "{}",
        out.stderr
    );
    let out = run(&["crash", "node", "lots"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn serve_reports_a_port_in_use_as_go_does_and_exits_1() {
    let taken = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["serve", &port, "200"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(out.stdout, "starting app v1.4.2\n");
    assert_eq!(
        out.stderr,
        format!("error: listen tcp 0.0.0.0:{port}: bind: address already in use\n")
    );
}

#[test]
fn serve_health_delay_slows_only_healthz_until_a_probe_times_out() {
    // 1 s, so that "not slowed" has a margin a loaded machine (48 test threads) keeps.
    let (_probe, port) = serve("200", &["--health-delay-ms=1000"]);
    let started = Instant::now();
    assert_eq!(http_get(port, "/"), (200, "ok\n".to_owned()));
    let root = started.elapsed();
    assert!(
        root < Duration::from_millis(1000),
        "/ answered after {root:?}"
    );

    let started = Instant::now();
    assert_eq!(http_get(port, "/healthz"), (200, "ok\n".to_owned()));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(1000),
        "answered after {took:?}"
    );

    // A kubelet probe with a shorter timeout gets no answer in time.
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    write!(stream, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let err = stream.read(&mut [0; 64]).unwrap_err();
    assert!(
        matches!(
            err.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        ),
        "{err}"
    );
}

#[test]
fn serve_healthy_after_answers_503_while_warming_caches() {
    let (mut probe, port) = serve("200", &["--healthy-after", "1.2"]);
    probe.wait_for_stdout("warming caches before serving traffic");
    assert_eq!(
        http_get(port, "/healthz"),
        (503, "unavailable: warming caches\n".to_owned())
    );
    // Other paths are served meanwhile.
    assert_eq!(http_get(port, "/").0, 200);
    assert_eq!(
        probe.wait_for_stdout("warming caches: "),
        "warming caches: 40177/48213 entries (83%)"
    );
    probe.wait_for_stdout("caches warm: 48213 entries loaded in 1.2s");
    assert_eq!(http_get(port, "/healthz"), (200, "ok\n".to_owned()));
    probe.wait_for_stdout("\"GET /healthz HTTP/1.1\" 503 28");
    probe.wait_for_stdout("\"GET /healthz HTTP/1.1\" 200 3");
}

#[test]
fn serve_listen_after_refuses_connections_until_warm() {
    let port = closed_port();
    let started = Instant::now();
    // 2 s: the refusal below must come before it, however late a loaded machine shows the
    // line it waits for.
    let mut probe = Probe::start(&["serve", &port.to_string(), "500", "--listen-after", "2"]);
    probe.wait_for_stdout("warming caches before serving traffic");
    let refused = TcpStream::connect(("127.0.0.1", port)).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    probe.wait_for_stdout(&format!("listening on 0.0.0.0:{port}"));
    assert!(started.elapsed() >= Duration::from_millis(2000));
    // Healthy as soon as it listens: only the binding was delayed.
    assert_eq!(http_get(port, "/healthz").0, 500);
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143));
    // Warming 2 s, it reports its progress once a second in between.
    assert!(
        out.stdout
            .starts_with("starting app v1.4.2\nwarming caches before serving traffic\n"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains(&format!(
            "caches warm: 48213 entries loaded in 2.0s\nlistening on 0.0.0.0:{port}\n"
        )),
        "{}",
        out.stdout
    );
}

#[test]
fn serve_handles_sigterm_while_it_warms_up() {
    let mut probe = Probe::start(&["serve", "0", "200", "--listen-after", "30"]);
    probe.wait_for_stdout("warming caches before serving traffic");
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143));
    assert!(out.stdout.ends_with("received SIGTERM, shutting down\n"));
}

#[test]
fn serve_rejects_bad_options() {
    for (args, problem) in [
        (
            &["--listen-after", "soon"][..],
            "serve: --listen-after must be 0-86400 seconds, got \"soon\"",
        ),
        (
            &["--healthy-after=-1"][..],
            "serve: --healthy-after must be 0-86400 seconds, got \"-1\"",
        ),
        (
            &["--health-delay-ms", "1.5"][..],
            "serve: --health-delay-ms must be 0-600000, got \"1.5\"",
        ),
        (
            &["--listen-after"][..],
            "serve: --listen-after needs a value",
        ),
        (
            &["--verbose"][..],
            "serve: unexpected argument \"--verbose\"",
        ),
    ] {
        let mut full = vec!["serve", "8080", "200"];
        full.extend_from_slice(args);
        let out = run(&full);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            out.stderr.starts_with(&format!("crashprobe: {problem}\n")),
            "{args:?}: {}",
            out.stderr
        );
    }
}

/// Starts `db` and returns it with the port it reports listening on.
fn db(args: &[&str]) -> (Probe, u16) {
    let mut probe = Probe::start(args);
    let line = probe.wait_for_stderr("LOG:  listening on IPv4 address \"0.0.0.0\", port ");
    let port = line
        .rsplit(' ')
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no port in {line:?}"));
    (probe, port)
}

/// Today's date in UTC, as `date` computes it.
fn utc_date() -> String {
    let out = Command::new("date").args(["-u", "+%F"]).output().unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

#[test]
fn db_logs_like_postgres_and_accepts_connections() {
    let before = utc_date();
    let (mut probe, port) = db(&["db", "0"]);
    let ready = probe.wait_for_stderr("database system is ready to accept connections");
    let after = utc_date();
    // `%m [%p] `: a UTC timestamp with milliseconds, then the server's pid.
    let pattern = regex::Regex::new(
        r"^(\d{4}-\d{2}-\d{2}) \d{2}:\d{2}:\d{2}\.\d{3} UTC \[(\d+)\] LOG:  database system is ready to accept connections$",
    )
    .unwrap();
    let captures = pattern
        .captures(&ready)
        .unwrap_or_else(|| panic!("{ready:?}"));
    assert_eq!(captures[2], probe.pid().to_string());
    // The probe computes the calendar date from the epoch by hand.
    assert!(
        captures[1] == before || captures[1] == after,
        "{ready:?}: today is {after}"
    );
    probe.wait_for_stdout("Skipping initialization");
    probe.wait_for_stderr("LOG:  starting PostgreSQL 16.4");

    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client.write_all(b"\0\0\0\x08\x04\xd2\x16\x2f").unwrap();
    drop(client);
    assert!(probe.is_running());
    probe.signal(libc::SIGTERM);
    assert_eq!(probe.finish().status.code(), Some(143));
}

#[test]
fn db_listen_after_lets_connect_fail_until_init_completes_then_connect_runs() {
    let port = closed_port();
    let port_arg = port.to_string();
    let started = Instant::now();
    let mut database = Probe::start(&["db", &port_arg, "--listen-after", "1.1"]);
    database.wait_for_stdout("running /docker-entrypoint-initdb.d/10-schema.sql");

    // The app crash-loops while the database initialises…
    let out = run(&["connect", "127.0.0.1", &port_arg, "postgres"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        format!(
            "error: could not connect to postgres at 127.0.0.1:{port}: \
             connection refused (os error 111)\n"
        )
    );
    database.wait_for_stdout("INSERT 0 5000");
    database.wait_for_stdout("PostgreSQL init process complete; ready for start up.");
    database.wait_for_stderr(&format!(
        "LOG:  listening on IPv4 address \"0.0.0.0\", port {port}"
    ));
    database.wait_for_stderr("database system is ready to accept connections");
    assert!(started.elapsed() >= Duration::from_millis(1100));

    // …and then connects and keeps running.
    let mut app = Probe::start(&["connect", "127.0.0.1", &port_arg, "postgres"]);
    app.wait_for_stdout(&format!("connected to postgres at 127.0.0.1:{port}"));
    app.wait_for_stdout("ready");
    assert!(app.is_running());
    app.signal(libc::SIGTERM);
    assert_eq!(app.finish().status.code(), Some(143));
}

#[test]
fn db_reports_a_port_in_use_as_postgres_does() {
    let taken = TcpListener::bind("0.0.0.0:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = run(&["db", &port]);
    assert_eq!(out.status.code(), Some(1));
    let messages: Vec<&str> = out
        .stderr
        .lines()
        .map(|l| l.split_once("] ").map_or(l, |(_, m)| m))
        .collect();
    assert_eq!(
        messages[1..],
        [
            "LOG:  could not bind IPv4 address \"0.0.0.0\": Address already in use".to_owned(),
            format!(
                "HINT:  Is another postmaster already running on port {port}? \
                 If not, wait a few seconds and retry."
            ),
            "WARNING:  could not create listen socket for \"*\"".to_owned(),
            "FATAL:  could not create any TCP/IP sockets".to_owned(),
            "LOG:  database system is shut down".to_owned(),
        ]
    );
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

#[test]
fn write_creates_its_state_file_and_runs() {
    let dir = temp_dir();
    let path = dir.path().join("var/lib/app/state.db");
    let path_arg = path.to_str().unwrap();
    let mut probe = Probe::start(&["write", path_arg]);
    probe.wait_for_stdout("ready");
    assert!(probe.is_running());
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "version=v1.4.2\nstate=initialized\n"
    );
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143));
    assert_eq!(
        out.stdout,
        format!(
            "starting app v1.4.2\nopening state file {path_arg}\n\
             wrote 33 bytes to {path_arg}: version=v1.4.2 state=initialized\n\
             ready\nreceived SIGTERM, shutting down\n"
        )
    );
}

#[test]
fn write_reports_the_failing_step_with_the_os_error_and_exits_1() {
    let dir = temp_dir();
    let dir_arg = dir.path().to_str().unwrap();
    let out = run(&["write", dir_arg]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        format!("error: open {dir_arg}: is a directory (os error 21)\n")
    );

    std::fs::write(dir.path().join("file"), "").unwrap();
    let out = run(&["write", &format!("{dir_arg}/file/app/state.db")]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        format!("error: mkdir {dir_arg}/file/app: not a directory (os error 20)\n")
    );
}

// Mount namespaces and read-only mounts are Linux's (the probe runs in Linux containers);
// the file still compiles for macOS, where `tests/macos/check` builds every test.
#[cfg(target_os = "linux")]
#[test]
fn write_to_a_read_only_file_system_fails_with_erofs() {
    if !namespaces_available() {
        return;
    }
    let dir = temp_dir();
    let mount_point = std::ffi::CString::new(dir.path().to_str().unwrap()).unwrap();
    let path = format!("{}/state.db", dir.path().display());
    let out = Probe::start_with(&["write", &path], |command| {
        // SAFETY: only unshare(2) and mount(2) on C strings prepared beforehand.
        unsafe {
            command.pre_exec(move || {
                // A private mount namespace, so the read-only mount is the probe's alone.
                let private = libc::unshare(libc::CLONE_NEWNS) == 0
                    && libc::mount(
                        c"none".as_ptr(),
                        c"/".as_ptr(),
                        std::ptr::null(),
                        libc::MS_REC | libc::MS_PRIVATE,
                        std::ptr::null(),
                    ) == 0;
                if !private
                    || libc::mount(
                        c"tmpfs".as_ptr(),
                        mount_point.as_ptr(),
                        c"tmpfs".as_ptr(),
                        libc::MS_RDONLY,
                        std::ptr::null(),
                    ) != 0
                {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    })
    .finish();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        format!("error: open {path}: read-only file system (os error 30)\n")
    );
}

#[test]
fn parse_config_reports_the_first_bad_line_and_exits_1() {
    let dir = temp_dir();
    let path = dir.path().join("config.yaml");
    std::fs::write(
        &path,
        "# app settings\nlog_level: info\nport 8080\nworkers 4\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let out = run(&["parse-config", path]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stdout,
        format!("starting app v1.4.2\nloading configuration from {path}\n")
    );
    assert_eq!(
        out.stderr,
        format!("error: parsing {path}: line 3: expected \"key: value\", found \"port 8080\"\n")
    );

    // `key:value` is one YAML scalar, not a setting; an indented line is a nested mapping.
    for bad in ["port:8080", "server:", "  port: 8080"] {
        std::fs::write(dir.path().join("config.yaml"), format!("{bad}\n")).unwrap();
        let out = run(&["parse-config", path]);
        assert_eq!(out.status.code(), Some(1), "{bad:?}");
        assert!(
            out.stderr.contains(&format!(
                "line 1: expected \"key: value\", found {:?}",
                bad.trim()
            )),
            "{bad:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn parse_config_logs_a_valid_file_and_runs() {
    let dir = temp_dir();
    let path = dir.path().join("config.yaml");
    std::fs::write(
        &path,
        "# app settings\n---\nlog_level: info  # raise when debugging\nport: \"8080\"\n\n\
         db_password: hunter2\r\n",
    )
    .unwrap();
    let path = path.to_str().unwrap();
    let mut probe = Probe::start(&["parse-config", path]);
    probe.wait_for_stdout("ready");
    assert!(probe.is_running());
    probe.signal(libc::SIGTERM);
    let out = probe.finish();
    assert_eq!(out.status.code(), Some(143));
    assert_eq!(
        out.stdout,
        format!(
            "starting app v1.4.2\nloading configuration from {path}\nconfig: log_level=info\n\
             config: port=8080\nconfig: db_password=<redacted>\nconfiguration loaded (3 settings)\n\
             ready\nreceived SIGTERM, shutting down\n"
        )
    );
}

#[test]
fn parse_config_reports_a_missing_file() {
    let out = run(&["parse-config", "/nonexistent/crashlab/config.yaml"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        out.stderr,
        "error: open /nonexistent/crashlab/config.yaml: no such file or directory (os error 2)\n"
    );
}
