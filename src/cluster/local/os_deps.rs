//! Host packages of the local provider (`crashlab cluster deps`): containerd ≥ 2.1 from
//! Debian sid through a pinned extra apt source, runc, the CNI plugins, iptables, conntrack and
//! the namespace tools from bookworm — how to check for them and how to install them
//! (docs/local-cluster.md, "Decisions" and "Versions").

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use thiserror::Error;

use super::versions::CONTAINERD_MINIMUM;
use crate::k8s_version::Semver;

/// The extra apt source for Debian sid. Pinned at priority 100 by [`SID_PIN`], so only what is
/// asked for as `pkg/sid` (containerd, etcd-server) comes from it.
pub const SID_SOURCES_PATH: &str = "/etc/apt/sources.list.d/crashlab-sid.sources";
pub const SID_SOURCES: &str = "\
Types: deb
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
";
pub const SID_PIN_PATH: &str = "/etc/apt/preferences.d/crashlab-sid";
pub const SID_PIN: &str = "\
Package: *
Pin: release n=sid
Pin-Priority: 100
";
const ARCHIVE_KEYRING: &str = "/usr/share/keyrings/debian-archive-keyring.gpg";
const APT_LISTS: &str = "/var/lib/apt/lists";

/// While it exists and exits 101, maintainer scripts start no service (invoke-rc.d's
/// policy-rc.d interface): crashlab runs its own containerd, never the system one.
pub const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";
const POLICY_RC_D_SCRIPT: &str =
    "#!/bin/sh\n# written by crashlab during apt-get install: start no service\nexit 101\n";

/// Debian's CNI plugin directory (not /opt/cni/bin).
pub const CNI_BIN_DIR: &str = "/usr/lib/cni";
/// The plugins of crashlab's conflist: bridge + host-local IPAM + portmap, and loopback.
pub const CNI_PLUGINS: [&str; 4] = ["bridge", "host-local", "portmap", "loopback"];

/// What `install` asks apt for. containerd 2.x comes from sid (bookworm has 1.6.20); sid's
/// runc needs glibc 2.38, so runc stays bookworm's.
pub const APT_PACKAGES: &[&str] = &[
    "containerd/sid",
    "runc",
    "containernetworking-plugins",
    "iptables",
    "conntrack",
    "iproute2",
    "util-linux",
];

/// Errors of this module.
#[derive(Debug, Error)]
pub enum DepsError {
    #[error(
        "crashlab cluster deps only knows how to install on Debian (no /etc/debian_version): install containerd ≥{CONTAINERD_MINIMUM}, runc, the CNI plugins (bridge, host-local, portmap, loopback), iptables, conntrack, nsenter and ip by hand"
    )]
    NotDebian,
    #[error(
        "{ARCHIVE_KEYRING} is missing, so the sid source cannot be verified: apt-get install debian-archive-keyring"
    )]
    NoArchiveKeyring,
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: io::Error,
    },
    #[error("cannot run {program}: {source}")]
    Spawn { program: String, source: io::Error },
    #[error("`{command}` failed ({status}); its output is above")]
    Command { command: String, status: String },
    #[error("apt-get finished, but still missing: {}", list(.0))]
    StillMissing(Vec<MissingDep>),
}

pub type Result<T, E = DepsError> = std::result::Result<T, E>;

fn list(missing: &[MissingDep]) -> String {
    missing
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// A dependency that is absent or too old.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingDep {
    /// What is needed: `containerd ≥ 2.1.0`, `runc`, `CNI plugin portmap`.
    pub what: String,
    /// What is wrong: `not found`, `found 1.6.20`.
    pub problem: String,
    /// The apt package that provides it, as `install` asks for it.
    pub package: &'static str,
}

impl fmt::Display for MissingDep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} (package {})",
            self.what, self.problem, self.package
        )
    }
}

/// Where to look: the directories searched for programs and the CNI plugin directory.
/// [`Host::this_machine`] is the real one; tests point it at a temporary directory.
#[derive(Debug, Clone)]
pub struct Host {
    pub search_path: Vec<PathBuf>,
    pub cni_bin_dir: PathBuf,
}

