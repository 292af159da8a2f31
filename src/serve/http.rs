//! The HTTP side of `serve`: listening (TCP or a Unix socket), routing, the
//! answers' status codes and headers, draining on SIGTERM.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, UnixListener};

use super::log;
use super::{Answer, Listen, Server};
use crate::key::{Role, Roles};

/// How long a client may take to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(10);

pub enum Listener {
    Tcp(TcpListener),
    Unix(UnixListener, PathBuf),
}

impl Listener {
    pub async fn bind(listen: &Listen) -> Result<Listener> {
        match listen {
            Listen::Tcp(address) => {
                let listener = TcpListener::bind(address).await.with_context(|| {
                    format!("cannot listen on {address}; pass another --listen address, or stop what listens there")
                })?;
                Ok(Listener::Tcp(listener))
            }
            Listen::Unix(path) => bind_unix(path).await,
        }
    }

    pub fn address(&self) -> String {
        match self {
            Listener::Tcp(listener) => listener
                .local_addr()
                .map_or_else(|_| "?".into(), |address| address.to_string()),
            Listener::Unix(_, path) => format!("unix:{}", path.display()),
        }
    }
}

/// Binds a Unix socket readable and writable by its owner and group only
/// (mode 0660). A socket file left by a server that is gone is replaced;
/// one that answers, or anything that is not a socket, is an error.
async fn bind_unix(path: &std::path::Path) -> Result<Listener> {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    if let Ok(metadata) = std::fs::symlink_metadata(path) {
        if !metadata.file_type().is_socket() {
            bail!(
                "cannot listen on {}: it exists and is not a socket; remove it or choose another path",
                path.display()
            );
        }
        if tokio::net::UnixStream::connect(path).await.is_ok() {
            bail!(
                "cannot listen on {}: another server answers there; stop it or choose another path",
                path.display()
            );
        }
        std::fs::remove_file(path)
            .with_context(|| format!("cannot remove the stale socket {}", path.display()))?;
    }
    // No moment with a wider mode than 0660: the umask applies at bind.
    let old = nix::sys::stat::umask(nix::sys::stat::Mode::from_bits_truncate(0o117));
    let bound = UnixListener::bind(path);
    nix::sys::stat::umask(old);
    let listener = bound.with_context(|| {
        format!(
            "cannot listen on {}; check that its directory exists and is writable",
            path.display()
        )
    })?;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
        .with_context(|| format!("cannot set the mode of {}", path.display()))?;
    Ok(Listener::Unix(listener, path.to_path_buf()))
}

/// Accepts connections until SIGTERM or SIGINT, then stops accepting and
/// waits up to `drain` for the requests in flight.
pub async fn serve(listener: Listener, server: Arc<Server>, drain: Duration) -> Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut hangup = signal(SignalKind::hangup())?;
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_TIMEOUT)
        .keep_alive(true);
    let graceful = GracefulShutdown::new();
    loop {
        let (io, peer) = tokio::select! {
            accepted = accept(&listener) => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: pause, go on.
                    log::event("accept_failed", &[("detail", &err.to_string())]);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = terminate.recv() => break,
            _ = interrupt.recv() => break,
            _ = hangup.recv() => {
                // Nothing to reload: the store is read afresh as it
                // changes. Connections stay as they are.
                log::event("hangup", &[("detail", "nothing to reload")]);
                continue;
            }
        };
        let server = Arc::clone(&server);
        let service = hyper::service::service_fn(move |request| {
            let server = Arc::clone(&server);
            let peer = peer.clone();
            async move { Ok::<_, Infallible>(route(&server, &peer, request).await) }
        });
        let connection = builder.serve_connection(io, service).into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
        });
    }
    log::event("draining", &[]);
    if let Listener::Unix(listener, path) = listener {
        drop(listener);
        let _ = std::fs::remove_file(path);
    }
    tokio::select! {
        _ = graceful.shutdown() => log::event("stopped", &[]),
        _ = tokio::time::sleep(drain) => log::event("stopped", &[("detail", "requests still in flight were cut off")]),
    }
    Ok(())
}

/// Either kind of connection, for hyper.
enum Io {
    Tcp(TokioIo<tokio::net::TcpStream>),
    Unix(TokioIo<tokio::net::UnixStream>),
}

async fn accept(listener: &Listener) -> std::io::Result<(Io, String)> {
    match listener {
        Listener::Tcp(listener) => {
            let (stream, peer) = listener.accept().await?;
            let _ = stream.set_nodelay(true);
            Ok((Io::Tcp(TokioIo::new(stream)), peer.to_string()))
        }
        Listener::Unix(listener, _) => {
            let (stream, _) = listener.accept().await?;
            Ok((Io::Unix(TokioIo::new(stream)), "unix".to_string()))
        }
    }
}

