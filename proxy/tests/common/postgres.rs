//! A PostgreSQL server for the tests. `DATABASE_URL` (a `postgres://` URL whose user may
//! create databases) names an existing one; otherwise one throwaway cluster per test
//! binary is started from Debian's packages: `initdb` in a temporary folder (as `nobody`
//! when run as root, since PostgreSQL refuses root), `postgres` on a free loopback port.
//! Every test gets a database of its own; those of earlier runs are dropped.

use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use sqlx::Connection;

/// A new, empty database on the suite's server: its URL.
pub async fn database() -> String {
    let server = server();
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "booking_test_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    let mut admin = sqlx::PgConnection::connect(&server.url("postgres"))
        .await
        .expect("connect to the test server");
    static SWEPT: OnceLock<()> = OnceLock::new();
    if SWEPT.set(()).is_ok() {
        drop_leftovers(&mut admin).await;
    }
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut admin)
        .await
        .expect("create a test database");
    server.url(&name)
}

/// Drops the databases earlier runs made whose process is gone (on a `DATABASE_URL`
/// server they would pile up).
async fn drop_leftovers(admin: &mut sqlx::PgConnection) {
    let names: Vec<String> =
        sqlx::query_scalar("SELECT datname FROM pg_database WHERE datname LIKE 'booking_test_%'")
            .fetch_all(&mut *admin)
            .await
            .unwrap_or_default();
    for name in names {
        let pid = name.split('_').nth(2).unwrap_or("");
        if !pid.is_empty() && !Path::new("/proc").join(pid).exists() {
            let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut *admin)
                .await;
        }
    }
}

struct Server {
    /// The server's URL up to the database name.
    base: url::Url,
    /// The started cluster, if any: it stops when this closes (at the latest, when the
    /// test binary exits, however it exits).
    _cluster: Option<Mutex<Cluster>>,
}

impl Server {
    fn url(&self, database: &str) -> String {
        let mut url = self.base.clone();
        url.set_path(database);
        url.to_string()
    }
}

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Server {
            base: url::Url::parse(&url).expect("DATABASE_URL is a URL"),
            _cluster: None,
        },
        _ => {
            let cluster = Cluster::start();
            Server {
                base: url::Url::parse(&format!("postgres://postgres@127.0.0.1:{}/", cluster.port))
                    .expect("a URL"),
                _cluster: Some(Mutex::new(cluster)),
            }
        }
    })
}

/// A cluster in a temporary folder, run by a small shell that stops it and removes the
/// folder when its standard input closes.
pub struct Cluster {
    pub port: u16,
    keeper: Child,
    stdin: Option<ChildStdin>,
}

impl Cluster {
    pub fn start() -> Self {
        let bin = bin_dir();
        let dir = tempfile::Builder::new()
            .prefix("booking-pg-")
            .tempdir()
            .expect("a temporary folder")
            .keep();
        let as_user: Vec<String> = if is_root() {
            std::os::unix::fs::chown(&dir, Some(65534), Some(65534)).expect("chown to nobody");
            [
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--",
            ]
            .map(String::from)
            .to_vec()
        } else {
            Vec::new()
        };
        let data = dir.join("data");
        let initdb = command(&as_user, &bin.join("initdb"))
            .args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .arg("-D")
            .arg(&data)
            .output()
            .expect("run initdb");
        assert!(initdb.status.success(), "initdb: {initdb:?}");
        let port = free_port();
        // `postgres` runs in the background (stdin /dev/null); `cat` waits for ours to close.
        let script = r#"
"$1/postgres" -D "$2/data" -k "$2" -h 127.0.0.1 -p "$3" -c fsync=off \
    -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 \
    >"$2/log" 2>&1 &
pid=$!
cat >/dev/null
kill -INT "$pid"
wait "$pid"
rm -rf "$2"
"#;
        let mut keeper = command(&as_user, Path::new("sh"))
            .args(["-c", script, "sh"])
            .arg(&bin)
            .arg(&dir)
            .arg(port.to_string())
            .stdin(Stdio::piped())
            .spawn()
            .expect("start postgres");
        let stdin = keeper.stdin.take();
        let mut cluster = Self {
            port,
            keeper,
            stdin,
        };
        cluster.wait_ready(&bin, &dir);
        cluster
    }

    /// Waits (at most 30 s) until the server accepts connections.
    fn wait_ready(&mut self, bin: &Path, dir: &Path) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let ready = Command::new(bin.join("pg_isready"))
                .args(["-q", "-h", "127.0.0.1", "-U", "postgres", "-p"])
                .arg(self.port.to_string())
                .status()
                .is_ok_and(|s| s.success());
            if ready {
                return;
            }
            if let Ok(Some(status)) = self.keeper.try_wait() {
                panic!("postgres ended: {status}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        panic!("postgres did not start within 30 s:\n{log}");
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.flush();
        }
        let _ = self.keeper.wait();
    }
}

fn command(prefix: &[String], program: &Path) -> Command {
    match prefix.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg(program);
            c
        }
        None => Command::new(program),
    }
}

fn is_root() -> bool {
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// PostgreSQL's programs: `PG_BIN`, or the newest of Debian's /usr/lib/postgresql/*/bin.
fn bin_dir() -> PathBuf {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return PathBuf::from(dir);
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .expect("PostgreSQL is installed (make setup), or DATABASE_URL is set")
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().expect("initdb in /usr/lib/postgresql/*/bin").1
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().expect("its address").port()
}