impl Host {
    /// `$PATH`, then the sbin directories (a non-root PATH often lacks them), and
    /// [`CNI_BIN_DIR`].
    pub fn this_machine() -> Self {
        let mut search_path: Vec<PathBuf> = std::env::var_os("PATH")
            .map(|p| std::env::split_paths(&p).collect())
            .unwrap_or_default();
        for dir in [
            "/usr/local/sbin",
            "/usr/local/bin",
            "/usr/sbin",
            "/usr/bin",
            "/sbin",
            "/bin",
        ] {
            let dir = PathBuf::from(dir);
            if !search_path.contains(&dir) {
                search_path.push(dir);
            }
        }
        Self {
            search_path,
            cni_bin_dir: PathBuf::from(CNI_BIN_DIR),
        }
    }

    /// The first executable file called `name` in the search path.
    pub fn find_program(&self, name: &str) -> Option<PathBuf> {
        self.search_path
            .iter()
            .map(|dir| dir.join(name))
            .find(|p| is_executable(p))
    }

    /// Everything missing or too old; empty when the host is ready.
    pub fn check(&self) -> Vec<MissingDep> {
        let mut missing = Vec::new();
        let mut need = |what: String, problem: String, package: &'static str| {
            missing.push(MissingDep {
                what,
                problem,
                package,
            })
        };

        let containerd = format!("containerd ≥ {CONTAINERD_MINIMUM}");
        match self.find_program("containerd") {
            None => need(containerd, "not found".into(), "containerd/sid"),
            Some(path) => match output_retrying(Command::new(&path).arg("--version")) {
                Err(e) => need(
                    containerd,
                    format!("{} --version failed: {e}", path.display()),
                    "containerd/sid",
                ),
                Ok(out) => {
                    let text = String::from_utf8_lossy(&out.stdout);
                    match parse_containerd_version(&text) {
                        Some(v) if v >= CONTAINERD_MINIMUM => {}
                        Some(v) => need(
                            containerd,
                            format!("found {v} at {}", path.display()),
                            "containerd/sid",
                        ),
                        None => need(
                            containerd,
                            format!("cannot read the version in {:?}", text.trim()),
                            "containerd/sid",
                        ),
                    }
                }
            },
        }

        for (program, package) in [
            ("ctr", "containerd/sid"),
            ("runc", "runc"),
            ("iptables", "iptables"),
            ("conntrack", "conntrack"),
            ("nsenter", "util-linux"),
            ("ip", "iproute2"),
        ] {
            if self.find_program(program).is_none() {
                need(program.to_string(), "not found".into(), package);
            }
        }

        for plugin in CNI_PLUGINS {
            let path = self.cni_bin_dir.join(plugin);
            if !is_executable(&path) {
                need(
                    format!("CNI plugin {plugin}"),
                    format!("{} not found", path.display()),
                    "containernetworking-plugins",
                );
            }
        }
        missing
    }
}

/// Checks this machine (see [`Host::check`]).
pub fn check() -> Vec<MissingDep> {
    Host::this_machine().check()
}

/// Finds a program on this machine's PATH (and the sbin directories).
pub fn find_program(name: &str) -> Option<PathBuf> {
    Host::this_machine().find_program(name)
}

/// `Command::output`, retried briefly on ETXTBSY: a program written a moment ago can still be
/// open for writing in a child that another thread forked and that has not exec'd yet.
pub(crate) fn output_retrying(cmd: &mut Command) -> io::Result<std::process::Output> {
    retrying_busy(|| cmd.output())
}

/// `Command::spawn`, retried briefly on ETXTBSY, for the same reason as [`output_retrying`].
pub(crate) fn spawn_retrying(cmd: &mut Command) -> io::Result<std::process::Child> {
    retrying_busy(|| cmd.spawn())
}

