//! crashprobe: one small static program that fails the way real applications fail, so that a
//! real kubelet produces real crash-loop signals (exit codes, OOM kills, failing probes,
//! SIGKILL after the grace period) and real container logs.
//!
//! Built by crashlab's `build.rs` with the standard library only (no crates): the few libc
//! functions it needs are declared below. Usage and modes are documented in `images/README.md`.
//!
//! It runs as PID 1 in its container. The kernel only delivers a signal to PID 1 if PID 1 has
//! a handler for it, so every long-running mode installs its SIGTERM/SIGINT handling
//! explicitly; otherwise `kubectl delete pod` would always wait out the grace period.

use std::ffi::c_int;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::process;
use std::thread;
use std::time::Duration;

/// The version the fake application claims in its startup line.
const APP_VERSION: &str = "v1.4.2";
const DEFAULT_EXIT_MESSAGE: &str = "fatal: config file /etc/app/config.yaml not found";
const DEFAULT_OOM_STEP_MIB: usize = 8;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a connection may sit idle before its request is complete.
const HTTP_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Requests larger than this (request line plus headers) are cut off.
const HTTP_MAX_HEAD: u64 = 16 * 1024;
const PAGE_SIZE: usize = 4096;
const MIB: usize = 1024 * 1024;

const USAGE: &str = "\
usage: crashprobe MODE [ARGS...]

modes:
  exit CODE [MESSAGE...]                     print MESSAGE to stderr, exit with CODE
  oom [STEP_MIB [PAUSE_MS]]                  allocate and touch memory until killed,
                                             pausing PAUSE_MS after each step
  serve PORT HEALTH_STATUS [--on-sigterm exit|ignore]
                                             HTTP server; GET /healthz answers HEALTH_STATUS
  require-env NAME [REASON...]               exit 1 unless environment variable NAME is set
  connect HOST PORT [NAME]                   exit 1 unless a TCP connection to HOST:PORT works
  sleep                                      run forever
  pause                                      pod sandbox: sleep, reap children, exit 0 on TERM
  wrap MODE [ARGS...]                        run MODE as a child, as an entrypoint script does;
                                             report how it ended, then exit as a shell would";

// Linux signal numbers and constants shared by x86_64 and aarch64.
const SIGINT: c_int = 2;
const SIGTERM: c_int = 15;
const SIGCHLD: c_int = 17;
const SIG_IGN: usize = 1;
const SIG_ERR: usize = usize::MAX;
const WNOHANG: c_int = 1;

extern "C" {
    /// glibc's `signal` has BSD semantics: the handler stays installed and slow system calls
    /// are restarted, which is what every mode here wants.
    fn signal(signum: c_int, handler: usize) -> usize;
    fn write(fd: c_int, buf: *const u8, count: usize) -> isize;
    fn _exit(status: c_int) -> !;
    fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int;
    fn pause() -> c_int;
    fn getpid() -> c_int;
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((mode, rest)) = args.split_first() else {
        usage_error("no mode given");
    };
    match mode.as_str() {
        "exit" => exit_mode(rest),
        "oom" => oom_mode(rest),
        "serve" => serve_mode(rest),
        "require-env" => require_env_mode(rest),
        "connect" => connect_mode(rest),
        "sleep" => sleep_mode(rest),
        "pause" => pause_mode(rest),
        "wrap" => wrap_mode(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            finish(0);
        }
        other => usage_error(&format!("unknown mode {other:?}")),
    }
}

/// `exit CODE [MESSAGE...]`: a startup line on stdout, MESSAGE on stderr, then exit CODE.
fn exit_mode(args: &[String]) -> ! {
    let Some((code, message)) = args.split_first() else {
        usage_error("exit: missing CODE");
    };
    let code: u8 = code
        .parse()
        .unwrap_or_else(|_| usage_error(&format!("exit: CODE must be 0-255, got {code:?}")));
    let message = if message.is_empty() {
        DEFAULT_EXIT_MESSAGE.to_owned()
    } else {
        message.join(" ")
    };
    starting();
    println!("loading configuration");
    flush_stdout();
    eprintln!("{message}");
    finish(c_int::from(code));
}

