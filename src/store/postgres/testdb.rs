//! A throwaway database on the PostgreSQL test cluster that
//! `tests/pg/cluster.sh` starts (INTERGIRO_KEYS_TEST_PG), for the store's
//! unit tests: this backend's own (`tests.rs`) and the trait suite
//! (`store::tests`). Those tests are `#[ignore]`d ("needs PostgreSQL"), so
//! they run only when asked for (`--include-ignored`), and then fail
//! without a cluster rather than pass without running.

use std::sync::atomic::{AtomicU32, Ordering};

use postgres::{Client, NoTls};

use super::{Location, PgStore, schema};

/// A fresh database on the test cluster, with a superuser connection to it.
pub(crate) struct TestDb {
    pub(crate) name: String,
    socket_dir: String,
    pub(crate) admin: Client,
}

impl TestDb {
    pub(crate) fn new() -> TestDb {
        let url = std::env::var("INTERGIRO_KEYS_TEST_PG").expect(
            "needs PostgreSQL: INTERGIRO_KEYS_TEST_PG is not set; run the tests under tests/pg/cluster.sh",
        );
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "unit_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        );
        let socket_dir = url
            .split("host=")
            .nth(1)
            .expect("host= in INTERGIRO_KEYS_TEST_PG")
            .to_string();
        let mut server = Client::connect(&url, NoTls).expect("cannot reach the test cluster");
        server
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        let admin = Client::connect(
            &format!("postgresql://postgres@/{name}?host={socket_dir}"),
            NoTls,
        )
        .unwrap();
        TestDb {
            name,
            socket_dir,
            admin,
        }
    }

    /// A login role, made once per cluster: concurrent tests may race to
    /// make it.
    pub(crate) fn ensure_role(&mut self, role: &str) {
        for _ in 0..20 {
            let _ = self
                .admin
                .batch_execute(&format!("CREATE ROLE {role} LOGIN"));
            let exists: bool = self
                .admin
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1)",
                    &[&role],
                )
                .unwrap()
                .get(0);
            if exists {
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        panic!("cannot create role {role}");
    }

    /// The store's location as `role`.
    pub(crate) fn location(&mut self, role: &str) -> Location {
        self.ensure_role(role);
        Location::parse(&format!(
            "postgresql://{role}@/{}?host={}",
            self.name, self.socket_dir
        ))
        .unwrap()
    }

    /// A raw connection as `role`, as `psql` would make.
    pub(crate) fn raw(&mut self, role: &str) -> Client {
        self.ensure_role(role);
        Client::connect(
            &format!(
                "postgresql://{role}@/{}?host={}",
                self.name, self.socket_dir
            ),
            NoTls,
        )
        .unwrap()
    }

    /// A store initialized by `admin_role`, which may create roles and
    /// schemas as a database administrator may.
    pub(crate) fn store(&mut self, admin_role: &str) -> PgStore {
        let location = self.store_location(admin_role);
        PgStore::open(&location).unwrap()
    }
}

impl TestDb {
    /// A store as `init` made it, by `admin_role`.
    pub(crate) fn store_location(&mut self, admin_role: &str) -> Location {
        self.store_made(admin_role, None)
    }

    fn store_made(
        &mut self,
        admin_role: &str,
        clock: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Location {
        let location = self.location(admin_role);
        // Tests run in parallel, and concurrent changes of one role (ALTER
        // ROLE, GRANT) fail with "tuple concurrently updated": one at a time.
        static SETUP: std::sync::Mutex<()> = std::sync::Mutex::new(());
        let _one_at_a_time = SETUP
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        self.admin
            .batch_execute(&format!(
                "ALTER ROLE {admin_role} CREATEROLE; GRANT CREATE ON DATABASE {} TO {admin_role}",
                self.name
            ))
            .unwrap();
        let mut client = location.connect().unwrap();
        schema::initialize_with_clock(&mut client, &location, None, clock).unwrap();
        location
    }

    /// A store made at `start` that follows the clock its connection sets
    /// (`PgStore::set_clock`) instead of the server's.
    pub(crate) fn store_with_test_clock(
        &mut self,
        admin_role: &str,
        start: chrono::DateTime<chrono::Utc>,
    ) -> PgStore {
        let location = self.store_made(admin_role, Some(start));
        let store = PgStore::open(&location).unwrap();
        store.set_clock(start);
        store
    }

    /// Every row of the store, its version first, to compare.
    pub(crate) fn contents(&mut self) -> String {
        let mut all = String::new();
        for table in [
            "schema_version",
            "api_key",
            "operator",
            "audit",
            "audit_head",
        ] {
            let row = self
                .admin
                .query_one(
                    &format!(
                        "SELECT coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')
                         FROM intergiro_keys.{table} t"
                    ),
                    &[],
                )
                .unwrap();
            all.push_str(row.get(0));
            all.push('\n');
        }
        all
    }

    pub(crate) fn version(&mut self) -> i32 {
        self.admin
            .query_one("SELECT version FROM intergiro_keys.schema_version", &[])
            .unwrap()
            .get(0)
    }
}