/// Up to 20 tries, 25 ms apart, while the program's file is busy.
fn retrying_busy<T>(mut run: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    let mut attempt = 0;
    loop {
        match run() {
            Err(e) if e.raw_os_error() == Some(libc::ETXTBSY) && attempt < 20 => {
                attempt += 1;
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            result => return result,
        }
    }
}

fn is_executable(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The version in `containerd --version`, which prints `containerd <module> <version>
/// <revision>`: `containerd github.com/containerd/containerd/v2 2.1.9+unknown` (sid),
/// `containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1` (bookworm).
pub fn parse_containerd_version(output: &str) -> Option<Semver> {
    let line = output
        .lines()
        .find(|l| l.trim_start().starts_with("containerd"))?;
    line.split_whitespace()
        .skip(2)
        .find_map(Semver::parse_lenient)
}

/// What [`install`] did or would do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallOutcome {
    /// Everything was there, including the sid source (needed for etcd).
    AlreadyInstalled,
    /// The packages were installed; nothing is missing any more.
    Installed,
    /// `dry_run`: the commands that would run.
    DryRun { commands: Vec<String> },
    /// Not root: the commands to run, each prefixed with `sudo`.
    NeedsRoot { commands: Vec<String> },
}

/// The shell commands that set up the sid source and install [`APT_PACKAGES`], prefixed with
/// `sudo ` unless `as_root`. Printed for people who are not root; `install` does the same
/// steps itself.
pub fn install_commands(as_root: bool) -> Vec<String> {
    let sudo = if as_root { "" } else { "sudo " };
    let printf_lines = |text: &str| {
        text.lines()
            .map(|l| format!("'{l}'"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    vec![
        format!(
            "printf '%s\\n' {} | {sudo}tee {SID_SOURCES_PATH} >/dev/null",
            printf_lines(SID_SOURCES)
        ),
        format!(
            "printf '%s\\n' {} | {sudo}tee {SID_PIN_PATH} >/dev/null",
            printf_lines(SID_PIN)
        ),
        format!("{sudo}apt-get update"),
        format!(
            "printf '#!/bin/sh\\nexit 101\\n' | {sudo}tee {POLICY_RC_D} >/dev/null && {sudo}chmod 755 {POLICY_RC_D}"
        ),
        format!(
            "{sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends {}",
            APT_PACKAGES.join(" ")
        ),
        format!("{sudo}rm -f {POLICY_RC_D}"),
    ]
}

/// `crashlab cluster deps`. As root: writes the sid source and pin (unchanged files
/// are left alone), runs `apt-get update` and `apt-get install` with a policy-rc.d that keeps
/// the packages from starting services, and checks again. Not root, or `dry_run`: returns the
/// commands instead. Says what it does on stdout, as does apt itself.
pub fn install(dry_run: bool) -> Result<InstallOutcome> {
    install_to(dry_run, &mut io::stdout().lock())
}

/// For the unit tests that use this machine (`real_machine_*`, run by the README's test
/// command before any end-to-end test has prepared it): installs what `crashlab cluster deps`
/// installs, once per test process. A fresh machine has none of it.
#[cfg(test)]
pub(crate) fn prepare_this_machine_for_tests() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let outcome = install_to(false, &mut io::stderr().lock());
        assert!(
            matches!(
                outcome,
                Ok(InstallOutcome::AlreadyInstalled | InstallOutcome::Installed)
            ),
            "`crashlab cluster deps` on this machine: {outcome:?}"
        );
    });
}

/// [`install`], saying what it does on `out`.
pub fn install_to(dry_run: bool, out: &mut dyn Write) -> Result<InstallOutcome> {
    let host = Host::this_machine();
    let missing = host.check();
    let source_in_place = fs::read_to_string(SID_SOURCES_PATH).is_ok_and(|s| s == SID_SOURCES)
        && fs::read_to_string(SID_PIN_PATH).is_ok_and(|s| s == SID_PIN)
        && sid_lists_present();
    if missing.is_empty() && source_in_place {
        say(
            out,
            "all dependencies are installed and the Debian sid source is set up",
        );
        return Ok(InstallOutcome::AlreadyInstalled);
    }
    for m in &missing {
        say(out, &format!("missing {m}"));
    }
    if !source_in_place {
        say(
            out,
            "the pinned Debian sid apt source (for containerd and etcd) is not set up",
        );
    }

    let is_root = nix::unistd::geteuid().is_root();
    if dry_run || !is_root {
        let commands = install_commands(is_root);
        if !dry_run {
            say(
                out,
                "not root: run these commands as root, then `crashlab cluster deps` again:",
            );
        } else {
            say(out, "would run:");
        }
        for c in &commands {
            say(out, &format!("  {c}"));
        }
        return Ok(if dry_run {
            InstallOutcome::DryRun { commands }
        } else {
            InstallOutcome::NeedsRoot { commands }
        });
    }

    if !Path::new("/etc/debian_version").exists() {
        return Err(DepsError::NotDebian);
    }
    if !Path::new(ARCHIVE_KEYRING).exists() {
        return Err(DepsError::NoArchiveKeyring);
    }
    write_if_changed(Path::new(SID_SOURCES_PATH), SID_SOURCES, out)?;
    write_if_changed(Path::new(SID_PIN_PATH), SID_PIN, out)?;
    run(out, Command::new("apt-get").arg("update"))?;
    if !missing.is_empty() {
        let _guard = PolicyRcGuard::install(out)?;
        run(
            out,
            Command::new("apt-get")
                .env("DEBIAN_FRONTEND", "noninteractive")
                .args(["install", "-y", "--no-install-recommends"])
                .args(APT_PACKAGES),
        )?;
    }
    let still = host.check();
    if !still.is_empty() {
        return Err(DepsError::StillMissing(still));
    }
    say(out, "all dependencies are installed");
    Ok(InstallOutcome::Installed)
}

fn say(out: &mut dyn Write, line: &str) {
    // Reporting is best effort; a closed stdout must not abort an apt run half-way.
    let _ = writeln!(out, "{line}");
}

/// Whether `apt-get update` has fetched sid's package lists (so `pkg/sid` resolves); apt may
/// keep them compressed (`…_Packages.lz4`).
fn sid_lists_present() -> bool {
    fs::read_dir(APT_LISTS).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name();
            let name = name.to_string_lossy();
            name.contains("_dists_sid_") && name.contains("_Packages")
        })
    })
}

