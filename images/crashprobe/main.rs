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
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::process;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

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
  signal SEGV|ABRT                           die by SIGSEGV (a real invalid write) or SIGABRT
                                             (abort); as PID 1 use `wrap signal ABRT`
  crash python|go|java|node [DETAIL]         print that runtime's crash report and exit as it
                                             does; DETAIL: the missing key (python), the panic
                                             (go), the exception message (java), the heap
                                             limit in MB (node)
  serve PORT HEALTH_STATUS [OPTIONS]         HTTP server; GET /healthz answers HEALTH_STATUS
      --on-sigterm exit|ignore               exit 143 on SIGTERM (default), or ignore it
      --health-delay-ms N                    answer /healthz only after N ms
      --healthy-after SECONDS                /healthz answers 503 until SECONDS after start
      --listen-after SECONDS                 bind PORT only SECONDS after start
  db PORT [--listen-after SECONDS]           fake PostgreSQL that accepts TCP connections,
                                             after an init phase of SECONDS
  require-env NAME [REASON...]               exit 1 unless environment variable NAME is set
  connect HOST PORT [NAME]                   exit 1 unless a TCP connection to HOST:PORT works
  write PATH                                 create PATH and write state to it, exit 1 if
                                             that fails
  parse-config PATH                          read `key: value` lines, exit 1 on a bad line
  sleep                                      run forever
  pause                                      pod sandbox: sleep, reap children, exit 0 on TERM
  wrap MODE [ARGS...]                        run MODE as a child, as an entrypoint script does;
                                             report how it ended, then exit as a shell would";

// Linux signal numbers and constants shared by x86_64 and aarch64.
const SIGINT: c_int = 2;
const SIGABRT: c_int = 6;
const SIGSEGV: c_int = 11;
const SIGPIPE: c_int = 13;
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
        "signal" => signal_mode(rest),
        "crash" => crash_mode(rest),
        "serve" => serve_mode(rest),
        "db" => db_mode(rest),
        "require-env" => require_env_mode(rest),
        "connect" => connect_mode(rest),
        "write" => write_mode(rest),
        "parse-config" => parse_config_mode(rest),
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

/// `signal SEGV|ABRT`: dies by the signal, as a native program with a memory bug does.
///
/// SEGV is a real invalid write through a null pointer. The kernel forces the resulting
/// SIGSEGV, which kills even PID 1 (exit 139 in Kubernetes). ABRT prints a failed assertion the
/// way glibc's `assert` does and calls `abort()`. That kills a process that is not PID 1 with
/// SIGABRT (134), but a signal a process sends itself is dropped when it is PID 1 without a
/// handler, so as PID 1 the C library's fallback ends it instead (glibc on x86_64: a `hlt`
/// instruction, so SIGSEGV, 139). `wrap signal ABRT` runs it as a child and exits 134.
fn signal_mode(args: &[String]) -> ! {
    let [name] = args else {
        usage_error("signal: expected SEGV or ABRT");
    };
    match name.strip_prefix("SIG").unwrap_or(name) {
        "SEGV" => {
            starting();
            println!("loading native extension /usr/lib/app/libimgproc.so");
            println!("resizing upload 7f3a9c2e.jpg (4032x3024)");
            flush_stdout();
            let address = std::hint::black_box(std::ptr::null_mut::<u64>());
            // SAFETY: none; this is the crash. Address 0 is never mapped, so the write faults
            // and the kernel delivers SIGSEGV (Rust's stack-overflow handler sees it is not a
            // guard-page hit, restores the default action and returns, and the write faults
            // again). Volatile, so the write is really emitted.
            unsafe { address.write_volatile(0xdead_beef) };
            // Not reached; if the write somehow succeeded, die the way a C program would.
            process::abort();
        }
        "ABRT" => {
            starting();
            println!("evicting 512 entries from the thumbnail cache");
            flush_stdout();
            eprintln!(
                "app: src/cache/lru.c:214: lru_evict: Assertion `entry->refcount > 0' failed."
            );
            let _ = io::stderr().flush();
            process::abort();
        }
        other => usage_error(&format!("signal: expected SEGV or ABRT, got {other:?}")),
    }
}

