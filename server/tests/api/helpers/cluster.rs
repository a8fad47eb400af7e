//! [`Cluster`]: a deployment as it runs in production, in one test: N app instances on
//! one fresh PostgreSQL database behind a real nginx (Debian's package), started on
//! loopback ports by the test and stopped with it.
//!
//! nginx is configured as the README tells operators to: `X-Forwarded-For` appended
//! (the instances trust `127.0.0.1` and nothing else), no response buffering (the event
//! streams), HTTP/1.1 keep-alive to the instances. Requests to `/` go round robin, so
//! consecutive requests land on different instances; `/instance/{n}/...` always reaches
//! instance `n` (for "written here, seen there"). Every answer names the instance that
//! gave it in `X-Upstream`.

use std::{
    fmt::Write as _,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::Duration,
};

use serde_json::Value;

use super::{PgTestDatabase, TestApp, TestAppBuilder};

/// The deployment: instances, the proxy in front of them, their database.
pub struct Cluster {
    /// nginx, round robin over every instance: what clients of the deployment use.
    pub proxy: TestApp,
    /// nginx again, pinned: `pinned[n]` always reaches `instances[n]`.
    pub pinned: Vec<TestApp>,
    /// The instances themselves (their own ports, bypassing nginx).
    pub instances: Vec<TestApp>,
    /// The one database they share.
    pub database: PgTestDatabase,
    nginx: Nginx,
}

impl Cluster {
    /// Starts `n` instances of `settings` on one new database behind nginx. The
    /// instances share the secret and the public URL (nginx's), and trust nginx's
    /// `X-Forwarded-For`.
    pub async fn start(n: usize, settings: TestAppBuilder) -> Cluster {
        let database = PgTestDatabase::create("taskdeck_cluster").await;
        let settings = settings
            .database_url(&database.url)
            .env("TRUSTED_PROXIES", "127.0.0.1");
        // The proxy's port comes first: it is the instances' public URL. It is free
        // when chosen, but the instances take a while to start and another test may
        // bind it meanwhile; then nginx cannot, and all starts again on another port.
        let mut attempts = 0;
        let (port, public, instances, nginx) = loop {
            let port = free_port();
            let public = format!("http://127.0.0.1:{port}");
            let settings = settings.clone().env("BETTER_AUTH_URL", public.clone());
            let mut instances = Vec::with_capacity(n);
            for _ in 0..n {
                instances.push(settings.clone().spawn().await);
            }
            let upstreams: Vec<SocketAddr> = instances.iter().map(|i| i.addr).collect();
            match Nginx::start(port, &upstreams).await {
                Ok(nginx) => break (port, public, instances, nginx),
                Err(PortTaken) if attempts < 3 => {
                    attempts += 1;
                    for instance in instances {
                        instance.cleanup().await;
                    }
                }
                Err(PortTaken) => panic!("nginx found its port taken four times"),
            }
        };
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let proxy = TestApp::proxy_for(&instances[0], addr, public.clone());
        let pinned: Vec<TestApp> = instances
            .iter()
            .enumerate()
            .map(|(n, i)| TestApp::proxy_for(i, addr, format!("{public}/instance/{n}")))
            .collect();
        for (n, front) in pinned.iter().enumerate() {
            let res = front.get("/readyz").await;
            assert_eq!(res.status(), 200, "instance {n} is ready through nginx");
            assert_eq!(
                upstream(&res),
                Some(instances[n].addr),
                "/instance/{n}/ reaches instance {n}"
            );
        }
        Cluster {
            proxy,
            pinned,
            instances,
            database,
            nginx,
        }
    }

    /// Which instance gave `res` (from nginx's `X-Upstream`).
    pub fn answered_by(&self, res: &reqwest::Response) -> usize {
        let addr = upstream(res).expect("an X-Upstream header");
        self.instances
            .iter()
            .position(|i| i.addr == addr)
            .unwrap_or_else(|| panic!("{addr} is none of the instances"))
    }

