//! Reaching the server: the connection URL, passwords from `~/.pgpass`, TLS
//! through rustls, and errors that say what to do.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use postgres::config::{Host, SslMode};
use postgres::{Client, Config, NoTls};

use crate::store::Error;

/// Where the store is: the connection settings, and the schema holding it.
#[derive(Clone)]
pub struct Location {
    pub config: Config,
    pub schema: String,
    /// Whether TLS is required (`sslmode=require`, `verify-ca`, `verify-full`).
    tls: bool,
    root_cert: Option<PathBuf>,
    /// The URL without its password, for messages.
    shown: String,
    /// Whether the URL itself holds a password (which other accounts can
    /// read where it was given on a command line).
    pub password_in_url: bool,
}

/// The schema a store lives in unless the URL names another (`?schema=`).
pub const DEFAULT_SCHEMA: &str = "intergiro_keys";

/// Whether a store location names a PostgreSQL server rather than a file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgresql://") || db.starts_with("postgres://")
}

impl Location {
    /// Parses a `postgresql://` URL. Beyond what libpq takes, `schema=NAME`
    /// picks the schema of the store.
    pub fn parse(url: &str) -> Result<Location> {
        let (base, query) = match url.split_once('?') {
            Some((base, query)) => (base, query),
            None => (url, ""),
        };
        let mut schema = DEFAULT_SCHEMA.to_string();
        let mut sslmode = None;
        let mut root_cert = None;
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            match name {
                "schema" => schema = percent_decode(value)?,
                "sslmode" => sslmode = Some(value.to_string()),
                "sslrootcert" => root_cert = Some(PathBuf::from(percent_decode(value)?)),
                _ => kept.push(pair),
            }
        }
        // As libpq: what the URL leaves out, the environment may give.
        let sslmode = sslmode.or_else(|| env_text("PGSSLMODE"));
        let root_cert = root_cert.or_else(|| env_text("PGSSLROOTCERT").map(PathBuf::from));
        let tls = match sslmode.as_deref() {
            None | Some("disable") | Some("allow") | Some("prefer") => false,
            Some("require") | Some("verify-ca") | Some("verify-full") => true,
            Some(other) => bail!(
                "sslmode={other} in the connection URL is not one of disable, prefer, require, verify-ca, verify-full"
            ),
        };
        if !valid_identifier(&schema) {
            bail!(
                "schema={schema:?} in the connection URL is not a plain name (letters, digits and _, starting with a letter, at most 63)"
            );
        }
        let rebuilt = if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        };
        let mut config = Config::from_str(&rebuilt).map_err(|err| {
            anyhow!("the store location is not a PostgreSQL connection URL ({err}); e.g. postgresql://user@host/database")
        })?;
        config.ssl_mode(if tls {
            SslMode::Require
        } else {
            SslMode::Disable
        });
        let password_in_url = config.get_password().is_some();
        from_environment(&mut config)?;
        if config.get_user().is_none() {
            config.user(&crate::operator::account_name(
                nix::unistd::getuid().as_raw(),
            ));
        }
        config.application_name("intergiro-keys");
        let shown = hide_password(url);
        let mut location = Location {
            config,
            schema,
            tls,
            root_cert,
            shown,
            password_in_url,
        };
        location.test_identity();
        location.find_password()?;
        Ok(location)
    }

    /// Debug builds (the test suite) act as the operator named by the
    /// identity seam, as they do on SQLite: here, the role they log in as.
    #[cfg(debug_assertions)]
    fn test_identity(&mut self) {
        if let Some(name) = std::env::var_os("INTERGIRO_KEYS_OPERATOR") {
            self.config.user(name.to_string_lossy().as_ref());
        }
    }

    #[cfg(not(debug_assertions))]
    fn test_identity(&mut self) {}

    /// The password from the URL, else `PGPASSWORD`, else `~/.pgpass`
    /// (or `PGPASSFILE`), as libpq looks for it.
    fn find_password(&mut self) -> Result<()> {
        if self.config.get_password().is_some() {
            return Ok(());
        }
        if let Some(password) = std::env::var_os("PGPASSWORD") {
            self.config.password(password.to_string_lossy().as_bytes());
            return Ok(());
        }
        let file = match std::env::var_os("PGPASSFILE") {
            Some(file) => PathBuf::from(file),
            None => match std::env::var_os("HOME") {
                Some(home) => Path::new(&home).join(".pgpass"),
                None => return Ok(()),
            },
        };
        if let Some(password) = pgpass_lookup(&file, self)? {
            self.config.password(password.as_bytes());
        }
        Ok(())
    }

    /// Host, port and database, for matching `.pgpass` lines.
    fn host_port_database(&self) -> (String, u16, String) {
        let host = match self.config.get_hosts().first() {
            Some(Host::Tcp(name)) => name.clone(),
            // libpq matches socket connections with "localhost".
            _ => "localhost".to_string(),
        };
        let port = self.config.get_ports().first().copied().unwrap_or(5432);
        let user = self.config.get_user().unwrap_or_default().to_string();
        let database = self.config.get_dbname().map_or(user, str::to_string);
        (host, port, database)
    }

    /// The database name, as the server sees it.
    pub fn database(&self) -> String {
        self.host_port_database().2
    }

    pub fn user(&self) -> &str {
        self.config.get_user().unwrap_or_default()
    }

    /// The URL without its password, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Opens a connection; `Error::Unreachable` when the server cannot be
    /// reached.
    pub fn connect(&self) -> Result<Client, Error> {
        let result = if self.tls {
            self.config.connect(self.tls_connector()?)
        } else {
            self.config.connect(NoTls)
        };
        result.map_err(|err| self.explain_connect(err))
    }

    fn tls_connector(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
        let mut roots = rustls::RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        if let Some(path) = &self.root_cert {
            let pem = std::fs::read(path)
                .with_context(|| format!("cannot read sslrootcert {}", path.display()))?;
            for cert in rustls_pemfile_certs(&pem, path)? {
                roots.add(cert).with_context(|| {
                    format!(
                        "sslrootcert {} holds an unusable certificate",
                        path.display()
                    )
                })?;
            }
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .context("cannot set up TLS")?
            .with_root_certificates(roots)
            .with_no_client_auth();
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }

    fn explain_connect(&self, err: postgres::Error) -> Error {
        let shown = &self.shown;
        if let Some(db) = err.as_db_error() {
            let code = db.code().code();
            return Error::Other(match code {
                "28P01" | "28000" => anyhow!(
                    "PostgreSQL refused the login of role {} at {shown}: {}; check the password (URL, PGPASSWORD or ~/.pgpass) and pg_hba.conf",
                    self.user(),
                    db.message()
                ),
                "3D000" => anyhow!(
                    "there is no database {} at {shown}; create it (createdb) or fix the connection URL",
                    self.database()
                ),
                "53300" | "57P03" => {
                    return Error::Unreachable {
                        location: shown.clone(),
                        detail: db.message().to_string(),
                    };
                }
                _ => anyhow!(
                    "PostgreSQL refused the connection to {shown}: {}",
                    db.message()
                ),
            });
        }
        let detail = error_text(&err);
        // The client's own refusal to connect: a setting is missing or
        // wrong, which no retry mends.
        if let Some(problem) = detail.strip_prefix("invalid configuration: ") {
            return Error::Other(if problem.contains("password missing") {
                anyhow!(
                    "the server at {shown} asks role {} for a password and none was given; put it in ~/.pgpass (or PGPASSFILE) or PGPASSWORD — not in the URL, which other accounts can read on a command line",
                    self.user()
                )
            } else {
                anyhow!(
                    "the connection settings for {shown} are incomplete ({problem}); give a host in the URL (postgresql://user@host/database) or PGHOST"
                )
            });
        }
        Error::Unreachable {
            location: shown.clone(),
            detail,
        }
    }
}