/// `crash python|go|java|node [DETAIL]`: the crash report of a real runtime on stderr (after
/// the usual startup line on stdout), then the exit status that runtime uses.
fn crash_mode(args: &[String]) -> ! {
    let (runtime, detail) = match args {
        [runtime] => (runtime.as_str(), None),
        [runtime, detail] => (runtime.as_str(), Some(detail.as_str())),
        _ => usage_error("crash: expected python|go|java|node [DETAIL]"),
    };
    let (report, code) = match runtime {
        "python" => (python_traceback(detail.unwrap_or("DATABASE_URL")), 1),
        "go" => (go_panic(detail), 2),
        "java" => (java_exception(detail.unwrap_or(DEFAULT_JAVA_MESSAGE)), 1),
        "node" => {
            let heap_mb = detail.map_or(DEFAULT_NODE_HEAP_MB, |mb| match mb.parse() {
                Ok(mb) if (16..=65_536).contains(&mb) => mb,
                _ => usage_error(&format!(
                    "crash: node heap limit must be 16-65536 MB, got {mb:?}"
                )),
            });
            // V8 calls abort() here: SIGABRT, which a shell and Kubernetes report as 134. As PID
            // 1 the process could not deliver that signal to itself, so it exits 134 directly.
            (node_heap_oom(heap_mb), 134)
        }
        other => usage_error(&format!(
            "crash: runtime must be python, go, java or node, got {other:?}"
        )),
    };
    starting();
    flush_stdout();
    eprint!("{report}");
    finish(code);
}

const DEFAULT_JAVA_MESSAGE: &str = "Could not connect to database at postgres:5432";
const DEFAULT_NODE_HEAP_MB: u32 = 2048;
const GO_NIL_DEREFERENCE: &str = "runtime error: invalid memory address or nil pointer dereference";

/// Python 3.12 reading a missing environment variable with `os.environ[KEY]`.
fn python_traceback(key: &str) -> String {
    let variable: String = key
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    let assignment = format!("{variable} = ");
    format!(
        "Traceback (most recent call last):\n\
         \x20 File \"/app/main.py\", line 48, in <module>\n\
         \x20   main()\n\
         \x20 File \"/app/main.py\", line 41, in main\n\
         \x20   settings = load_settings()\n\
         \x20              ^^^^^^^^^^^^^^^\n\
         \x20 File \"/app/settings.py\", line 17, in load_settings\n\
         \x20   {assignment}os.environ[\"{key}\"]\n\
         \x20   {pad}~~~~~~~~~~{carets}\n\
         \x20 File \"<frozen os>\", line 714, in __getitem__\n\
         KeyError: '{key}'\n",
        pad = " ".repeat(assignment.len()),
        carets = "^".repeat(key.chars().count() + 4),
    )
}

/// A Go panic: by default a nil pointer dereference (with the fault line the runtime adds),
/// otherwise `panic: DETAIL`. Go exits 2 after a panic.
fn go_panic(message: Option<&str>) -> String {
    let message = message.unwrap_or(GO_NIL_DEREFERENCE);
    let fault = if message.contains("nil pointer dereference") {
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6f8e2d]\n"
    } else {
        ""
    };
    format!(
        "panic: {message}\n{fault}\n\
         goroutine 1 [running]:\n\
         github.com/acme/app/internal/store.(*Store).Ping(0x0, {{0x8c4d30, 0xc0000a2000}})\n\
         \t/src/internal/store/store.go:64 +0x2d\n\
         main.run({{0x8c4d30, 0xc0000a2000}})\n\
         \t/src/cmd/app/main.go:48 +0x1f4\n\
         main.main()\n\
         \t/src/cmd/app/main.go:27 +0x25\n"
    )
}

