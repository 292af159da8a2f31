//! A large estate: filters evaluated in the store, output streamed to a pipe
//! that may close at any moment, long tables through the pager.

use std::collections::BTreeSet;
use std::io::Read;
use std::process::Stdio;

use rexpect::process::WaitStatus;

use crate::common::Env;

/// Adds `n` keys copied from the first one (same shape, IDs `F0000000001`…,
/// names `filler 1`…) and `n` audit entries, straight into the database.
pub fn fill(env: &Env, n: usize) {
    if env.is_postgres() {
        // The entries continue the log's numbering, as its head says.
        env.sql(&format!(
            "INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
             SELECT 'F' || lpad(i::text, 11, '0'), 'filler ' || i, roles, secret_hash, created_at, renewed_at, freezes_at, true
             FROM generate_series(1, {n}) AS i, (SELECT * FROM api_key ORDER BY created_at LIMIT 1) AS k;
             INSERT INTO audit (seq, at, operator, action, key_id, outcome, detail, prev_hash, hash)
             SELECT h.last_seq + i, at, operator, action, key_id, outcome, detail || ' ' || i, prev_hash, hash
             FROM generate_series(1, {n}) AS i, audit_head AS h, (SELECT * FROM audit ORDER BY seq LIMIT 1) AS a;
             UPDATE audit_head SET last_seq = last_seq + {n};"
        ));
        return;
    }
    env.sql(&format!(
        "WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})
         INSERT INTO api_key (id, name, roles, secret_hash, created_at, renewed_at, freezes_at, issued)
         SELECT printf('F%011d', i), 'filler ' || i, roles, secret_hash, created_at, renewed_at, freezes_at, 1
         FROM seq, (SELECT * FROM api_key ORDER BY created_at LIMIT 1);
         WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < {n})
         INSERT INTO audit (at, operator, action, key_id, outcome, detail, prev_hash, hash)
         SELECT at, operator, action, key_id, outcome, detail || ' ' || i, prev_hash, hash
         FROM seq, (SELECT * FROM audit ORDER BY seq LIMIT 1);"
    ));
}

fn names(env: &Env, days: i64, args: &[&str]) -> BTreeSet<String> {
    env.days_later(days)
        .json_array(&[&["list"], args].concat())
        .iter()
        .map(|key| key["name"].as_str().unwrap().to_string())
        .collect()
}

fn set(names: &[&str]) -> BTreeSet<String> {
    names.iter().map(|name| name.to_string()).collect()
}

#[test]
fn filters_return_exactly_the_expected_keys() {
    let env = Env::new();
    // Seen on day 85: export (created day -10) froze on day 80; ci-old and
    // pay-report (day 0) freeze on day 90, so are expiring; ci-new (day 40)
    // is active.
    env.days_later(-10)
        .create("export", &["accounts", "transactions"]);
    env.create("ci-old", &["payments"]);
    env.create("pay-report", &["accounts", "payments"]);
    env.days_later(40).create("ci-new", &["transactions"]);
    let day = 85;

    assert_eq!(
        names(&env, day, &["--role", "payments"]),
        set(&["ci-old", "pay-report"])
    );
    assert_eq!(
        names(&env, day, &["--role", "accounts,payments"]),
        set(&["pay-report"])
    );
    assert_eq!(
        names(&env, day, &["--role", "accounts", "--role", "transactions"]),
        set(&["export"])
    );
    assert_eq!(names(&env, day, &["--status", "frozen"]), set(&["export"]));
    assert_eq!(
        names(&env, day, &["--status", "expiring"]),
        set(&["ci-old", "pay-report"])
    );
    assert_eq!(
        names(&env, day, &["--status", "active", "--status", "frozen"]),
        set(&["ci-new", "export"])
    );
    assert_eq!(
        names(&env, day, &["--name", "ci-*"]),
        set(&["ci-old", "ci-new"])
    );
    assert_eq!(names(&env, day, &["--name", "?x*"]), set(&["export"]));
    assert_eq!(names(&env, day, &["--name", "CI-*"]), set(&[]));
    // --within alone implies --expiring; frozen keys count as expiring.
    assert_eq!(
        names(&env, day, &["--within", "3"]),
        names(&env, day, &["--expiring", "--within", "3"])
    );
    assert_eq!(names(&env, day, &["--within", "3"]), set(&["export"]));
    assert_eq!(
        names(&env, day, &["--within", "10"]),
        set(&["export", "ci-old", "pay-report"])
    );
    // Filters combine.
    assert_eq!(
        names(
            &env,
            day,
            &[
                "--role", "payments", "--name", "pay*", "--status", "expiring"
            ]
        ),
        set(&["pay-report"])
    );

    let order = |sort: &str| -> Vec<String> {
        env.days_later(day)
            .json_array(&["list", "--sort", sort])
            .iter()
            .map(|key| key["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(order("name"), ["ci-new", "ci-old", "export", "pay-report"]);
    assert_eq!(order("created")[0], "export");
    assert_eq!(order("created")[3], "ci-new");
    assert_eq!(order("freezes")[0], "export");
    let ids = order("id");
    assert_eq!(ids.len(), 4);
    let json = env.days_later(day).json_array(&["list", "--sort", "id"]);
    let id_order: Vec<&str> = json.iter().map(|key| key["id"].as_str().unwrap()).collect();
    let mut sorted = id_order.clone();
    sorted.sort();
    assert_eq!(id_order, sorted);

    // A filter that matches nothing says so on stderr and prints nothing.
    let none = env
        .days_later(day)
        .cmd()
        .args(["list", "--name", "nothing*"])
        .output()
        .unwrap();
    assert!(none.status.success());
    assert!(none.stdout.is_empty());
    assert!(String::from_utf8_lossy(&none.stderr).contains("No key matches"));
}

#[test]
fn a_long_table_streamed_to_a_pipe_lines_up() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 300);
    let output = env.cmd().arg("list").output().unwrap();
    assert!(output.status.success());
    let text = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 302);
    assert!(lines[0].starts_with("ID            NAME"), "{}", lines[0]);
    // Every row's FREEZES AT column starts where the header's does.
    let column = lines[0].find("FREEZES AT").unwrap();
    for line in &lines[1..] {
        assert_eq!(&line[column..column + 4], "2026", "{line}");
        assert_eq!(line.trim_end(), *line);
    }
}