/// The text of a client error and its cause, on one line.
pub fn error_text(err: &postgres::Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text.replace('\n', " ")
}

/// Whether the connection URL `url` holds a password.
pub fn url_has_password(url: &str) -> bool {
    match url.split_once("://") {
        Some((_, rest)) => {
            let query_start = rest.find('?').unwrap_or(rest.len());
            let userinfo = rest[..query_start].rfind('@').map(|at| &rest[..at]);
            userinfo.is_some_and(|userinfo| userinfo.contains(':'))
                || rest[query_start..]
                    .split(['?', '&'])
                    .any(|pair| pair.starts_with("password="))
        }
        None => false,
    }
}

/// A variable of the environment, when set and not empty.
fn env_text(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.is_empty())
}

/// Fills in what the URL left out from libpq's variables, as `psql` does:
/// `PGHOST` (a host name, or a directory holding the server's Unix socket;
/// several, separated by commas), `PGPORT`, `PGUSER`, `PGDATABASE`. With no
/// host anywhere, the server's socket in its usual directory, as libpq's
/// own default.
fn from_environment(config: &mut Config) -> Result<()> {
    if config.get_hosts().is_empty() {
        match env_text("PGHOST") {
            Some(hosts) => {
                for host in hosts.split(',').filter(|host| !host.is_empty()) {
                    if host.starts_with('/') {
                        config.host_path(host);
                    } else {
                        config.host(host);
                    }
                }
            }
            None => {
                let dir = ["/var/run/postgresql", "/run/postgresql", "/tmp"]
                    .into_iter()
                    .find(|dir| Path::new(dir).join(".s.PGSQL.5432").exists())
                    .unwrap_or("/var/run/postgresql");
                config.host_path(dir);
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = env_text("PGPORT")
    {
        let port: u16 = port.parse().map_err(|_| {
            anyhow!("PGPORT={port:?} is not a port number; set it to one such as 5432, or unset it")
        })?;
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(user) = env_text("PGUSER")
    {
        config.user(&user);
    }
    if config.get_dbname().is_none()
        && let Some(database) = env_text("PGDATABASE")
    {
        config.dbname(&database);
    }
    Ok(())
}

/// A plain SQL identifier that needs no quoting.
pub fn valid_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

/// `name` as a quoted SQL identifier.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn percent_decode(text: &str) -> Result<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                .ok_or_else(|| {
                    anyhow!(
                        "bad percent-encoding in the connection URL near {:?}",
                        &text[i..]
                    )
                })?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).context("the connection URL decodes to text that is not UTF-8")
}