/// `oom [STEP_MIB]`: allocate STEP_MIB at a time, write to every page so the memory is really
/// charged to the container's cgroup, and keep it all until the kernel's OOM killer steps in.
///
/// With PAUSE_MS the growth takes a while, as a real leak does: a container that reaches its
/// limit within milliseconds of starting can be killed before containerd's shim watches its
/// memory cgroup for OOM events (cgroup v1), and is then reported as `Error`, not `OOMKilled`.
fn oom_mode(args: &[String]) -> ! {
    let (step_mib, pause) = match args {
        [] => (DEFAULT_OOM_STEP_MIB, 0),
        [step] => (oom_step(step), 0),
        [step, pause] => (
            oom_step(step),
            pause
                .parse::<u64>()
                .ok()
                .filter(|p| *p <= 60_000)
                .unwrap_or_else(|| {
                    usage_error(&format!("oom: PAUSE_MS must be 0-60000, got {pause:?}"))
                }),
        ),
        _ => usage_error("oom: too many arguments"),
    };
    exit_on_termination_signals();
    starting();
    println!("warming cache in {step_mib} MiB chunks");
    let step = step_mib * MIB;
    let mut held: Vec<Vec<u8>> = Vec::new();
    let mut total_mib = 0usize;
    loop {
        let mut chunk: Vec<u8> = Vec::new();
        if let Err(err) = chunk.try_reserve_exact(step) {
            // Only reached when the allocation itself is refused (an address-space limit or
            // strict overcommit); inside a memory cgroup the OOM killer comes first.
            flush_stdout();
            eprintln!("fatal: could not allocate {step_mib} MiB after {total_mib} MiB: {err}");
            process::abort();
        }
        let base = chunk.as_mut_ptr();
        for offset in (0..step).step_by(PAGE_SIZE) {
            // SAFETY: `offset < step <= capacity`; volatile so the stores cannot be elided.
            unsafe { base.add(offset).write_volatile(1) };
        }
        held.push(chunk);
        total_mib += step_mib;
        println!("allocated {total_mib} MiB");
        if pause > 0 {
            flush_stdout();
            std::thread::sleep(Duration::from_millis(pause));
        }
    }
}

/// How long `wrap` takes to report its child's end before exiting.
const WRAP_LINGER: Duration = Duration::from_secs(1);

/// `wrap MODE [ARGS...]`: runs `crashprobe MODE ARGS...` as its child, the way an entrypoint
/// script (`#!/bin/sh` then `java …` without `exec`) or an init such as tini runs the real app,
/// and exits the way a shell does: the child's code, or 128 + the signal that killed it.
///
/// It reports the child's end and takes a second doing so before it exits. That keeps the
/// container's cgroup alive while the runtime handles an OOM kill: on cgroup v1 with the
/// systemd cgroup driver (kind's), a container whose only process is OOM-killed can lose its
/// `OOMKilled` reason, because systemd removes the cgroup before containerd's shim reads the
/// OOM notification (tests/kind/README.md).
fn wrap_mode(args: &[String]) -> ! {
    use std::os::unix::process::ExitStatusExt;
    let Some(mode) = args.first() else {
        usage_error("wrap: missing MODE");
    };
    exit_on_termination_signals();
    let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let status = match process::Command::new(exe).args(args).status() {
        Ok(status) => status,
        Err(err) => {
            eprintln!("wrap: cannot start {mode}: {err}");
            finish(126);
        }
    };
    let code = match (status.code(), status.signal()) {
        (Some(code), _) => {
            eprintln!("wrap: {mode} exited with {code}");
            code
        }
        (None, Some(signal)) => {
            eprintln!(
                "wrap: {mode} was killed by signal {signal}; exiting with {}",
                128 + signal
            );
            128 + signal
        }
        (None, None) => 1,
    };
    let _ = io::stderr().flush();
    thread::sleep(WRAP_LINGER);
    finish(code);
}