/// An uncaught exception in a JVM's main thread, caused by a refused connection. The JVM
/// exits 1.
fn java_exception(message: &str) -> String {
    format!(
        "Exception in thread \"main\" java.lang.IllegalStateException: {message}\n\
         \tat com.acme.app.db.ConnectionPool.initialize(ConnectionPool.java:87)\n\
         \tat com.acme.app.Application.start(Application.java:54)\n\
         \tat com.acme.app.Application.main(Application.java:31)\n\
         Caused by: java.net.ConnectException: Connection refused\n\
         \tat java.base/sun.nio.ch.Net.pollConnect(Native Method)\n\
         \tat java.base/sun.nio.ch.Net.pollConnectNow(Net.java:682)\n\
         \tat java.base/sun.nio.ch.NioSocketImpl.timedFinishConnect(NioSocketImpl.java:542)\n\
         \tat java.base/sun.nio.ch.NioSocketImpl.connect(NioSocketImpl.java:592)\n\
         \tat java.base/java.net.SocksSocketImpl.connect(SocksSocketImpl.java:327)\n\
         \tat java.base/java.net.Socket.connect(Socket.java:751)\n\
         \tat com.acme.app.db.ConnectionPool.openConnection(ConnectionPool.java:112)\n\
         \tat com.acme.app.db.ConnectionPool.initialize(ConnectionPool.java:83)\n\
         \t... 2 more\n"
    )
}

/// Node.js 20 running out of V8 heap (`--max-old-space-size=HEAP_MB`): the last garbage
/// collections, then the fatal error and native stack that precede `abort()`.
fn node_heap_oom(heap_mb: u32) -> String {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { getpid() };
    let heap = f64::from(heap_mb);
    let isolate = format!("[{pid}:0x5581c1e4a2c0]");
    format!(
        "\n<--- Last few GCs --->\n\n\
         {isolate}    52345 ms: Mark-Compact {a:.1} ({b:.1}) -> {c:.1} ({d:.1}) MB, 1180.52 / 0.00 ms  (average mu = 0.215, current mu = 0.188) allocation failure; scavenge might not succeed\n\
         {isolate}    53612 ms: Mark-Compact {e:.1} ({f:.1}) -> {g:.1} ({h:.1}) MB, 1249.87 / 0.00 ms  (average mu = 0.124, current mu = 0.012) allocation failure; scavenge might not succeed\n\
         \n\n<--- JS stacktrace --->\n\n\
         FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n\
         ----- Native stack trace -----\n\n\
         \x201: 0xca5580 node::Abort() [node]\n\
         \x202: 0xb781f9  [node]\n\
         \x203: 0xeca4d0 v8::Utils::ReportOOMFailure(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]\n\
         \x204: 0xeca7b7 v8::internal::V8::FatalProcessOutOfMemory(v8::internal::Isolate*, char const*, v8::OOMDetails const&) [node]\n\
         \x205: 0x10dc505  [node]\n\
         \x206: 0x10f4388 v8::internal::Heap::CollectGarbage(v8::internal::AllocationSpace, v8::internal::GarbageCollectionReason, v8::GCCallbackFlags) [node]\n\
         \x207: 0x10ca4a1 v8::internal::HeapAllocator::AllocateRawWithLightRetrySlowPath(v8::internal::AllocationType, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment) [node]\n\
         \x208: 0x10cb635 v8::internal::HeapAllocator::AllocateRawWithRetryOrFailSlowPath(v8::internal::AllocationType, v8::internal::AllocationOrigin, v8::internal::AllocationAlignment) [node]\n\
         \x209: 0x10a8c86 v8::internal::Factory::NewFillerObject(int, v8::internal::AllocationAlignment, v8::internal::AllocationType, v8::internal::AllocationOrigin) [node]\n\
         10: 0x1503a16 v8::internal::Runtime_AllocateInYoungGeneration(int, unsigned long*, v8::internal::Isolate*) [node]\n\
         11: 0x1940ef6  [node]\n",
        a = heap - 9.4,
        b = heap + 37.3,
        c = heap - 11.6,
        d = heap + 38.5,
        e = heap + 4.4,
        f = heap + 38.5,
        g = heap + 2.5,
        h = heap + 52.3,
    )
}

/// How long `wrap` takes to report its child's end before exiting.
const WRAP_LINGER: Duration = Duration::from_secs(1);