/// The URL with any password replaced by `***`.
fn hide_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    // The user information ends at the last `@` before the query, even when
    // a password holds a `/` that should have been percent-encoded.
    let query_start = rest.find('?').unwrap_or(rest.len());
    let authority_end = match rest[..query_start].rfind('@') {
        Some(at) => {
            at + 1
                + rest[at + 1..]
                    .find(['/', '?'])
                    .unwrap_or(rest.len() - at - 1)
        }
        None => rest.find(['/', '?']).unwrap_or(rest.len()),
    };
    let (authority, tail) = rest.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{user}:***@{host}"),
            None => format!("{userinfo}@{host}"),
        },
        None => authority.to_string(),
    };
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let query: Vec<String> = query
                .split('&')
                .map(|pair| match pair.split_once('=') {
                    Some(("password", _)) => "password=***".to_string(),
                    _ => pair.to_string(),
                })
                .collect();
            format!("{path}?{}", query.join("&"))
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// The password of the first `.pgpass` line matching the connection, as
/// libpq reads it: `host:port:database:user:password`, `*` matches anything,
/// `\` escapes `:` and `\`. A file others can read is ignored, as libpq does.
fn pgpass_lookup(file: &Path, location: &Location) -> Result<Option<String>> {
    use std::os::unix::fs::PermissionsExt;
    let Ok(metadata) = std::fs::metadata(file) else {
        return Ok(None);
    };
    if !metadata.is_file() || metadata.permissions().mode() & 0o077 != 0 {
        return Ok(None);
    }
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the password file {}", file.display()))?;
    let (host, port, database) = location.host_port_database();
    let port = port.to_string();
    let wanted = [
        host.as_str(),
        port.as_str(),
        database.as_str(),
        location.user(),
    ];
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let fields = split_pgpass_line(line);
        if fields.len() != 5 {
            continue;
        }
        if fields[..4]
            .iter()
            .zip(wanted)
            .all(|(field, value)| field == "*" || field == value)
        {
            return Ok(Some(fields[4].clone()));
        }
    }
    Ok(None)
}