fn write_if_changed(path: &Path, contents: &str, out: &mut dyn Write) -> Result<()> {
    if fs::read_to_string(path).is_ok_and(|s| s == contents) {
        say(out, &format!("{} is up to date", path.display()));
        return Ok(());
    }
    say(out, &format!("writing {}", path.display()));
    fs::write(path, contents).map_err(|source| DepsError::Io {
        action: "write",
        path: path.into(),
        source,
    })
}

/// How long [`run`] waits for another apt-get or dpkg (a second crashlab, a test installing
/// chromium, the node-image script) to let go of apt's locks.
const APT_LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(600);

fn run(out: &mut dyn Write, cmd: &mut Command) -> Result<()> {
    let shown = shown_command(cmd);
    say(out, &format!("$ {shown}"));
    let _ = out.flush();
    let program = cmd.get_program().to_string_lossy().into_owned();
    let started = std::time::Instant::now();
    loop {
        let (status, locked) = run_forwarding(cmd).map_err(|source| DepsError::Spawn {
            program: program.clone(),
            source,
        })?;
        if status.success() {
            return Ok(());
        }
        // apt takes its locks without waiting (`DPkg::Lock::Timeout` does not cover
        // `apt-get update`'s lists lock), so a fresh machine where two installs start together
        // saw "Could not get lock /var/lib/apt/lists/lock. It is held by process 3030".
        if locked && started.elapsed() < APT_LOCK_PATIENCE {
            say(
                out,
                "another apt-get or dpkg holds apt's lock; trying again in 3 s",
            );
            std::thread::sleep(std::time::Duration::from_secs(3));
            continue;
        }
        return Err(DepsError::Command {
            command: shown,
            status: status.to_string(),
        });
    }
}