/// `wrap MODE [ARGS...]`: runs `crashprobe MODE ARGS...` as its child, the way an entrypoint
/// script (`#!/bin/sh` then `java …` without `exec`) or an init such as tini runs the real app,
/// and exits the way a shell does: the child's code, or 128 + the signal that killed it.
///
/// When a signal killed the child it prints what `sh` prints (`Aborted (core dumped)`,
/// `Segmentation fault`, `Killed`), then its own line. This is also how to get a real SIGABRT
/// as PID 1: `wrap signal ABRT` exits 134.
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
            // What sh prints when its foreground command dies by a signal.
            if let Some(description) = shell_signal_description(signal) {
                let core = if status.core_dumped() {
                    " (core dumped)"
                } else {
                    ""
                };
                eprintln!("{description}{core}");
            }
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

/// The text `sh` (dash, busybox ash) prints for a command killed by `signal`: glibc's
/// `strsignal`, and nothing for SIGINT and SIGPIPE.
fn shell_signal_description(signal: c_int) -> Option<String> {
    let text = match signal {
        SIGINT | SIGPIPE => return None,
        1 => "Hangup",
        3 => "Quit",
        4 => "Illegal instruction",
        5 => "Trace/breakpoint trap",
        SIGABRT => "Aborted",
        7 => "Bus error",
        8 => "Floating point exception",
        9 => "Killed",
        10 => "User defined signal 1",
        SIGSEGV => "Segmentation fault",
        12 => "User defined signal 2",
        14 => "Alarm clock",
        SIGTERM => "Terminated",
        other => return Some(format!("Signal {other}")),
    };
    Some(text.to_owned())
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

/// `serve PORT HEALTH_STATUS [OPTIONS]`: an HTTP/1.1 server whose `/healthz` answers
/// HEALTH_STATUS and every other path 200.
///
/// The options make it start or answer slowly, as real servers do: `--listen-after` binds the
/// port only after a cache warm-up (probes meanwhile get `connection refused`),
/// `--healthy-after` answers `/healthz` with 503 until the warm-up is over, and
/// `--health-delay-ms` makes every health check take that long (probes time out).
fn serve_mode(args: &[String]) -> ! {
    let start = Instant::now();
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
    let mut on_sigterm = OnSigterm::Exit;
    let mut health = Health {
        status: health_status,
        delay: Duration::ZERO,
        healthy_at: start,
    };
    let mut listen_after = Duration::ZERO;
    let names = [
        "--on-sigterm",
        "--health-delay-ms",
        "--healthy-after",
        "--listen-after",
    ];
    for (name, value) in parse_options("serve", rest, &names) {
        match name {
            "--on-sigterm" => on_sigterm = parse_on_sigterm(value),
            "--health-delay-ms" => match value.parse::<u64>() {
                Ok(ms) if ms <= 600_000 => health.delay = Duration::from_millis(ms),
                _ => usage_error(&format!(
                    "serve: --health-delay-ms must be 0-600000, got {value:?}"
                )),
            },
            "--healthy-after" => health.healthy_at = start + parse_seconds("serve", name, value),
            _ => listen_after = parse_seconds("serve", name, value),
        }
    }

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
    let warm_up = listen_after.max(health.healthy_at - start);
    if !warm_up.is_zero() {
        println!("warming caches before serving traffic");
        if warm_up == listen_after {
            warm_caches(start, warm_up);
        } else {
            thread::spawn(move || warm_caches(start, warm_up));
            sleep_until(start + listen_after);
        }
    }
    let address = SocketAddr::from(([0, 0, 0, 0], port));
    let listener = match TcpListener::bind(address) {
        Ok(listener) => listener,
        // Go's wording, the most common one for this in container logs.
        Err(err) => fail(&format!(
            "error: listen tcp {address}: bind: {}",
            lowercase_first(&os_error_text(&err))
        )),
    };
    let local = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("listening on 0.0.0.0:{local}");
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                thread::spawn(move || {
                    if let Err(err) = handle_http(stream, health) {
                        eprintln!("warning: connection error: {err}");
                    }
                });
            }
            Err(err) => eprintln!("warning: accept failed: {err}"),
        }
    }
    fail("error: listener closed")
}