fn split_pgpass_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => field.extend(chars.next()),
            ':' if fields.len() < 4 => fields.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    fields.push(field);
    fields
}

/// The certificates of a PEM file.
fn rustls_pemfile_certs(
    pem: &[u8],
    path: &Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>> {
    use rustls::pki_types::pem::PemObject;
    rustls::pki_types::CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|err| {
            anyhow!(
                "sslrootcert {} is not a PEM certificate file ({err:?})",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_keep_libpq_settings_and_take_a_schema() {
        let location = Location::parse(
            "postgresql://alice:s3cret@db.example:6543/keys?schema=team_keys&connect_timeout=5",
        )
        .unwrap();
        assert_eq!(location.schema, "team_keys");
        assert_eq!(location.user(), "alice");
        assert_eq!(location.database(), "keys");
        assert_eq!(location.config.get_password(), Some(&b"s3cret"[..]));
        assert_eq!(
            location.shown,
            "postgresql://alice:***@db.example:6543/keys?schema=team_keys&connect_timeout=5"
        );
        assert!(!location.tls);
        assert!(
            Location::parse("postgres://a@h/d?sslmode=verify-full")
                .unwrap()
                .tls
        );
        assert!(Location::parse("postgres://a@h/d?sslmode=sometimes").is_err());
        assert!(Location::parse("postgres://a@h/d?schema=Robert%27;drop").is_err());
    }

    #[test]
    fn a_password_is_hidden_wherever_the_url_puts_it() {
        for (url, shown) in [
            ("postgresql://u:S3C/RETPW@/db", "postgresql://u:***@/db"),
            (
                "postgresql://u:p@ss@host/db?x=1",
                "postgresql://u:***@host/db?x=1",
            ),
            (
                "postgresql://u@h/db?password=S3CRET",
                "postgresql://u@h/db?password=***",
            ),
            ("postgresql://u@h/db", "postgresql://u@h/db"),
        ] {
            assert_eq!(hide_password(url), shown, "{url}");
        }
        assert!(url_has_password("postgresql://u:S3C/RETPW@/db"));
        assert!(url_has_password(
            "postgresql://u@h/db?sslmode=require&password=x"
        ));
        assert!(!url_has_password("postgresql://u@h/db"));
        assert!(!url_has_password("postgresql:///db?host=/tmp"));
    }

    #[test]
    fn pgpass_lines_match_like_libpq() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pgpass");
        std::fs::write(
            &file,
            "# comment\nother:5432:*:alice:wrong\ndb.example:*:keys:alice:pa\\:ss\n*:*:*:*:fallback\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600)).unwrap();
        let location = Location::parse("postgresql://alice@db.example/keys").unwrap();
        assert_eq!(
            pgpass_lookup(&file, &location).unwrap().as_deref(),
            Some("pa:ss")
        );
        let location = Location::parse("postgresql://bob@elsewhere/keys").unwrap();
        assert_eq!(
            pgpass_lookup(&file, &location).unwrap().as_deref(),
            Some("fallback")
        );
        // Readable by others: ignored.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert_eq!(pgpass_lookup(&file, &location).unwrap(), None);
    }
}