impl hyper::rt::Read for Io {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: hyper::rt::ReadBufCursor<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(io) => std::pin::Pin::new(io).poll_read(cx, buf),
            Io::Unix(io) => std::pin::Pin::new(io).poll_read(cx, buf),
        }
    }
}

impl hyper::rt::Write for Io {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Io::Tcp(io) => std::pin::Pin::new(io).poll_write(cx, buf),
            Io::Unix(io) => std::pin::Pin::new(io).poll_write(cx, buf),
        }
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(io) => std::pin::Pin::new(io).poll_flush(cx),
            Io::Unix(io) => std::pin::Pin::new(io).poll_flush(cx),
        }
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        match self.get_mut() {
            Io::Tcp(io) => std::pin::Pin::new(io).poll_shutdown(cx),
            Io::Unix(io) => std::pin::Pin::new(io).poll_shutdown(cx),
        }
    }
}

type Answered = Response<Full<Bytes>>;

async fn route(server: &Server, peer: &str, request: Request<Incoming>) -> Answered {
    let path = request.uri().path();
    if path == "/verify" || path.starts_with("/verify/") {
        // Any method: gateways forward the client's.
        return verify(server, peer, request.headers(), &path["/verify".len()..]).await;
    }
    // Envoy's ext_authz appends the client's path to its prefix: here the
    // path says nothing, and required roles come in the header only.
    if path == "/ext-authz" || path.starts_with("/ext-authz/") {
        return verify(server, peer, request.headers(), "").await;
    }
    match path {
        "/healthz" => match server.healthy().await {
            Ok(()) => text(StatusCode::OK, "ok\n"),
            Err(why) => {
                let mut answer = text(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format!("unavailable: {why}\n"),
                );
                retry_after(&mut answer);
                answer
            }
        },
        "/metrics" => {
            let mut answer = text(StatusCode::OK, server.metrics.render(&server.gauges()));
            answer.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
            );
            answer
        }
        _ => text(
            StatusCode::NOT_FOUND,
            "not found: ask GET /verify, /verify/ROLE[,ROLE], /ext-authz/…, /healthz or /metrics\n",
        ),
    }
}

/// Answers carry no body: nginx keeps its connection to an `auth_request`
/// upstream only when there is none to skip, and the status and headers
/// say everything (why a key was refused goes to the log, not the client).
async fn verify(server: &Server, peer: &str, headers: &HeaderMap, roles_in_path: &str) -> Answered {
    let answer = match required_roles(headers, roles_in_path) {
        Err(problem) => Answer::BadRequest(problem),
        Ok(wanted) => server.verify(presented_key(headers), &wanted).await,
    };
    server.metrics.count(answer.outcome());
    if !matches!(answer, Answer::Valid(_)) {
        log_denied(&answer, peer, headers);
    }
    match answer {
        Answer::Valid(key) => {
            let mut answer = text(StatusCode::OK, "");
            let headers = answer.headers_mut();
            headers.insert("x-intergiro-key-id", header_text(&key.id));
            headers.insert("x-intergiro-key-name", header_text(&key.name));
            headers.insert("x-intergiro-key-roles", header_text(&key.roles.to_string()));
            answer
        }
        Answer::MissingRoles(key, _) => {
            let mut answer = text(StatusCode::FORBIDDEN, "");
            answer
                .headers_mut()
                .insert("x-intergiro-key-id", header_text(&key.id));
            answer
        }
        Answer::Rejected { .. } => {
            let mut answer = text(StatusCode::UNAUTHORIZED, "");
            answer.headers_mut().insert(
                hyper::header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer"),
            );
            answer
        }
        Answer::Unavailable(_) => {
            let mut answer = text(StatusCode::SERVICE_UNAVAILABLE, "");
            retry_after(&mut answer);
            answer
        }
        Answer::Overloaded => {
            let mut answer = text(StatusCode::SERVICE_UNAVAILABLE, "");
            retry_after(&mut answer);
            answer
        }
        Answer::BadRequest(problem) => text(StatusCode::BAD_REQUEST, format!("{problem}\n")),
    }
}

/// The key from `Authorization: Bearer …`, else `X-Api-Key`.
fn presented_key(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(hyper::header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| {
            let (scheme, rest) = value.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then_some(rest.trim())
        });
    bearer.or_else(|| {
        headers
            .get("x-api-key")
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
    })
}