    /// The newest mail to `to` about `subject`, from whichever instance sent it,
    /// waiting up to 5 s (mail goes out after the answer).
    pub async fn wait_for_mail(&self, to: &str, subject: &str) -> Value {
        for _ in 0..100 {
            if let Some(mail) = self
                .instances
                .iter()
                .find_map(|i| i.newest_mail(to, subject))
            {
                return mail;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail to {to} about {subject:?} within 5 s");
    }

    /// Stops nginx and the instances, then drops the database.
    pub async fn cleanup(self) {
        drop(self.nginx);
        for instance in self.instances {
            instance.cleanup().await;
        }
        self.database.drop_database().await;
    }
}

/// The instance address nginx put in `X-Upstream`.
fn upstream(res: &reqwest::Response) -> Option<SocketAddr> {
    res.headers().get("x-upstream")?.to_str().ok()?.parse().ok()
}

/// A loopback port nobody listens on now.
fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("a free port");
    listener.local_addr().unwrap().port()
}

/// nginx as a child process, killed on drop. One process (`master_process off`): a
/// killed master would leave its workers behind, still listening.
struct Nginx {
    child: Child,
    dir: tempfile::TempDir,
}

/// nginx could not listen: another process had bound its port.
struct PortTaken;

impl Nginx {
    async fn start(port: u16, upstreams: &[SocketAddr]) -> Result<Nginx, PortTaken> {
        let dir = tempfile::tempdir().expect("temp dir");
        let conf = dir.path().join("nginx.conf");
        let id = dir.path().display().to_string();
        std::fs::write(&conf, config(port, upstreams, &id)).expect("write nginx.conf");
        let prefix = format!("{}/", dir.path().display());
        let child = Command::new(binary())
            .arg("-c")
            .arg(&conf)
            .arg("-p")
            .arg(&prefix)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("stderr.log")).unwrap())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("nginx did not start ({e}): `.ci/setup.sh --test` installs it")
            });
        let mut nginx = Nginx { child, dir };
        nginx.wait_until_listening(port, &id).await?;
        Ok(nginx)
    }

    /// Waits (at most 10 s) until this nginx answers on `port` (by its `id`: another
    /// process may hold the port); fails with its log if it exits, unless it exited
    /// because the port was taken.
    async fn wait_until_listening(&mut self, port: u16, id: &str) -> Result<(), PortTaken> {
        let url = format!("http://127.0.0.1:{port}/nginx-id");
        for _ in 0..100 {
            if let Some(status) = self.child.try_wait().expect("nginx's status") {
                let log = self.log();
                if log.contains("Address already in use") {
                    return Err(PortTaken);
                }
                panic!("nginx exited ({status}):\n{log}");
            }
            if let Ok(res) = reqwest::get(&url).await {
                if res.text().await.is_ok_and(|answer| answer == id) {
                    return Ok(());
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "nginx is not listening on {port} after 10 s:\n{}",
            self.log()
        );
    }

    fn log(&self) -> String {
        ["stderr.log", "error.log"]
            .iter()
            .map(|f| std::fs::read_to_string(self.dir.path().join(f)).unwrap_or_default())
            .collect()
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `NGINX` if set, else `nginx` on `PATH`, else Debian's `/usr/sbin/nginx` (`/usr/sbin`
/// is not on a normal user's `PATH`).
fn binary() -> PathBuf {
    if let Some(path) = std::env::var_os("NGINX") {
        return path.into();
    }
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("nginx"))
            .find(|candidate| candidate.is_file())
    });
    on_path.unwrap_or_else(|| Path::new("/usr/sbin/nginx").to_path_buf())
}

/// The configuration: every path inside the prefix (`-p`), nothing of the system's.
fn config(port: u16, upstreams: &[SocketAddr], id: &str) -> String {
    let mut pools = String::new();
    let mut pinned = String::new();
    let all: String = upstreams
        .iter()
        .map(|a| format!("    server {a};\n"))
        .collect();
    writeln!(
        pools,
        "  upstream taskdeck {{\n{all}    keepalive 32;\n  }}"
    )
    .unwrap();
    for (n, addr) in upstreams.iter().enumerate() {
        writeln!(
            pools,
            "  upstream instance_{n} {{\n    server {addr};\n    keepalive 8;\n  }}"
        )
        .unwrap();
        writeln!(
            pinned,
            "    location /instance/{n}/ {{ proxy_pass http://instance_{n}/; }}"
        )
        .unwrap();
    }
    format!(
        r#"daemon off;
master_process off;
error_log error.log warn;
pid nginx.pid;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path client_body;
  proxy_temp_path proxy;
  fastcgi_temp_path fastcgi;
  uwsgi_temp_path uwsgi;
  scgi_temp_path scgi;
{pools}
  server {{
    listen 127.0.0.1:{port};
    # Keep-alive to the instances needs HTTP/1.1 and no "Connection: close".
    proxy_http_version 1.1;
    proxy_set_header Connection "";
    proxy_set_header Host $http_host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
    # Event streams pass through as written.
    proxy_buffering off;
    proxy_read_timeout 1h;
    add_header X-Upstream $upstream_addr always;
    # Which nginx holds the port (the test's, or another test's).
    location = /nginx-id {{ return 200 "{id}"; }}
    location / {{ proxy_pass http://taskdeck; }}
{pinned}  }}
}}
"#
    )
}