fn oom_step(step: &str) -> usize {
    match step.parse::<usize>() {
        Ok(step) if (1..=4096).contains(&step) => step,
        _ => usage_error(&format!("oom: STEP_MIB must be 1-4096, got {step:?}")),
    }
}

/// What `serve` does when the kubelet sends SIGTERM.
#[derive(Clone, Copy, PartialEq)]
enum OnSigterm {
    /// Log and exit with 143 (128 + SIGTERM), as a well-behaved server does.
    Exit,
    /// Ignore it, so the kubelet has to SIGKILL the container after the grace period.
    Ignore,
}

/// `serve PORT HEALTH_STATUS [--on-sigterm exit|ignore]`: an HTTP/1.1 server whose `/healthz`
/// answers HEALTH_STATUS and every other path 200.
fn serve_mode(args: &[String]) -> ! {
    let (port, health_status, rest) = match args {
        [port, status, rest @ ..] => (port, status, rest),
        _ => usage_error("serve: missing PORT or HEALTH_STATUS"),
    };
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| usage_error(&format!("serve: PORT must be 0-65535, got {port:?}")));
    let health_status: u16 = match health_status.parse() {
        Ok(status) if (100..=599).contains(&status) => status,
        _ => usage_error(&format!(
            "serve: HEALTH_STATUS must be 100-599, got {health_status:?}"
        )),
    };
    let on_sigterm = match rest {
        [] => OnSigterm::Exit,
        [flag, value] if flag == "--on-sigterm" => parse_on_sigterm(value),
        [flag] if flag.starts_with("--on-sigterm=") => {
            parse_on_sigterm(&flag["--on-sigterm=".len()..])
        }
        _ => usage_error(&format!("serve: unexpected arguments {rest:?}")),
    };

    match on_sigterm {
        OnSigterm::Exit => exit_on_termination_signals(),
        OnSigterm::Ignore => {
            ignore(SIGTERM);
            install(SIGINT, on_termination_signal);
        }
    }
    starting();
    if on_sigterm == OnSigterm::Ignore {
        println!("graceful shutdown disabled: ignoring SIGTERM");
    }
    let listener = match TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))) {
        Ok(listener) => listener,
        Err(err) => fail(&format!(
            "error: could not listen on 0.0.0.0:{port}: {}",
            lowercase_first(&err.to_string())
        )),
    };
    let local = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("listening on 0.0.0.0:{local}");
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || {
                    if let Err(err) = handle_http(stream, health_status) {
                        eprintln!("warning: connection error: {err}");
                    }
                });
            }
            Err(err) => eprintln!("warning: accept failed: {err}"),
        }
    }
    fail("error: listener closed")
}

fn parse_on_sigterm(value: &str) -> OnSigterm {
    match value {
        "exit" => OnSigterm::Exit,
        "ignore" => OnSigterm::Ignore,
        other => usage_error(&format!(
            "serve: --on-sigterm must be exit or ignore, got {other:?}"
        )),
    }
}

/// Answers one request and closes the connection, logging it in a common access-log shape.
fn handle_http(stream: TcpStream, health_status: u16) -> io::Result<()> {
    stream.set_read_timeout(Some(HTTP_READ_TIMEOUT))?;
    let peer = stream
        .peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|_| "-".to_owned());
    let mut reader = BufReader::new((&stream).take(HTTP_MAX_HEAD));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(());
    }
    let mut user_agent = String::from("-");
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header.trim_end().is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            if name.trim().eq_ignore_ascii_case("user-agent") {
                user_agent = value.trim().to_owned();
            }
        }
    }
    let request_line = request_line.trim_end();
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let path = parts.next().unwrap_or("");
    let path = path.split('?').next().unwrap_or("");

    let (status, body) = if method.is_empty() || path.is_empty() {
        (400, "bad request\n")
    } else if path == "/healthz" {
        let body = if health_status < 400 {
            "ok\n"
        } else {
            "unhealthy: dependency check failed\n"
        };
        (health_status, body)
    } else {
        (200, "ok\n")
    };
    let response_body = if method == "HEAD" { "" } else { body };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {len}\r\nConnection: close\r\n\r\n{response_body}",
        reason = reason_phrase(status),
        len = body.len(),
    );
    let mut stream = &stream;
    stream.write_all(response.as_bytes())?;
    stream.flush()?;
    println!(
        "{peer} \"{request_line}\" {status} {len} \"{user_agent}\"",
        len = body.len()
    );
    Ok(())
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Status",
    }
}

