//! A private PostgreSQL cluster, started from the system's server binaries.
//!
//! Used by `cargo run` without `DATABASE_URL` and by the test harness. The cluster listens only
//! on a Unix socket, trusts local connections (the socket directory is private to the cluster's
//! user) and dies with the process that started it: the postmaster gets `PR_SET_PDEATHSIG`, so
//! even a killed app leaves no postgres behind.

use std::ffi::CString;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use sqlx::postgres::PgConnectOptions;

/// The database role and database the private cluster is created with.
pub const SUPERUSER: &str = "veertig";

/// A Unix socket path may hold at most 107 bytes.
const MAX_SOCKET_PATH: usize = 100;

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error(
        "PostgreSQL server binaries (initdb, postgres) not found on PATH or under /usr/lib/postgresql/*/bin. \
         Install them (Debian/Ubuntu: apt-get install postgresql) or set DATABASE_URL."
    )]
    BinariesNotFound,
    #[error(
        "pg_dump and pg_restore not found on PATH or under /usr/lib/postgresql/*/bin. \
         Install them (Debian/Ubuntu: apt-get install postgresql-client)."
    )]
    ClientToolsNotFound,
    #[error("{0}")]
    Setup(String),
    #[error("{context}: {source}")]
    Io {
        context: String,
        source: std::io::Error,
    },
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> ClusterError {
    let context = context.into();
    move |source| ClusterError::Io { context, source }
}

#[derive(Debug, Clone)]
pub struct ClusterOptions {
    /// The cluster's data directory (created by initdb when missing).
    pub data_dir: PathBuf,
    /// Trade durability for speed: for throw-away test clusters only.
    pub ephemeral: bool,
}

/// A running private cluster. Dropping it shuts PostgreSQL down (fast shutdown) and waits.
pub struct PrivateCluster {
    bin: PathBuf,
    socket_dir: PathBuf,
    child: Option<Child>,
}

impl PrivateCluster {
    /// Creates the cluster if needed and starts it. Blocks until it accepts connections.
    pub fn start(options: &ClusterOptions) -> Result<Self, ClusterError> {
        Self::start_with_settings(options, &[])
    }

    /// `start`, with extra server settings (`-c name=value`) for this start only, such as the
    /// load benchmark's `shared_preload_libraries = pg_stat_statements`. (A cluster that is
    /// already running is shared as it is, without them.)
    pub fn start_with_settings(
        options: &ClusterOptions,
        settings: &[(&str, &str)],
    ) -> Result<Self, ClusterError> {
        let bin = find_binaries()?;
        let owner = ClusterOwner::for_current_process()?;
        let data_dir = absolute(&options.data_dir)?;
        let socket_dir = socket_dir_for(&data_dir)?;

        if let Some(parent) = data_dir.parent() {
            fs::create_dir_all(parent)
                .map_err(io_err(format!("cannot create {}", parent.display())))?;
            owner.make_traversable(parent)?;
        }
        if !data_dir.join("PG_VERSION").exists() {
            init_cluster(&bin, &owner, &data_dir)?;
        }
        owner.prepare_dir(&socket_dir)?;

        if let Some(pid) = running_postmaster(&data_dir) {
            // Another process of ours already serves this data directory (a second `cargo run`
            // in another terminal): share it rather than fail; its owner stops it.
            tracing::warn!(
                pid,
                "reusing the PostgreSQL cluster that is already running"
            );
            let mut cluster = Self {
                bin,
                socket_dir,
                child: None,
            };
            cluster.wait_until_ready(None)?;
            return Ok(cluster);
        }

        let log_path = data_dir.with_extension("log");
        let log = fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log_path)
            .map_err(io_err(format!("cannot open {}", log_path.display())))?;
        let log_err = log
            .try_clone()
            .map_err(io_err("cannot duplicate log handle"))?;