#[test]
fn a_long_tables_columns_are_as_wide_as_their_widest_cells() {
    use unicode_width::UnicodeWidthStr;
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 300);
    env.sql(
        "UPDATE api_key SET roles = 'accounts,payments,transactions',
                name = 'a much longer name than the others' WHERE id = 'F00000000007'",
    );
    let lines = |env: &Env| {
        let output = env.cmd().arg("list").output().unwrap();
        assert!(output.status.success());
        String::from_utf8(output.stdout).unwrap()
    };
    let text = lines(&env);
    let row = text
        .lines()
        .find(|line| line.starts_with("F00000000007"))
        .unwrap();
    // The widest name and roles are followed by the two spaces between
    // columns, and the dates start where the header says.
    assert!(
        row.contains(
            "  a much longer name than the others  transactions, accounts, payments  2026-"
        ),
        "{row}"
    );
    let header = text.lines().next().unwrap();
    assert_eq!(header.find("CREATED"), row.find("2026-"), "{text}");

    // Wide characters count twice on a terminal: every row's dates still
    // start in the same column.
    env.sql(
        "UPDATE api_key SET name = '日本語の鍵の名前はとても長い名前です' WHERE id = 'F00000000009'",
    );
    let text = lines(&env);
    let starts: BTreeSet<usize> = text
        .lines()
        .skip(1)
        .map(|line| line[..line.find("  2026-").unwrap()].width())
        .collect();
    assert_eq!(starts.len(), 1, "{text}");
    assert_eq!(
        *starts.first().unwrap(),
        "F00000000009  日本語の鍵の名前はとても長い名前です  transactions, accounts, payments"
            .width(),
        "{text}"
    );
}

/// Runs `args`, reads the first 100 bytes of stdout and closes it, as
/// `| head -c 100` does; returns the exit code, stderr and how much the
/// whole output would have been.
fn closed_after_100_bytes(env: &Env, args: &[&str]) -> (i32, String, usize) {
    let full = env.cmd().args(args).output().unwrap().stdout.len();
    let mut child = env
        .std_cmd()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 100];
    child.stdout.take().unwrap().read_exact(&mut head).unwrap();
    // stdout is closed here, long before the command is done writing.
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let code = child.wait().unwrap().code().unwrap();
    (code, stderr, full)
}

