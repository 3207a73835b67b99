//! The supervisor: a detached crashlab process (`crashlab cluster supervise`) that starts the
//! components in order, waits for each to be ready, restarts one that dies, and on SIGTERM
//! stops them all in reverse order. It reports through `<state>/status.json`.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::component::{Component, Readiness};
use super::layout::Layout;
use super::supervisor_status::{ComponentState, ComponentStatus, SupervisorStatus};
use super::{LocalError, host};

/// How long one component may take to become ready.
const READY_TIMEOUT: Duration = Duration::from_secs(90);
/// A component that dies this often in a row, each time sooner than [`STABLE_AFTER`] after its
/// start, is given up on.
const MAX_RESTARTS: u32 = 5;
/// A component that ran this long before dying starts counting its restarts afresh: five
/// crashes in an afternoon are not a crash loop (measured: five kills of kube-apiserver spread
/// over 20 minutes left the cluster without an API server for good).
const STABLE_AFTER: Duration = Duration::from_secs(60);

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_term(_: libc::c_int) {
    STOP.store(true, Ordering::SeqCst);
}

struct Running {
    component: Component,
    child: Option<Child>,
    /// When the current process was started.
    started: Instant,
    /// Restarts since the component last ran for [`STABLE_AFTER`].
    recent_restarts: u32,
}

/// Runs the supervisor in the current process until SIGTERM/SIGINT. Never returns early on a
/// component failure: it records it, so `cluster status` and `cluster up` can show the logs.
pub fn run(
    layout: &Layout,
    components: Vec<Component>,
    after_ready: &dyn Fn(&str) -> Result<(), LocalError>,
) -> Result<(), LocalError> {
    // SAFETY: installs an async-signal-safe handler that only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGTERM, on_term as *const () as libc::sighandler_t);
        libc::signal(libc::SIGINT, on_term as *const () as libc::sighandler_t);
    }
    let start = Instant::now();
    fs::write(layout.supervisor_pid(), std::process::id().to_string())
        .map_err(|e| LocalError::io(&layout.supervisor_pid(), e))?;
    let mut status = SupervisorStatus {
        supervisor_pid: std::process::id(),
        phase: "starting".into(),
        components: components
            .iter()
            .map(|c| {
                (
                    c.name.to_string(),
                    ComponentStatus {
                        state: ComponentState::Waiting,
                        pid: None,
                        restarts: 0,
                        ready_after_s: None,
                        last_exit: None,
                    },
                )
            })
            .collect(),
        milestones: Vec::new(),
    };
    publish(layout, &status);

    let mut running: Vec<Running> = Vec::new();
    for component in components {
        if STOP.load(Ordering::SeqCst) {
            break;
        }
        let name = component.name;
        let st = status.components.get_mut(name).expect("known component");
        st.state = ComponentState::Starting;
        publish(layout, &status);
        let child = match spawn(layout, &component) {
            Ok(c) => c,
            Err(e) => {
                status.phase = format!("failed: {name} could not start: {e}");
                publish(layout, &status);
                break;
            }
        };
        status.components.get_mut(name).unwrap().pid = Some(child.id());
        publish(layout, &status);
        let mut r = Running {
            component,
            child: Some(child),
            started: Instant::now(),
            recent_restarts: 0,
        };
        match wait_ready(&mut r) {
            Ok(()) => {
                let st = status.components.get_mut(name).unwrap();
                st.state = ComponentState::Ready;
                st.ready_after_s = Some(start.elapsed().as_secs_f64());
                running.push(r);
                if let Err(e) = after_ready(name) {
                    status.phase = format!("failed: after {name} was ready: {e}");
                    publish(layout, &status);
                    break;
                }
                status
                    .milestones
                    .push((format!("{name} ready"), start.elapsed().as_secs_f64()));
                publish(layout, &status);
            }
            Err(why) => {
                let st = status.components.get_mut(name).unwrap();
                st.state = ComponentState::Failed;
                st.last_exit = Some(why.clone());
                status.phase = format!("failed: {name} {why} (see {})", layout.log(name).display());
                running.push(r);
                publish(layout, &status);
                break;
            }
        }
    }
    if !status.phase.starts_with("failed") && !STOP.load(Ordering::SeqCst) {
        status.phase = "running".into();
        publish(layout, &status);
    }

    // Watch: restart components that die, until told to stop.
    while !STOP.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(250));
        for r in running.iter_mut() {
            let Some(child) = r.child.as_mut() else {
                continue;
            };
            if let Ok(Some(exit)) = child.try_wait() {
                let name = r.component.name;
                let st = status.components.get_mut(name).unwrap();
                st.last_exit = Some(exit.to_string());
                log_line(
                    layout,
                    name,
                    &format!("crashlab supervisor: {name} exited ({exit})"),
                );
                if r.started.elapsed() >= STABLE_AFTER {
                    r.recent_restarts = 0;
                }
                if r.recent_restarts >= MAX_RESTARTS {
                    st.state = ComponentState::Failed;
                    st.pid = None;
                    r.child = None;
                } else {
                    st.restarts += 1;
                    r.recent_restarts += 1;
                    st.state = ComponentState::Restarting;
                    std::thread::sleep(Duration::from_secs(u64::from(r.recent_restarts)));
                    match spawn(layout, &r.component) {
                        Ok(c) => {
                            st.pid = Some(c.id());
                            st.state = ComponentState::Ready;
                            r.started = Instant::now();
                            r.child = Some(c);
                        }
                        Err(e) => {
                            st.state = ComponentState::Failed;
                            st.last_exit = Some(format!("restart failed: {e}"));
                            r.child = None;
                        }
                    }
                }
                publish(layout, &status);
            }
        }
    }

    status.phase = "stopping".into();
    publish(layout, &status);
    for r in running.iter_mut().rev() {
        if let Some(child) = r.child.as_mut() {
            let t = Instant::now();
            stop(child, Duration::from_secs(15));
            log_line(
                layout,
                r.component.name,
                &format!(
                    "crashlab supervisor: stopped in {:.1}s",
                    t.elapsed().as_secs_f64()
                ),
            );
        }
        let st = status.components.get_mut(r.component.name).unwrap();
        st.state = ComponentState::Stopped;
        st.pid = None;
        publish(layout, &status);
    }
    status.phase = "stopped".into();
    publish(layout, &status);
    let _ = fs::remove_file(layout.supervisor_pid());
    Ok(())
}