/// `require-env NAME [REASON...]`: exit 1 unless NAME is set to a non-empty value.
fn require_env_mode(args: &[String]) -> ! {
    let Some((name, reason)) = args.split_first() else {
        usage_error("require-env: missing NAME");
    };
    let reason = if reason.is_empty() {
        default_missing_env_reason(name).to_owned()
    } else {
        reason.join(" ")
    };
    exit_on_termination_signals();
    starting();
    match std::env::var_os(name) {
        Some(value) if !value.is_empty() => {
            // Never log the value: it is usually a secret.
            println!("{name} is set ({} bytes)", value.len());
            println!("ready");
            sleep_forever();
        }
        // Unset and empty are the same failure, as `os.Getenv(name) == ""` makes them in Go.
        _ => fail(&format!(
            "error: required environment variable {name} is not set; {reason}"
        )),
    }
}

/// The consequence a real application would log for a missing variable.
fn default_missing_env_reason(name: &str) -> &'static str {
    let upper = name.to_ascii_uppercase();
    if ["DATABASE", "DB_", "_DB", "POSTGRES", "MYSQL"]
        .iter()
        .any(|hint| upper.contains(hint))
    {
        "cannot connect to database"
    } else {
        "cannot start"
    }
}

/// `connect HOST PORT [NAME]`: exit 1 unless a TCP connection to HOST:PORT succeeds.
fn connect_mode(args: &[String]) -> ! {
    let (host, port, name) = match args {
        [host, port] => (host, port, "upstream"),
        [host, port, name] => (host, port, name.as_str()),
        _ => usage_error("connect: expected HOST PORT [NAME]"),
    };
    // The kubelet leaves `$(POSTGRES_SERVICE_HOST)` as it is when no such variable exists
    // (the Service was created after the pod): a configuration error, not a usage error.
    if host.contains("$(") || port.contains("$(") {
        starting();
        fail(&format!(
            "error: could not connect to {name}: {host}:{port} is an unexpanded variable reference (does the Service exist?)"
        ));
    }
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| usage_error(&format!("connect: PORT must be 0-65535, got {port:?}")));
    exit_on_termination_signals();
    starting();
    if host.is_empty() {
        // Typically `$(POSTGRES_SERVICE_HOST)` expanded to nothing because the Service is
        // missing.
        fail(&format!(
            "error: could not connect to {name}: host is empty (is the service environment variable set?)"
        ));
    }
    println!("connecting to {name} at {host}:{port}");
    let addr = match resolve(host, port) {
        Ok(addr) => addr,
        Err(err) => fail(&format!(
            "error: could not resolve {name} host {host}: {}",
            lowercase_first(&err.to_string())
        )),
    };
    match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
        Ok(_connection) => {
            println!("connected to {name} at {host}:{port}");
            println!("ready");
            sleep_forever();
        }
        Err(err) => fail(&format!(
            "error: could not connect to {name} at {host}:{port}: {}",
            lowercase_first(&err.to_string())
        )),
    }
}

/// IP literals never touch the resolver, which matters because a static glibc binary in an
/// image without NSS libraries cannot use it.
fn resolve(host: &str, port: u16) -> io::Result<SocketAddr> {
    if let Ok(ip) = host.parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, port));
    }
    (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no addresses found"))
}

/// `sleep`: a healthy application that never finishes.
fn sleep_mode(args: &[String]) -> ! {
    if !args.is_empty() {
        usage_error("sleep: takes no arguments");
    }
    exit_on_termination_signals();
    starting();
    println!("ready");
    sleep_forever();
}