/// The roles asked for in the path (`/verify/payments,accounts`) and in
/// `X-Intergiro-Required-Roles`, together.
fn required_roles(headers: &HeaderMap, in_path: &str) -> Result<Roles, String> {
    let mut roles = Vec::new();
    let in_header = headers
        .get_all("x-intergiro-required-roles")
        .iter()
        .map(|value| value.to_str().unwrap_or("\u{fffd}"));
    for list in std::iter::once(in_path.trim_start_matches('/')).chain(in_header) {
        for name in list
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let role: Role = name.parse().map_err(|_| {
                format!(
                    "unknown required role {:?}: roles are transactions, accounts and payments; fix the gateway's configuration",
                    name.chars().take(40).collect::<String>()
                )
            })?;
            roles.push(role);
        }
    }
    Ok(Roles::new(roles))
}

/// `text` as a header value: printable ASCII as it is, other bytes (and
/// `%`) percent-encoded, so a key name can never break a header.
fn header_text(text: &str) -> HeaderValue {
    let mut encoded = String::with_capacity(text.len());
    for byte in text.bytes() {
        if (b' '..=b'~').contains(&byte) && byte != b'%' {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    HeaderValue::from_str(&encoded).unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn text(status: StatusCode, body: impl Into<String>) -> Answered {
    let mut answer = Response::new(Full::new(Bytes::from(body.into())));
    *answer.status_mut() = status;
    let headers = answer.headers_mut();
    headers.insert(
        hyper::header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        hyper::header::CACHE_CONTROL,
        HeaderValue::from_static("no-store"),
    );
    answer
}

fn retry_after(answer: &mut Answered) {
    answer
        .headers_mut()
        .insert(hyper::header::RETRY_AFTER, HeaderValue::from_static("1"));
}

/// One line per denied request: the key ID (never its text), the outcome,
/// and who asked.
fn log_denied(answer: &Answer, peer: &str, headers: &HeaderMap) {
    let (outcome, id, detail) = match answer {
        Answer::Valid(_) => return,
        Answer::MissingRoles(key, missing) => {
            ("missing_role", Some(key.id.as_str()), missing.to_string())
        }
        Answer::Rejected { id, why } => (*why, id.as_deref(), String::new()),
        Answer::Unavailable(detail) => ("unavailable", None, detail.clone()),
        Answer::Overloaded => ("overloaded", None, String::new()),
        Answer::BadRequest(problem) => ("bad_request", None, problem.clone()),
    };
    let forwarded = headers
        .get("x-forwarded-for")
        .or_else(|| headers.get("x-real-ip"))
        .map(|value| {
            String::from_utf8_lossy(value.as_bytes())
                .chars()
                .take(200)
                .collect::<String>()
        });
    let mut fields: Vec<(&str, &str)> = vec![("outcome", outcome), ("client", peer)];
    if let Some(id) = id {
        fields.push(("key_id", id));
    }
    if let Some(forwarded) = &forwarded {
        fields.push(("forwarded_for", forwarded));
    }
    if !detail.is_empty() {
        fields.push(("detail", &detail));
    }
    log::event("denied", &fields);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_come_from_the_path_and_the_header() {
        let mut headers = HeaderMap::new();
        assert_eq!(required_roles(&headers, "").unwrap(), Roles::default());
        headers.insert(
            "x-intergiro-required-roles",
            HeaderValue::from_static("accounts"),
        );
        assert_eq!(
            required_roles(&headers, "/payments,").unwrap(),
            Roles::new([Role::Payments, Role::Accounts])
        );
        assert!(
            required_roles(&headers, "/admin")
                .unwrap_err()
                .contains("\"admin\"")
        );
    }

    #[test]
    fn the_key_comes_from_bearer_or_x_api_key() {
        let mut headers = HeaderMap::new();
        assert_eq!(presented_key(&headers), None);
        headers.insert("x-api-key", HeaderValue::from_static(" igk_b "));
        assert_eq!(presented_key(&headers), Some("igk_b"));
        headers.insert("authorization", HeaderValue::from_static("bearer igk_a"));
        assert_eq!(presented_key(&headers), Some("igk_a"));
        headers.insert("authorization", HeaderValue::from_static("Basic eDp5"));
        assert_eq!(presented_key(&headers), Some("igk_b"));
    }

    #[test]
    fn header_text_never_breaks_a_header() {
        assert_eq!(header_text("ci deploy"), "ci deploy");
        assert_eq!(header_text("a\r\nb%é"), "a%0D%0Ab%25%C3%A9");
    }
}