#[test]
fn output_well_over_64_kib_into_a_closed_pipe_exits_0() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 2000);
    for args in [
        &["list", "--format", "json"][..],
        &["audit", "--format", "json"],
        &["list"],
        &["audit"],
    ] {
        let (code, stderr, full) = closed_after_100_bytes(&env, args);
        assert!(full > 128 * 1024, "{args:?}: only {full} bytes");
        assert_eq!(code, 0, "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
}

#[test]
fn a_long_table_goes_through_the_pager_on_a_terminal_only() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 40);
    let pager = "sed 's/^/paged: /'";
    let on_terminal = |args: &[&str]| {
        let mut cmd = env.std_cmd();
        cmd.args(args)
            .env("TERM", "xterm")
            .env("LINES", "20")
            .env("COLUMNS", "120")
            .env("INTERGIRO_KEYS_PAGER", pager);
        let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
        let output = session.exp_eof().unwrap();
        let code = match session.process().wait().unwrap() {
            WaitStatus::Exited(_, code) => code,
            other => panic!("{other:?}"),
        };
        (output, code)
    };
    let (paged, code) = on_terminal(&["list"]);
    assert_eq!(code, 0, "{paged}");
    // Header, the first key and 40 more, every line through the pager.
    let lines = paged
        .lines()
        .filter(|line| line.starts_with("paged: "))
        .count();
    assert_eq!(lines, 42, "{paged}");
    assert!(paged.contains("paged: F00000000040"), "{paged}");

    // PAGER is used when INTERGIRO_KEYS_PAGER is not set.
    let mut cmd = env.std_cmd();
    cmd.arg("list")
        .env("TERM", "xterm")
        .env("LINES", "20")
        .env("PAGER", "sed 's/^/pager: /'");
    let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
    let output = session.exp_eof().unwrap();
    assert!(output.contains("pager: F00000000040"), "{output}");

    // Not with --no-pager, not for a table that fits the screen, never on a
    // pipe.
    let (direct, _) = on_terminal(&["--no-pager", "list"]);
    assert!(
        !direct.contains("paged:") && direct.contains("F00000000040"),
        "{direct}"
    );
    let (short, _) = on_terminal(&["list", "--name", "k"]);
    assert!(!short.contains("paged:") && short.contains("k"), "{short}");
    let piped = env
        .cmd()
        .arg("list")
        .env("INTERGIRO_KEYS_PAGER", pager)
        .env("LINES", "20")
        .output()
        .unwrap();
    let piped = String::from_utf8(piped.stdout).unwrap();
    assert!(
        !piped.contains("paged:") && piped.contains("F00000000040"),
        "{piped}"
    );
}

#[test]
fn a_pipe_or_newline_in_a_name_cannot_change_checks_status_or_perfdata() {
    let env = Env::new();
    env.create("plain", &["accounts"]);
    env.days_later(50).create("fresh", &["accounts"]);
    // Written straight into the store, as anyone who can write it could.
    env.execute(
        "UPDATE api_key SET name = ?1 WHERE name = 'plain'",
        &["x | keys=0;;;0 critical=0\nOK: all fine | warning=0"],
    );
    let output = env.days_later(80).cmd().arg("check").output().unwrap();
    let out = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{out}");
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(
        out.starts_with("WARNING: 1 of 2 keys freezes within 14 days: x \\x7c keys=0\\x3b"),
        "{out}"
    );
    // One `|`, then exactly the real performance data.
    let (status, perfdata) = out.trim_end().split_once('|').unwrap();
    assert!(!status.contains('\n'), "{out}");
    assert_eq!(perfdata, " keys=2;;;0 warning=1;0;;0 critical=0;;0;0");
}

#[test]
fn check_of_a_large_estate_stays_within_what_monitoring_keeps() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 3000);
    env.days_later(60).create("fresh", &["payments"]);
    // Day 80: the 3,001 keys of day 0 freeze within 14 days, "fresh" not.
    let output = env.days_later(80).cmd().arg("check").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    let out = String::from_utf8(output.stdout).unwrap();
    let first = out.lines().next().unwrap();
    assert!(first.len() <= 200, "{} bytes: {first}", first.len());
    assert!(
        first.starts_with("WARNING: 3001 of 3002 keys freeze within 14 days: "),
        "{first}"
    );
    assert!(
        first.contains(" more | keys=3002;;;0 warning=3001;0;;0 critical=0;;0;0"),
        "{first}"
    );
    assert!(out.len() <= 8 * 1024, "{} bytes", out.len());
    // Details name keys on the following lines, and say how to see them all.
    let details: Vec<&str> = out.lines().skip(1).collect();
    assert!(details.len() > 20, "{out}");
    assert!(details[0].starts_with("WARNING: "), "{out}");
    assert!(
        details
            .last()
            .unwrap()
            .contains("more: `intergiro-keys list --within 14`"),
        "{out}"
    );
    assert!(!out.contains("fresh"), "{out}");

    // JSON carries the counts and the first flagged keys.
    let json: serde_json::Value = serde_json::from_slice(
        &env.days_later(80)
            .cmd()
            .args(["check", "--format", "json"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(json["warning"], 3001);
    assert_eq!(json["critical"], 0);
    assert_eq!(json["keys"], 3002);
    assert_eq!(json["message"].as_str().unwrap(), first);
    assert_eq!(json["flagged"].as_array().unwrap().len(), 100);
}