/// `pause`: what the pod sandbox's pause container does (kubernetes `build/pause/linux/
/// pause.c`): sleep, reap zombies on SIGCHLD, exit 0 on SIGINT or SIGTERM.
fn pause_mode(args: &[String]) -> ! {
    if !args.is_empty() {
        usage_error("pause: takes no arguments");
    }
    // Handlers first: the warning below doubles as a readiness signal in tests.
    install(SIGINT, on_pause_shutdown);
    install(SIGTERM, on_pause_shutdown);
    install(SIGCHLD, on_pause_child);
    // SAFETY: getpid has no preconditions.
    if unsafe { getpid() } != 1 {
        eprintln!("Warning: pause should be the first process");
    }
    loop {
        // SAFETY: pause has no preconditions; it returns after each handled signal.
        unsafe { pause() };
    }
}

extern "C" fn on_pause_shutdown(signum: c_int) {
    let message: &[u8] = if signum == SIGINT {
        b"Shutting down, got signal: Interrupt\n"
    } else {
        b"Shutting down, got signal: Terminated\n"
    };
    write_stderr_raw(message);
    // SAFETY: _exit is async-signal-safe.
    unsafe { _exit(0) }
}

extern "C" fn on_pause_child(_signum: c_int) {
    // SAFETY: waitpid with WNOHANG is async-signal-safe; a null status pointer is allowed.
    while unsafe { waitpid(-1, std::ptr::null_mut(), WNOHANG) } > 0 {}
}

/// SIGTERM and SIGINT log and exit with 128 + the signal number, like a typical server.
fn exit_on_termination_signals() {
    install(SIGTERM, on_termination_signal);
    install(SIGINT, on_termination_signal);
}

extern "C" fn on_termination_signal(signum: c_int) {
    // Only async-signal-safe calls here: a raw write and _exit. Every log line is printed
    // whole, so Rust's line-buffered stdout holds nothing that could be lost.
    let message: &[u8] = if signum == SIGINT {
        b"received SIGINT, shutting down\n"
    } else {
        b"received SIGTERM, shutting down\n"
    };
    // SAFETY: fd 1 stays open for the life of the process; write and _exit are
    // async-signal-safe.
    unsafe {
        write(1, message.as_ptr(), message.len());
        _exit(128 + signum)
    }
}

fn write_stderr_raw(message: &[u8]) {
    // SAFETY: a plain write of a valid buffer; async-signal-safe.
    unsafe { write(2, message.as_ptr(), message.len()) };
}

fn install(signum: c_int, handler: extern "C" fn(c_int)) {
    set_disposition(signum, handler as usize);
}

fn ignore(signum: c_int) {
    set_disposition(signum, SIG_IGN);
}

fn set_disposition(signum: c_int, handler: usize) {
    // SAFETY: handler is SIG_IGN or an `extern "C" fn(c_int)` that only makes
    // async-signal-safe calls.
    if unsafe { signal(signum, handler) } == SIG_ERR {
        fail(&format!(
            "fatal: could not set the disposition of signal {signum}: {}",
            io::Error::last_os_error()
        ));
    }
}

fn starting() {
    println!("starting app {APP_VERSION}");
}

fn sleep_forever() -> ! {
    flush_stdout();
    loop {
        thread::sleep(Duration::from_secs(3600));
    }
}

/// Logs an error to stderr and exits 1, the way most applications fail.
fn fail(message: &str) -> ! {
    flush_stdout();
    eprintln!("{message}");
    finish(1);
}

fn usage_error(problem: &str) -> ! {
    flush_stdout();
    eprintln!("crashprobe: {problem}\n\n{USAGE}");
    finish(2);
}

fn finish(code: c_int) -> ! {
    flush_stdout();
    let _ = io::stderr().flush();
    process::exit(code)
}

fn flush_stdout() {
    let _ = io::stdout().flush();
}

/// `Connection refused (os error 111)` → `connection refused (os error 111)`, the way Go and
/// most log lines spell errors.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}