        let mut command = Command::new(bin.join("postgres"));
        command
            .arg("-D")
            .arg(&data_dir)
            .arg("-k")
            .arg(&socket_dir)
            .args(["-c", "listen_addresses="])
            .args(["-c", "unix_socket_permissions=0700"])
            .args(["-c", "max_connections=200"])
            .args(
                settings
                    .iter()
                    .flat_map(|(name, value)| ["-c".to_string(), format!("{name}={value}")]),
            )
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err);
        if options.ephemeral {
            command.args([
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]);
        }
        owner.apply(&mut command);
        // Its own process group: Ctrl-C in the terminal reaches the app, which finishes its
        // requests and then stops the cluster, instead of the cluster vanishing mid-request.
        command.process_group(0);
        // SAFETY: prctl and getppid are async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            command.pre_exec(|| {
                // SIGINT is PostgreSQL's fast shutdown.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = spawn_from_immortal_thread(command)?;
        let mut cluster = Self {
            bin,
            socket_dir,
            child: Some(child),
        };
        cluster.wait_until_ready(Some(&log_path))?;
        Ok(cluster)
    }

    /// The folder of the server binaries, where the client programs of the same installation
    /// (`pg_dump`, `pg_restore`) are too.
    pub fn bin_dir(&self) -> &Path {
        &self.bin
    }

    pub fn socket_dir(&self) -> &Path {
        &self.socket_dir
    }

    /// Connection options for a database of this cluster.
    pub fn connect_options(&self, database: &str) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .username(SUPERUSER)
            .database(database)
    }

    fn wait_until_ready(&mut self, log_path: Option<&Path>) -> Result<(), ClusterError> {
        let socket = self.socket_dir.join(".s.PGSQL.5432");
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(child) = self.child.as_mut()
                && let Ok(Some(status)) = child.try_wait()
            {
                let tail = log_path.map(log_tail).unwrap_or_default();
                return Err(ClusterError::Setup(format!(
                    "PostgreSQL exited during start-up ({status}).\n{tail}"
                )));
            }
            if socket.exists() && std::os::unix::net::UnixStream::connect(&socket).is_ok() {
                // The socket accepts before recovery finishes.
                if accepts_queries(&self.bin, &self.socket_dir) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                return Err(ClusterError::Setup(
                    "PostgreSQL did not accept connections within 60 seconds".into(),
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// How [`PrivateCluster::stop`] shuts PostgreSQL down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shutdown {
    /// Disconnect every client, write a checkpoint, exit (SIGINT), as on drop.
    Fast,
    /// Exit at once without a checkpoint (SIGQUIT): as far as the data goes, a crash; the next
    /// start replays the write-ahead log. Fault tests use it.
    Immediate,
}

impl PrivateCluster {
    /// Stops PostgreSQL and waits until it has exited. A cluster this process did not start
    /// (one it found running) is left alone.
    pub fn stop(mut self, mode: Shutdown) {
        self.stop_child(mode);
    }

    fn stop_child(&mut self, mode: Shutdown) {
        if let Some(mut child) = self.child.take() {
            let signal = match mode {
                Shutdown::Fast => libc::SIGINT,
                Shutdown::Immediate => libc::SIGQUIT,
            };
            if let Ok(pid) = i32::try_from(child.id()) {
                // SAFETY: plain kill(2) on our own child.
                unsafe {
                    libc::kill(pid, signal);
                }
            }
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateCluster {
    fn drop(&mut self) {
        self.stop_child(Shutdown::Fast);
    }
}

/// `pg_isready` tells "accepting" from "starting up"; without it a socket that accepts will do,
/// and the pool's own retries cover the rest.
fn accepts_queries(bin: &Path, socket_dir: &Path) -> bool {
    let pg_isready = bin.join("pg_isready");
    if !pg_isready.is_file() {
        return true;
    }
    Command::new(pg_isready)
        .arg("-h")
        .arg(socket_dir)
        .args(["-U", SUPERUSER, "-d", "postgres", "-q"])
        .stdin(Stdio::null())
        .status()
        .map(|status| status.success())
        .unwrap_or(false)
}

/// `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process.
/// Spawning from a thread that never returns ties the cluster to the process's lifetime.
fn spawn_from_immortal_thread(mut command: Command) -> Result<Child, ClusterError> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("private-postgres".into())
        .spawn(move || {
            let _ = sender.send(command.spawn());
            loop {
                std::thread::park();
            }
        })
        .map_err(io_err("cannot start the cluster thread"))?;
    receiver
        .recv()
        .map_err(|_| ClusterError::Setup("the cluster thread died".into()))?
        .map_err(io_err("cannot start postgres"))
}

fn log_tail(path: &Path) -> String {
    let Ok(file) = fs::File::open(path) else {
        return String::new();
    };
    let lines: Vec<String> = BufReader::new(file).lines().map_while(Result::ok).collect();
    let start = lines.len().saturating_sub(15);
    format!(
        "Last lines of {}:\n{}",
        path.display(),
        lines[start..].join("\n")
    )
}

/// The pid in `postmaster.pid`, when that process is alive.
fn running_postmaster(data_dir: &Path) -> Option<i32> {
    let content = fs::read_to_string(data_dir.join("postmaster.pid")).ok()?;
    let pid: i32 = content.lines().next()?.trim().parse().ok()?;
    // SAFETY: signal 0 only checks that the process exists.
    let alive = unsafe { libc::kill(pid, 0) } == 0;
    let is_postgres = fs::read_to_string(format!("/proc/{pid}/comm"))
        .map(|comm| comm.trim().starts_with("postgres"))
        .unwrap_or(false);
    (alive && is_postgres).then_some(pid)
}

fn init_cluster(bin: &Path, owner: &ClusterOwner, data_dir: &Path) -> Result<(), ClusterError> {
    owner.prepare_dir(data_dir)?;
    let mut command = Command::new(bin.join("initdb"));
    command
        .arg("-D")
        .arg(data_dir)
        .args(["-U", SUPERUSER])
        .args([
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        ])
        .stdin(Stdio::null());
    owner.apply(&mut command);
    let output = command.output().map_err(io_err("cannot run initdb"))?;
    if !output.status.success() {
        return Err(ClusterError::Setup(format!(
            "initdb failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf, ClusterError> {
    std::path::absolute(path).map_err(io_err(format!("bad path {}", path.display())))
}

/// Inside the data directory when the path is short enough, else a short private folder in /tmp.
fn socket_dir_for(data_dir: &Path) -> Result<PathBuf, ClusterError> {
    let preferred = data_dir.join("socket");
    if preferred.join(".s.PGSQL.5432").as_os_str().len() <= MAX_SOCKET_PATH {
        return Ok(preferred);
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut hasher);
    Ok(std::env::temp_dir().join(format!("veertig-pg-{:016x}", hasher.finish())))
}

/// Looks for `initdb` and `postgres` on PATH, then in the newest `/usr/lib/postgresql/*/bin`.
pub fn find_binaries() -> Result<PathBuf, ClusterError> {
    find_installation(&["initdb", "postgres"]).ok_or(ClusterError::BinariesNotFound)
}

/// Looks for `pg_dump` and `pg_restore` the same way (a machine that only talks to a
/// `DATABASE_URL` may have the client programs alone).
pub fn find_client_tools() -> Result<PathBuf, ClusterError> {
    find_installation(&["pg_dump", "pg_restore"]).ok_or(ClusterError::ClientToolsNotFound)
}

fn find_installation(programs: &[&str]) -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut versioned: Vec<(u32, PathBuf)> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse::<u32>().ok()?;
            Some((version, entry.path().join("bin")))
        })
        .collect();
    versioned.sort_by_key(|(version, _)| std::cmp::Reverse(*version));
    let has_all = |dir: &Path| programs.iter().all(|program| dir.join(program).is_file());
    on_path
        .into_iter()
        .chain(versioned.into_iter().map(|(_, dir)| dir))
        .find(|dir| has_all(dir))
        .map(|dir| {
            // Resolve symlinks such as /usr/local/bin/initdb so all programs come from one
            // installation.
            fs::canonicalize(dir.join(programs[0]))
                .ok()
                .and_then(|first| first.parent().map(Path::to_path_buf))
                .filter(|real| has_all(real))
                .unwrap_or(dir)
        })
}

/// PostgreSQL refuses to run as root; as root we hand the cluster to an unprivileged user.
enum ClusterOwner {
    CurrentUser,
    SystemUser { name: String, uid: u32, gid: u32 },
}

impl ClusterOwner {
    fn for_current_process() -> Result<Self, ClusterError> {
        // SAFETY: geteuid cannot fail.
        if unsafe { libc::geteuid() } != 0 {
            return Ok(Self::CurrentUser);
        }
        for name in ["postgres", "veertig"] {
            if let Some((uid, gid)) = lookup_user(name) {
                return Ok(Self::SystemUser {
                    name: name.into(),
                    uid,
                    gid,
                });
            }
        }
        let status = Command::new("useradd")
            .args([
                "--system",
                "--no-create-home",
                "--shell",
                "/usr/sbin/nologin",
                "veertig",
            ])
            .status()
            .map_err(io_err(
                "cannot run useradd to create the 'veertig' system user",
            ))?;
        match lookup_user("veertig") {
            Some((uid, gid)) if status.success() => Ok(Self::SystemUser {
                name: "veertig".into(),
                uid,
                gid,
            }),
            _ => Err(ClusterError::Setup(
                "running as root, and no unprivileged 'postgres' or 'veertig' user could be found or created".into(),
            )),
        }
    }

    fn apply(&self, command: &mut Command) {
        if let Self::SystemUser { uid, gid, .. } = self {
            command.uid(*uid).gid(*gid);
            // initdb and postgres look at HOME-independent paths only, but keep the environment
            // from pointing at root's files.
            command.env_remove("HOME");
        }
    }

    /// Creates `dir` (mode 0700) owned by the cluster's user.
    fn prepare_dir(&self, dir: &Path) -> Result<(), ClusterError> {
        fs::create_dir_all(dir).map_err(io_err(format!("cannot create {}", dir.display())))?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700)).map_err(io_err(format!(
            "cannot set permissions on {}",
            dir.display()
        )))?;
        if let Self::SystemUser { uid, gid, .. } = self {
            std::os::unix::fs::chown(dir, Some(*uid), Some(*gid)).map_err(io_err(format!(
                "cannot hand {} to the cluster user",
                dir.display()
            )))?;
        }
        Ok(())
    }

    /// The cluster's user must be able to reach its data directory: grant search (x) permission
    /// on ancestors that lack it. Only search, never read: folder listings stay private.
    fn make_traversable(&self, dir: &Path) -> Result<(), ClusterError> {
        let Self::SystemUser { name, .. } = self else {
            return Ok(());
        };
        for ancestor in dir.ancestors() {
            let Ok(metadata) = fs::metadata(ancestor) else {
                continue;
            };
            let mode = metadata.permissions().mode();
            if mode & 0o001 == 0 {
                fs::set_permissions(ancestor, fs::Permissions::from_mode(mode | 0o001)).map_err(
                    io_err(format!(
                        "cannot let user '{name}' traverse {}",
                        ancestor.display()
                    )),
                )?;
                tracing::info!(dir = %ancestor.display(), user = %name, "granted search permission so the cluster user can reach its data");
            }
        }
        Ok(())
    }
}

fn lookup_user(name: &str) -> Option<(u32, u32)> {
    let c_name = CString::new(name).ok()?;
    // SAFETY: getpwnam returns a pointer into static storage or null; we copy out at once and
    // no other thread calls getpwnam at start-up.
    unsafe {
        let entry = libc::getpwnam(c_name.as_ptr());
        if entry.is_null() {
            None
        } else {
            Some(((*entry).pw_uid, (*entry).pw_gid))
        }
    }
}