/// Runs `cmd` with its stdout and stderr passed on to ours (apt's chatter is progress, never
/// the result: stdout stays for what the user asked for, so `crashlab run -o json` bringing up
/// a cluster prints nothing but its JSON there), and says whether it failed for want of apt's
/// or dpkg's lock.
fn run_forwarding(cmd: &mut Command) -> io::Result<(std::process::ExitStatus, bool)> {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let pass_on = |stream: Box<dyn io::Read + Send>| {
        std::thread::spawn(move || {
            let mut locked = false;
            for line in io::BufReader::new(stream).lines().map_while(|l| l.ok()) {
                locked |= line.contains("Could not get lock") || line.contains("Unable to lock");
                eprintln!("{line}");
            }
            locked
        })
    };
    let stdout = pass_on(Box::new(child.stdout.take().expect("piped stdout")));
    let stderr = pass_on(Box::new(child.stderr.take().expect("piped stderr")));
    let status = child.wait()?;
    let locked = stdout.join().unwrap_or(false) | stderr.join().unwrap_or(false);
    Ok((status, locked))
}

fn shown_command(cmd: &Command) -> String {
    let envs = cmd
        .get_envs()
        .filter_map(|(k, v)| Some(format!("{}={}", k.to_string_lossy(), v?.to_string_lossy())));
    let words = std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(|a| a.to_string_lossy().into_owned());
    envs.chain(words).collect::<Vec<_>>().join(" ")
}

/// Writes [`POLICY_RC_D`] unless one exists (then its policy stays in force and is left
/// alone); removes ours on drop, also when apt-get failed.
struct PolicyRcGuard {
    created: bool,
}

impl PolicyRcGuard {
    fn install(out: &mut dyn Write) -> Result<Self> {
        let path = Path::new(POLICY_RC_D);
        if path.exists() {
            say(out, &format!("{POLICY_RC_D} exists; keeping it"));
            return Ok(Self { created: false });
        }
        say(
            out,
            &format!("writing {POLICY_RC_D} (exit 101: packages start no service)"),
        );
        let io_err = |source| DepsError::Io {
            action: "write",
            path: path.into(),
            source,
        };
        fs::write(path, POLICY_RC_D_SCRIPT).map_err(io_err)?;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(io_err)?;
        Ok(Self { created: true })
    }
}

impl Drop for PolicyRcGuard {
    fn drop(&mut self) {
        if self.created {
            let _ = fs::remove_file(POLICY_RC_D);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::stand_in_program::write_stand_in;

    /// A stand-in for apt-get (a shell script, not apt): refuses with apt's own lock message
    /// the first `refusals` times, then does what `then` says.
    fn apt_stand_in(dir: &Path, refusals: u32, then: &str) -> Command {
        let script = format!(
            "n=$(cat {dir}/count 2>/dev/null || echo 0); echo $((n + 1)) > {dir}/count\n\
             if [ \"$n\" -lt {refusals} ]; then\n\
             echo 'E: Could not get lock /var/lib/apt/lists/lock. It is held by process 3030 (apt-get)' >&2; exit 100\n\
             fi\n{then}\n",
            dir = dir.display()
        );
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &script]);
        cmd
    }

    fn attempts(dir: &Path) -> u32 {
        fs::read_to_string(dir.join("count"))
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    #[test]
    fn a_held_apt_lock_is_waited_for() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        run(&mut out, &mut apt_stand_in(dir.path(), 1, "exit 0")).unwrap();
        assert_eq!(attempts(dir.path()), 2);
        let said = String::from_utf8(out).unwrap();
        assert!(
            said.contains("holds apt's lock; trying again in 3 s"),
            "{said}"
        );
    }