/// How `serve` answers `/healthz`.
#[derive(Clone, Copy)]
struct Health {
    /// The status once healthy.
    status: u16,
    /// How long each health check takes.
    delay: Duration,
    /// Until then, health checks answer 503.
    healthy_at: Instant,
}

/// Entries the fake cache warm-up claims to load.
const CACHE_ENTRIES: u64 = 48_213;

/// Logs a cache warm-up that ends `duration` after `start`: progress every second, then a
/// completion line once the time is up.
fn warm_caches(start: Instant, duration: Duration) {
    every_second_until(start, duration, |elapsed| {
        let loaded = CACHE_ENTRIES * elapsed.as_millis() as u64 / duration.as_millis() as u64;
        println!(
            "warming caches: {loaded}/{CACHE_ENTRIES} entries ({}%)",
            loaded * 100 / CACHE_ENTRIES
        );
    });
    println!(
        "caches warm: {CACHE_ENTRIES} entries loaded in {:.1}s",
        duration.as_secs_f64()
    );
}

/// Calls `tick` one, two, … seconds after `start`, and returns `duration` after `start`.
fn every_second_until(start: Instant, duration: Duration, mut tick: impl FnMut(Duration)) {
    let mut elapsed = Duration::from_secs(1);
    while elapsed < duration {
        sleep_until(start + elapsed);
        tick(elapsed);
        elapsed += Duration::from_secs(1);
    }
    sleep_until(start + duration);
}

fn sleep_until(deadline: Instant) {
    let now = Instant::now();
    if deadline > now {
        thread::sleep(deadline - now);
    }
}

/// Options given as `--name value` or `--name=value`, in any order, each one of `names`.
fn parse_options<'a>(mode: &str, args: &'a [String], names: &[&str]) -> Vec<(&'a str, &'a str)> {
    let mut options = Vec::new();
    let mut rest = args;
    while let Some((arg, after)) = rest.split_first() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) => (name, Some(value)),
            None => (arg.as_str(), None),
        };
        if !names.contains(&name) {
            usage_error(&format!("{mode}: unexpected argument {arg:?}"));
        }
        rest = after;
        let value = match inline {
            Some(value) => value,
            None => {
                let Some((value, after)) = rest.split_first() else {
                    usage_error(&format!("{mode}: {name} needs a value"));
                };
                rest = after;
                value.as_str()
            }
        };
        options.push((name, value));
    }
    options
}