fn spawn(layout: &Layout, c: &Component) -> std::io::Result<Child> {
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(layout.log(c.name))?;
    let err = log.try_clone()?;
    let mut cmd = Command::new(&c.program);
    cmd.args(&c.args)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(err)
        .current_dir(&layout.root);
    // The components need the CNI plugins, iptables and the containerd shim on PATH.
    cmd.env("PATH", host::component_path());
    // Own process group: a Ctrl-C in the terminal that started `cluster up` must not reach them.
    cmd.process_group(0);
    cmd.spawn()
}

fn wait_ready(r: &mut Running) -> Result<(), String> {
    let deadline = Instant::now() + READY_TIMEOUT;
    loop {
        if STOP.load(Ordering::SeqCst) {
            return Err("was asked to stop before it was ready".into());
        }
        if let Some(child) = r.child.as_mut()
            && let Ok(Some(exit)) = child.try_wait()
        {
            return Err(format!("exited before it was ready ({exit})"));
        }
        if is_ready(&r.component.ready) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("was not ready after {}s", READY_TIMEOUT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Whether a readiness condition holds right now.
pub fn is_ready(ready: &Readiness) -> bool {
    match ready {
        Readiness::Socket(path) => std::os::unix::net::UnixStream::connect(path).is_ok(),
        Readiness::Tcp(port) => {
            TcpStream::connect_timeout(&([127, 0, 0, 1], *port).into(), Duration::from_millis(300))
                .is_ok()
        }
        Readiness::Http { port, path } => http_ok(*port, path),
        Readiness::Command(program, args) => Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success()),
    }
}

fn http_ok(port: u16, path: &str) -> bool {
    let Ok(mut s) =
        TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_millis(300))
    else {
        return false;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    if s.write_all(format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").as_bytes())
        .is_err()
    {
        return false;
    }
    let mut buf = [0u8; 16];
    let mut got = 0;
    while got < buf.len() {
        match s.read(&mut buf[got..]) {
            Ok(0) | Err(_) => break,
            Ok(n) => got += n,
        }
    }
    let head = String::from_utf8_lossy(&buf[..got]);
    head.starts_with("HTTP/1.") && head[8..].trim_start().starts_with("200")
}

/// SIGTERM, then SIGKILL after `grace`.
fn stop(child: &mut Child, grace: Duration) {
    let pid = child.id() as libc::pid_t;
    // SAFETY: plain kill(2) on a child we own.
    unsafe { libc::kill(pid, libc::SIGTERM) };
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn publish(layout: &Layout, status: &SupervisorStatus) {
    let tmp = layout.status_file().with_extension("json.tmp");
    if let Ok(mut f) = File::create(&tmp) {
        let _ = f.write_all(
            serde_json::to_string_pretty(status)
                .unwrap_or_default()
                .as_bytes(),
        );
        let _ = fs::rename(&tmp, layout.status_file());
    }
}

fn log_line(layout: &Layout, component: &str, line: &str) {
    if let Ok(mut f) = OpenOptions::new()
        .create(true)
        .append(true)
        .open(layout.log(component))
    {
        let _ = writeln!(f, "{line}");
    }
}