    #[test]
    fn any_other_apt_failure_is_reported_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = Vec::new();
        let err = run(
            &mut out,
            &mut apt_stand_in(
                dir.path(),
                0,
                "echo 'E: Unable to locate package nope' >&2; exit 100",
            ),
        )
        .unwrap_err();
        assert_eq!(attempts(dir.path()), 1);
        assert!(matches!(err, DepsError::Command { .. }), "{err}");
    }

    #[test]
    fn containerd_version_from_real_outputs() {
        assert_eq!(
            parse_containerd_version(
                "containerd github.com/containerd/containerd/v2 2.1.9+unknown\n"
            ),
            Some(Semver::new(2, 1, 9))
        );
        assert_eq!(
            parse_containerd_version(
                "containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1\n"
            ),
            Some(Semver::new(1, 6, 20))
        );
        assert_eq!(
            parse_containerd_version(
                "containerd containerd.io v1.7.27 05044ec0a9a75232cad458027ca83437aae3f4da\n"
            ),
            Some(Semver::new(1, 7, 27))
        );
        assert_eq!(parse_containerd_version("ctr: command not found"), None);
    }

    #[test]
    fn check_reports_old_containerd_and_absent_tools() {
        let dir = tempfile::tempdir().unwrap();
        let bin = dir.path().join("bin");
        let cni = dir.path().join("cni");
        fs::create_dir_all(&bin).unwrap();
        fs::create_dir_all(&cni).unwrap();
        write_stand_in(
            &bin.join("containerd"),
            "#!/bin/sh\necho 'containerd github.com/containerd/containerd 1.6.20~ds1 1.6.20~ds1-1+b1'\n",
        );
        for p in ["ctr", "runc", "iptables", "conntrack", "nsenter"] {
            write_stand_in(&bin.join(p), "#!/bin/sh\n");
        }
        for p in ["bridge", "host-local", "loopback"] {
            write_stand_in(&cni.join(p), "#!/bin/sh\n");
        }
        // Present but not executable: does not count.
        fs::write(cni.join("portmap"), "").unwrap();

        let host = Host {
            search_path: vec![bin.clone()],
            cni_bin_dir: cni.clone(),
        };
        let missing: Vec<String> = host.check().iter().map(ToString::to_string).collect();
        assert_eq!(
            missing,
            [
                format!(
                    "containerd ≥ 2.1.0: found 1.6.20 at {} (package containerd/sid)",
                    bin.join("containerd").display()
                ),
                "ip: not found (package iproute2)".to_string(),
                format!(
                    "CNI plugin portmap: {} not found (package containernetworking-plugins)",
                    cni.join("portmap").display()
                ),
            ]
        );

        write_stand_in(
            &bin.join("containerd"),
            "#!/bin/sh\necho 'containerd github.com/containerd/containerd/v2 2.1.9+unknown'\n",
        );
        write_stand_in(&bin.join("ip"), "#!/bin/sh\n");
        write_stand_in(&cni.join("portmap"), "#!/bin/sh\n");
        assert_eq!(host.check(), []);
    }

    #[test]
    fn commands_for_people_who_are_not_root() {
        let commands = install_commands(false);
        assert_eq!(
            commands[0],
            "printf '%s\\n' 'Types: deb' 'URIs: http://deb.debian.org/debian' 'Suites: sid' 'Components: main' \
             'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg' | sudo tee /etc/apt/sources.list.d/crashlab-sid.sources >/dev/null"
        );
        assert_eq!(
            commands[4],
            "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends containerd/sid runc \
             containernetworking-plugins iptables conntrack iproute2 util-linux"
        );
        assert_eq!(commands.last().unwrap(), "sudo rm -f /usr/sbin/policy-rc.d");
        assert!(install_commands(true).iter().all(|c| !c.contains("sudo")));
    }

    /// After `crashlab cluster deps` on this machine, as a new user's first run does it:
    /// `cargo test -- --ignored real_machine`.
    #[test]
    #[ignore = "installs and inspects this machine's packages"]
    fn real_machine_has_every_dependency() {
        prepare_this_machine_for_tests();
        let missing = check();
        eprintln!("missing: {missing:?}");
        assert_eq!(missing, []);
    }

    #[test]
    fn shown_commands_include_the_environment() {
        let mut cmd = Command::new("apt-get");
        cmd.env("DEBIAN_FRONTEND", "noninteractive")
            .args(["install", "-y"]);
        assert_eq!(
            shown_command(&cmd),
            "DEBIAN_FRONTEND=noninteractive apt-get install -y"
        );
    }
}