/// A delay in seconds, fractions allowed (`0.5`), at most a day.
fn parse_seconds(mode: &str, name: &str, value: &str) -> Duration {
    match value.parse::<f64>() {
        Ok(seconds) if (0.0..=86_400.0).contains(&seconds) => Duration::from_secs_f64(seconds),
        _ => usage_error(&format!(
            "{mode}: {name} must be 0-86400 seconds, got {value:?}"
        )),
    }
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
fn handle_http(stream: TcpStream, health: Health) -> io::Result<()> {
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
        // The check itself (a dependency round trip, in a real server) takes this long.
        thread::sleep(health.delay);
        if Instant::now() < health.healthy_at {
            (503, "unavailable: warming caches\n")
        } else if health.status < 400 {
            (health.status, "ok\n")
        } else {
            (health.status, "unhealthy: dependency check failed\n")
        }
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

/// What the official `postgres` image prints on its first start while `initdb` and the init
/// scripts run. Its temporary server listens only on the Unix socket, so TCP clients get
/// `connection refused` until the real server starts.
const POSTGRES_INIT: &str = "\
The files belonging to this database system will be owned by user \"postgres\".
This user must also own the server process.

The database cluster will be initialized with locale \"en_US.utf8\".
The default text search configuration will be set to \"english\".

fixing permissions on existing directory /var/lib/postgresql/data ... ok
creating subdirectories ... ok
selecting default max_connections ... 100
selecting default shared_buffers ... 128MB
creating configuration files ... ok
running bootstrap script ... ok
performing post-bootstrap initialization ... ok
syncing data to disk ... ok

Success. You can now start the database server using:

    pg_ctl -D /var/lib/postgresql/data -l logfile start

waiting for server to start.... done
server started
CREATE DATABASE

/usr/local/bin/docker-entrypoint.sh: running /docker-entrypoint-initdb.d/10-schema.sql
CREATE TABLE
CREATE INDEX
";

const POSTGRES_INIT_DONE: &str = "
waiting for server to shut down.... done
server stopped

PostgreSQL init process complete; ready for start up.

";

/// `db PORT [--listen-after SECONDS]`: a fake PostgreSQL 16 server. It logs the way the
/// official image does and accepts TCP connections on PORT (it speaks no protocol: it holds
/// each connection until the client closes it).
///
/// With `--listen-after`, it first spends SECONDS in the image's first-start initialisation
/// (one `INSERT 0 5000` per second from the init script), during which nothing listens on PORT.
fn db_mode(args: &[String]) -> ! {
    let start = Instant::now();
    let Some((port, rest)) = args.split_first() else {
        usage_error("db: missing PORT");
    };
    let port: u16 = port
        .parse()
        .unwrap_or_else(|_| usage_error(&format!("db: PORT must be 0-65535, got {port:?}")));
    let mut listen_after = Duration::ZERO;
    for (name, value) in parse_options("db", rest, &["--listen-after"]) {
        listen_after = parse_seconds("db", name, value);
    }
    exit_on_termination_signals();
    if listen_after.is_zero() {
        println!(
            "\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n"
        );
    } else {
        print!("{POSTGRES_INIT}");
        every_second_until(start, listen_after, |_| println!("INSERT 0 5000"));
        print!("{POSTGRES_INIT_DONE}");
    }
    flush_stdout();
    let vendor = if std::env::consts::ARCH == "x86_64" {
        "pc"
    } else {
        "unknown"
    };
    postgres_log(&format!(
        "starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on {}-{vendor}-linux-gnu, \
         compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit",
        std::env::consts::ARCH
    ));
    let listener = match TcpListener::bind(SocketAddr::from(([0, 0, 0, 0], port))) {
        Ok(listener) => listener,
        Err(err) => {
            postgres_log(&format!(
                "could not bind IPv4 address \"0.0.0.0\": {}",
                os_error_text(&err)
            ));
            postgres_log_level(
                "HINT",
                &format!(
                    "Is another postmaster already running on port {port}? \
                     If not, wait a few seconds and retry."
                ),
            );
            postgres_log_level("WARNING", "could not create listen socket for \"*\"");
            postgres_log_level("FATAL", "could not create any TCP/IP sockets");
            postgres_log("database system is shut down");
            finish(1);
        }
    };
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    postgres_log(&format!(
        "listening on IPv4 address \"0.0.0.0\", port {port}"
    ));
    postgres_log(&format!(
        "listening on Unix socket \"/var/run/postgresql/.s.PGSQL.{port}\""
    ));
    let shut_down = SystemTime::now() - Duration::from_secs(1);
    postgres_log(&format!(
        "database system was shut down at {}",
        utc_timestamp(shut_down, false)
    ));
    postgres_log("database system is ready to accept connections");
    for stream in listener.incoming() {
        match stream {
            Ok(mut stream) => {
                thread::spawn(move || io::copy(&mut stream, &mut io::sink()));
            }
            Err(err) => postgres_log(&format!("could not accept new connection: {err}")),
        }
    }
    finish(1)
}

fn postgres_log(message: &str) {
    postgres_log_level("LOG", message);
}

/// A line in PostgreSQL's default `log_line_prefix` (`%m [%p] `), on stderr as its server logs.
fn postgres_log_level(level: &str, message: &str) {
    // SAFETY: getpid has no preconditions.
    let pid = unsafe { getpid() };
    eprintln!(
        "{} [{pid}] {level}:  {message}",
        utc_timestamp(SystemTime::now(), true)
    );
}

/// `2026-05-01 12:00:00.123 UTC` (or without the milliseconds).
fn utc_timestamp(time: SystemTime, millis: bool) -> String {
    let since_epoch = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let seconds = since_epoch.as_secs();
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let time_of_day = seconds % 86_400;
    let mut text = format!(
        "{year}-{month:02}-{day:02} {:02}:{:02}:{:02}",
        time_of_day / 3600,
        time_of_day / 60 % 60,
        time_of_day % 60
    );
    if millis {
        text.push_str(&format!(".{:03}", since_epoch.subsec_millis()));
    }
    text.push_str(" UTC");
    text
}

/// Year, month and day of the `days`th day after 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let days = days + 719_468;
    let era = days / 146_097;
    let day_of_era = days % 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    (year, month, day)
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

/// `write PATH`: creates PATH's directory and PATH, as an application initialising its state
/// file does, then runs. Failing that (a read-only root file system, a read-only volume), it
/// logs which step failed with the OS's error and exits 1.
fn write_mode(args: &[String]) -> ! {
    let [path] = args else {
        usage_error("write: expected PATH");
    };
    exit_on_termination_signals();
    starting();
    println!("opening state file {path}");
    let state = format!("version={APP_VERSION}\nstate=initialized\n");
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        if let Err(err) = fs::create_dir_all(dir) {
            fail_io("mkdir", &dir.display().to_string(), &err);
        }
    }
    let mut file = File::create(path).unwrap_or_else(|err| fail_io("open", path, &err));
    if let Err(err) = file
        .write_all(state.as_bytes())
        .and_then(|()| file.sync_all())
    {
        fail_io("write", path, &err);
    }
    println!(
        "wrote {} bytes to {path}: {}",
        state.len(),
        state.trim_end().replace('\n', " ")
    );
    println!("ready");
    sleep_forever();
}

/// `parse-config PATH`: reads a flat YAML-like file of `key: value` lines (a mounted
/// ConfigMap); blank lines and `#` comments are skipped. The first line that is not
/// `key: value` is reported with its number and text, and the program exits 1, as a strict
/// config loader does. A valid file is logged (secret-looking values redacted) and it runs.
fn parse_config_mode(args: &[String]) -> ! {
    let [path] = args else {
        usage_error("parse-config: expected PATH");
    };
    exit_on_termination_signals();
    starting();
    println!("loading configuration from {path}");
    let mut file = File::open(path).unwrap_or_else(|err| fail_io("open", path, &err));
    let mut text = String::new();
    if let Err(err) = file.read_to_string(&mut text) {
        fail_io("read", path, &err);
    }
    let mut settings = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if line.trim_start().is_empty() || line.trim_start().starts_with('#') || line == "---" {
            continue;
        }
        match parse_setting(line) {
            Some(setting) => settings.push(setting),
            None => fail(&format!(
                "error: parsing {path}: line {}: expected \"key: value\", found {:?}",
                index + 1,
                line.trim()
            )),
        }
    }
    for (key, value) in &settings {
        let secret = ["password", "secret", "token", "api_key", "apikey"]
            .iter()
            .any(|word| key.to_ascii_lowercase().contains(word));
        let value = if secret { "<redacted>" } else { value };
        println!("config: {key}={value}");
    }
    println!("configuration loaded ({} settings)", settings.len());
    println!("ready");
    sleep_forever();
}

/// `key: value`, where the key starts the line and has no spaces, and the value is not empty;
/// a trailing ` # comment` and one pair of quotes around the value are dropped.
fn parse_setting(line: &str) -> Option<(&str, &str)> {
    let (key, value) = line.split_once(": ")?;
    if key.is_empty() || key.contains(char::is_whitespace) {
        return None;
    }
    let value = value.split(" #").next().unwrap_or("").trim();
    let value = [('"', '"'), ('\'', '\'')]
        .iter()
        .find_map(|&(open, close)| value.strip_prefix(open)?.strip_suffix(close))
        .unwrap_or(value);
    (!value.is_empty()).then_some((key, value))
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

/// `error: open PATH: read-only file system (os error 30)`, then exit 1.
fn fail_io(operation: &str, path: &str, err: &io::Error) -> ! {
    fail(&format!(
        "error: {operation} {path}: {}",
        lowercase_first(&err.to_string())
    ))
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

/// `Address already in use (os error 98)` → `Address already in use`: the C library's text,
/// as PostgreSQL prints it (and Go, lowercased).
fn os_error_text(err: &io::Error) -> String {
    let text = err.to_string();
    match text.split_once(" (os error ") {
        Some((message, _)) => message.to_owned(),
        None => text,
    }
}
