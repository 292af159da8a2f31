//! `check` as monitoring systems read it: metrics checked by `promtool` and
//! read by node_exporter's textfile collector, alert rules tested with
//! `promtool test rules`, the systemd units checked by `systemd-analyze`,
//! and the Nagios and Icinga 2 definitions of docs/monitoring.md under
//! Nagios itself and Icinga 2's validator. Each tool is a Debian package
//! that .ci/run installs; without one the test fails under CI.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration as Wait, Instant};

use chrono::Duration;

use crate::common::installed;
use crate::common::{Env, t0};
use crate::scripts::{readme_snippet, run_shell};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A store on day 80: one key frozen, two expiring (one with a name full
/// of what metrics and plugins must escape), two active, one retiring
/// after a rotation.
fn estate(env: &Env) {
    env.at(t0() - Duration::days(20))
        .create("old", &["accounts"]);
    env.create("soon", &["payments"]);
    env.days_later(2)
        .create("we\"ird\\name;x|y", &["accounts", "payments"]);
    env.days_later(50).create("fresh", &["transactions"]);
    env.create("rotated", &["accounts"]);
    let rotate = env
        .days_later(80)
        .cmd()
        .args(["rotate", "rotated"])
        .output()
        .unwrap();
    assert!(rotate.status.success(), "{}", text(&rotate.stderr));
}

fn check(env: &Env, args: &[&str]) -> Output {
    env.days_later(80)
        .cmd()
        .arg("check")
        .args(args)
        .output()
        .unwrap()
}

/// `promtool check metrics` on `metrics`: its verdict and what it said.
fn promtool_metrics(metrics: &[u8]) -> (bool, String) {
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("promtool (Debian package prometheus) must be installed");
    child.stdin.take().unwrap().write_all(metrics).unwrap();
    let output = child.wait_with_output().unwrap();
    (
        output.status.success(),
        text(&output.stdout) + &text(&output.stderr),
    )
}

#[test]
fn check_writes_openmetrics_and_prometheus_text_that_promtool_accepts() {
    let env = Env::new();
    estate(&env);
    let output = check(&env, &["--format", "openmetrics"]);
    // The monitoring-plugin exit code: a frozen key is CRITICAL.
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stderr));
    let metrics = text(&output.stdout);
    // The soonest freeze: "old", created 20 days before t0.
    let day70 = (t0() + Duration::days(70)).timestamp();
    for line in [
        "intergiro_keys_store_up 1".to_string(),
        "intergiro_keys_check_status 2".to_string(),
        "intergiro_keys_keys{status=\"active\"} 2".to_string(),
        "intergiro_keys_keys{status=\"expiring\"} 2".to_string(),
        "intergiro_keys_keys{status=\"frozen\"} 1".to_string(),
        "intergiro_keys_keys{status=\"retiring\"} 1".to_string(),
        "intergiro_keys_flagged_keys{level=\"warning\"} 2".to_string(),
        "intergiro_keys_flagged_keys{level=\"critical\"} 1".to_string(),
        format!("intergiro_keys_next_freeze_timestamp_seconds {day70}"),
        "# UNIT intergiro_keys_freeze_timestamp_seconds seconds".to_string(),
        "intergiro_keys_freeze_series_omitted 0".to_string(),
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "no {line} in\n{metrics}"
        );
    }
    assert!(metrics.ends_with("\n# EOF\n"), "{metrics}");
    // One series per key to renew, soonest first; the retiring one has none.
    let series: Vec<&str> = metrics
        .lines()
        .filter(|l| l.starts_with("intergiro_keys_freeze_timestamp_seconds{"))
        .collect();
    assert_eq!(series.len(), 5, "{metrics}");
    assert!(series[0].contains("name=\"old\""), "{metrics}");
    assert!(
        series[2].contains(r#"name="we\"ird\\name;x|y",roles="accounts,payments"} "#),
        "{metrics}"
    );
    assert_eq!(
        series[2].rsplit(' ').next().unwrap(),
        (t0() + Duration::days(92)).timestamp().to_string()
    );
    let (clean, said) = promtool_metrics(&output.stdout);
    assert!(clean, "promtool: {said}\n{metrics}");
    assert!(said.trim().is_empty(), "promtool has remarks: {said}");

    let output = check(&env, &["--format", "prometheus"]);
    assert_eq!(output.status.code(), Some(2));
    let prometheus = text(&output.stdout);
    assert!(!prometheus.contains("# EOF") && !prometheus.contains("# UNIT"));
    assert!(prometheus.contains("intergiro_keys_keys{status=\"frozen\"} 1\n"));
    assert!(promtool_metrics(&output.stdout).0);

    // promtool is no rubber stamp: a label value with a raw quote fails.
    let broken = metrics.replace(r#"we\"ird"#, r#"we"ird"#);
    assert!(!promtool_metrics(broken.as_bytes()).0);
}

#[test]
fn a_check_that_cannot_read_the_store_says_so_in_metrics() {
    let env = Env::sqlite();
    let missing = env.path("nowhere/keys.db");
    for format in ["openmetrics", "prometheus"] {
        let output = env
            .cmd()
            .arg("--db")
            .arg(&missing)
            .args(["check", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(3));
        let metrics = text(&output.stdout);
        assert!(
            metrics.contains("\nintergiro_keys_store_up 0\n"),
            "{metrics}"
        );
        assert!(
            metrics.contains("\nintergiro_keys_check_status 3\n"),
            "{metrics}"
        );
        assert!(!metrics.contains("intergiro_keys_keys"), "{metrics}");
        assert!(promtool_metrics(&output.stdout).0, "{metrics}");
        // The reason, for the service's journal.
        assert!(text(&output.stderr).contains("UNKNOWN: no database"));
    }
    // A command line that does not parse: UNKNOWN, in metrics still.
    let output = env
        .cmd()
        .args(["check", "--format", "openmetrics", "--warning", "soon"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(3));
    assert!(text(&output.stdout).contains("intergiro_keys_store_up 0\n"));
    assert!(promtool_metrics(&output.stdout).0);
    // Other commands have no metrics.
    let output = env
        .cmd()
        .args(["list", "--format", "openmetrics"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(text(&output.stderr).contains(
        "--format openmetrics is only for `intergiro-keys check`; use --format table or json"
    ));
}

#[test]
fn the_status_line_holds_no_semicolon_for_nagios() {
    let env = Env::new();
    estate(&env);
    let output = check(&env, &[]);
    assert_eq!(output.status.code(), Some(2));
    let out = text(&output.stdout);
    let (status, perfdata) = out.lines().next().unwrap().split_once(" | ").unwrap();
    assert!(!status.contains(';'), "{status}");
    assert!(status.ends_with(". 1 retiring after rotation"), "{status}");
    // The names that did not fit follow, with `;` and `|` escaped too.
    let rest: Vec<&str> = out.lines().skip(1).collect();
    assert!(rest.iter().all(|line| !line.contains(';')), "{out}");
    assert!(
        rest.iter()
            .any(|line| line
                .contains("we\"ird\\name\\x3bx\\x7cy (12 days), roles accounts,payments")),
        "{out}"
    );
    assert!(perfdata.starts_with("keys=6;;;0 "), "{perfdata}");
}

/// A free port on the loopback interface.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// `GET path` on the loopback interface, once the server answers (within
/// 10 seconds).
fn http_get(port: u16, path: &str) -> String {
    let deadline = Instant::now() + Wait::from_secs(10);
    loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            stream.set_read_timeout(Some(Wait::from_secs(10))).unwrap();
            write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            return answer;
        }
        assert!(Instant::now() < deadline, "nothing answers on port {port}");
        std::thread::sleep(Wait::from_millis(100));
    }
}

/// Kills the child when dropped, so that a failed test leaves no daemon.
struct Daemon(std::process::Child);

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The docs' textfile script, with its directory and store replaced, and
/// node_exporter's textfile collector reading what it wrote.
#[test]
fn node_exporter_reads_what_the_textfile_script_writes() {
    if !installed("prometheus-node-exporter") {
        return;
    }
    let env = Env::sqlite();
    estate(&env);
    let dir = env.path("textfile");
    std::fs::create_dir(&dir).unwrap();
    let script = readme_snippet("textfile")
        .replace("/var/lib/prometheus/node-exporter", &dir.to_string_lossy())
        .replace("/var/lib/intergiro-keys/keys.db", &env.db.to_string_lossy());
    let ran = run_shell(&env, 80, &script, &[]);
    assert!(ran.status.success(), "{}", text(&ran.stderr));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        ["intergiro-keys.prom"],
        "the temporary file is renamed"
    );

    let port = free_port();
    let _exporter = Daemon(
        Command::new("prometheus-node-exporter")
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(["--collector.disable-defaults", "--collector.textfile"])
            .arg(format!("--collector.textfile.directory={}", dir.display()))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let scraped = http_get(port, "/metrics");
    assert!(scraped.starts_with("HTTP/1.0 200") || scraped.starts_with("HTTP/1.1 200"));
    assert!(
        scraped.contains("\nnode_textfile_scrape_error 0\n"),
        "{scraped}"
    );
    assert!(
        scraped.contains("\nintergiro_keys_keys{status=\"frozen\"} 1\n"),
        "{scraped}"
    );
    assert!(scraped.contains(r#"name="we\"ird\\name;x|y""#), "{scraped}");
    assert!(
        scraped.contains("node_textfile_mtime_seconds{file="),
        "{scraped}"
    );
}

/// The docs' alert rules: `promtool check rules` accepts them, and
/// `promtool test rules`, fed the metrics `check` wrote, fires the
/// expiring and frozen alerts with their text.
#[test]
fn the_alert_rules_fire_on_what_check_writes() {
    if !installed("promtool") {
        return;
    }
    let env = Env::new();
    estate(&env);
    let rules = readme_snippet("alert-rules");
    let rules_file = env.path("rules.yml");
    std::fs::write(&rules_file, &rules).unwrap();
    let checked = Command::new("promtool")
        .args(["check", "rules"])
        .arg(&rules_file)
        .output()
        .unwrap();
    assert!(
        checked.status.success(),
        "{}",
        text(&checked.stdout) + &text(&checked.stderr)
    );

    let metrics = text(&check(&env, &["--format", "openmetrics"]).stdout);
    let series: String = metrics
        .lines()
        .filter(|l| {
            l.starts_with("intergiro_keys_keys{") || l.starts_with("intergiro_keys_store_up ")
        })
        .map(|l| {
            let (name, value) = l.rsplit_once(' ').unwrap();
            format!("      - series: '{name}'\n        values: '{value}x10'\n")
        })
        .collect();
    let description = |alert: &str| -> String {
        let from = rules.find(&format!("alert: {alert}")).unwrap();
        let line = rules[from..]
            .lines()
            .find(|l| l.trim_start().starts_with("description:"))
            .unwrap();
        line.trim_start().to_string()
    };
    let test = format!(
        "rule_files: [rules.yml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n{series}    alert_rule_test:\n\
         \x20     - eval_time: 5m\n        alertname: IntergiroKeysExpiring\n        exp_alerts:\n          - exp_labels: {{severity: warning, status: expiring}}\n            exp_annotations:\n              summary: \"2 intergiro-keys API keys freeze within 14 days\"\n              {}\n\
         \x20     - eval_time: 5m\n        alertname: IntergiroKeysFrozen\n        exp_alerts:\n          - exp_labels: {{severity: critical, status: frozen}}\n            exp_annotations:\n              summary: \"1 intergiro-keys API keys are frozen: requests with them are refused\"\n              {}\n\
         \x20     - eval_time: 5m\n        alertname: IntergiroKeysUnchecked\n        exp_alerts: []\n",
        description("IntergiroKeysExpiring"),
        description("IntergiroKeysFrozen"),
    );
    let test_file = env.path("rules_test.yml");
    std::fs::write(&test_file, &test).unwrap();
    let tested = Command::new("promtool")
        .args(["test", "rules"])
        .arg(&test_file)
        .output()
        .unwrap();
    assert!(
        tested.status.success(),
        "{}{}\n{test}",
        text(&tested.stdout),
        text(&tested.stderr)
    );
}

fn unit(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("debian/systemd")
        .join(name)
}

/// `systemd-analyze verify` accepts the units; and the service's commands,
/// run as systemd would (nothing in the environment but what the unit
/// sets: no HOME), write the metrics file.
#[test]
fn the_systemd_units_verify_and_their_commands_write_the_textfile() {
    let service = unit("intergiro-keys-check.service");
    let timer = unit("intergiro-keys-check.timer");
    if installed("systemd-analyze") {
        let verify = |paths: &[&Path]| {
            Command::new("systemd-analyze")
                .args(["verify", "--man=no"])
                .args(paths)
                .output()
                .unwrap()
        };
        let verified = verify(&[&service, &timer]);
        assert!(verified.status.success(), "{}", text(&verified.stderr));
        assert!(
            text(&verified.stderr).trim().is_empty(),
            "{}",
            text(&verified.stderr)
        );
        // The verifier is no rubber stamp.
        let scratch = tempfile::tempdir().unwrap();
        let broken = scratch.path().join("intergiro-keys-check.service");
        let unit_text = std::fs::read_to_string(&service).unwrap();
        std::fs::write(&broken, unit_text.replace("Type=oneshot", "Type=sometimes")).unwrap();
        let verified = verify(&[&broken]);
        assert!(!text(&verified.stderr).trim().is_empty());
    }

    let env = Env::sqlite();
    estate(&env);
    let dir = env.path("textfile");
    std::fs::create_dir(&dir).unwrap();
    let unit_text = std::fs::read_to_string(&service).unwrap();
    // Environment= lines, then what /etc/default/intergiro-keys would set.
    let mut vars: Vec<(String, String)> = unit_text
        .lines()
        .filter_map(|l| l.strip_prefix("Environment="))
        .map(|l| {
            let (name, value) = l.split_once('=').unwrap();
            (name.to_string(), value.to_string())
        })
        .collect();
    assert!(
        vars.iter().any(|(name, _)| name == "INTERGIRO_KEYS_DB"),
        "the unit names the store"
    );
    let textfile = dir.join("intergiro-keys.prom");
    for (name, value) in &mut vars {
        match name.as_str() {
            "INTERGIRO_KEYS_DB" => *value = env.db.to_string_lossy().into_owned(),
            "TEXTFILE" => *value = textfile.to_string_lossy().into_owned(),
            _ => {}
        }
    }
    let bin = env!("CARGO_BIN_EXE_intergiro-keys");
    for exec in unit_text
        .lines()
        .filter_map(|l| l.strip_prefix("ExecStart="))
    {
        // systemd's own expansion of ${NAME}, then its word splitting
        // (single quotes group words), as sh does it.
        let mut command = exec.replace("/usr/bin/intergiro-keys", bin);
        for (name, value) in &vars {
            command = command.replace(&format!("${{{name}}}"), value);
        }
        let mut run = Command::new("sh");
        run.arg("-c")
            .arg(format!("exec {command}"))
            .env_clear()
            .env("PATH", "/usr/bin:/bin");
        for (name, value) in &vars {
            run.env(name, value);
        }
        // The debug build's clock: day 80 of the estate.
        run.env(
            "INTERGIRO_KEYS_NOW",
            (t0() + Duration::days(80)).to_rfc3339(),
        );
        let output = run.output().unwrap();
        // check's plugin exit codes are success to the unit.
        let code = output.status.code().unwrap();
        assert!(
            matches!(code, 0..=3) && unit_text.contains("SuccessExitStatus=1 2 3"),
            "{command}: exit {code}: {}",
            text(&output.stderr)
        );
    }
    let written = std::fs::read(&textfile).unwrap();
    assert!(text(&written).contains("intergiro_keys_store_up 1\n"));
    assert!(text(&written).contains("intergiro_keys_keys{status=\"frozen\"} 1\n"));
    assert!(!dir.join("intergiro-keys.prom.tmp").exists());
    if installed("promtool") {
        assert!(promtool_metrics(&written).0);
    }
}

/// The account running the tests, for Nagios's nagios_user.
fn account() -> (String, String) {
    let id = |flag: &str| {
        text(&Command::new("id").arg(flag).output().unwrap().stdout)
            .trim()
            .to_string()
    };
    (id("-un"), id("-gn"))
}

/// Nagios 4 itself runs the docs' command and service definitions, and
/// keeps the status line as `check` printed it (no `;` turned into `:`).
#[test]
fn nagios_runs_the_documented_check_and_keeps_its_status_line() {
    if !installed("nagios4") {
        return;
    }
    let env = Env::sqlite();
    estate(&env);
    let expected = text(&check(&env, &[]).stdout);
    let expected_first = expected.lines().next().unwrap().to_string();
    let dir = env.path("nagios");
    std::fs::create_dir(&dir).unwrap();
    let now = (t0() + Duration::days(80)).to_rfc3339();
    let definitions = readme_snippet("nagios")
        .replace(
            "/usr/bin/intergiro-keys",
            &format!(
                "/usr/bin/env INTERGIRO_KEYS_NOW={now} {}",
                env!("CARGO_BIN_EXE_intergiro-keys")
            ),
        )
        .replace("/var/lib/intergiro-keys/keys.db", &env.db.to_string_lossy())
        .replace("!14!3", "!14!0");
    let days: String = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ]
    .iter()
    .map(|day| format!("    {day} 00:00-24:00\n"))
    .collect();
    let objects = format!(
        "define timeperiod {{\n    timeperiod_name 24x7\n    alias always\n{days}}}\n\
         define command {{\n    command_name notify-none\n    command_line /bin/true\n}}\n\
         define contact {{\n    contact_name ops\n    host_notifications_enabled 0\n    service_notifications_enabled 0\n    host_notification_period 24x7\n    service_notification_period 24x7\n    host_notification_options n\n    service_notification_options n\n    host_notification_commands notify-none\n    service_notification_commands notify-none\n}}\n\
         define host {{\n    host_name keys-host\n    address 127.0.0.1\n    max_check_attempts 1\n    check_period 24x7\n    contacts ops\n    notification_interval 0\n    notification_period 24x7\n}}\n\
         define service {{\n    name generic-service\n    max_check_attempts 1\n    check_interval 5\n    retry_interval 1\n    check_period 24x7\n    contacts ops\n    notification_interval 0\n    notification_period 24x7\n    register 0\n}}\n\
         {definitions}"
    );
    std::fs::write(dir.join("objects.cfg"), objects).unwrap();
    let (user, group) = account();
    let d = dir.display();
    let main = format!(
        "cfg_file={d}/objects.cfg\ncheck_result_path={d}\nlock_file={d}/nagios.lock\ntemp_file={d}/nagios.tmp\n\
         status_file={d}/status.dat\nlog_file={d}/nagios.log\nobject_cache_file={d}/objects.cache\n\
         precached_object_file={d}/objects.precache\nquery_socket={d}/nagios.qh\nnagios_user={user}\nnagios_group={group}\n\
         service_inter_check_delay_method=n\nhost_inter_check_delay_method=n\ncheck_result_reaper_frequency=1\n\
         status_update_interval=1\nexecute_host_checks=0\nenable_notifications=0\nretain_state_information=0\n\
         check_external_commands=0\n"
    );
    let config = dir.join("nagios.cfg");
    std::fs::write(&config, main).unwrap();
    let verified = Command::new("nagios4")
        .arg("-v")
        .arg(&config)
        .output()
        .unwrap();
    assert!(verified.status.success(), "{}", text(&verified.stdout));

    let _nagios = Daemon(
        Command::new("nagios4")
            .arg(&config)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let deadline = Instant::now() + Wait::from_secs(30);
    let (output, perfdata, state, long) = loop {
        let status = std::fs::read_to_string(dir.join("status.dat")).unwrap_or_default();
        let service = status
            .split("servicestatus {")
            .nth(1)
            .unwrap_or_default()
            .to_string();
        let field = |name: &str| {
            service
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix(&format!("{name}="))
                        .map(str::to_string)
                })
                .unwrap_or_default()
        };
        if !field("plugin_output").is_empty() {
            break (
                field("plugin_output"),
                field("performance_data"),
                field("current_state"),
                field("long_plugin_output"),
            );
        }
        assert!(
            Instant::now() < deadline,
            "Nagios ran no check within 30 s:\n{status}"
        );
        std::thread::sleep(Wait::from_millis(200));
    };
    assert_eq!(state, "2", "CRITICAL");
    assert_eq!(format!("{output} | {perfdata}"), expected_first);
    // The long output too (status.dat writes `\` as `\\` and newlines
    // as `\n`).
    let expected_long: Vec<String> = expected
        .lines()
        .skip(1)
        .map(|line| line.replace('\\', "\\\\"))
        .collect();
    assert_eq!(long, expected_long.join("\\n"));
}

/// Icinga 2's validator accepts the docs' CheckCommand and Service (and
/// rejects a broken one); the command line Icinga would build runs.
#[test]
fn icinga2_accepts_the_documented_check_command_and_service() {
    if !installed("icinga2") {
        return;
    }
    let env = Env::sqlite();
    estate(&env);
    let definitions = readme_snippet("icinga2");
    let dir = env.path("icinga2");
    std::fs::create_dir(&dir).unwrap();
    let config = dir.join("icinga2.conf");
    let validate = |objects: &str| {
        std::fs::write(
            &config,
            format!(
                "include <itl>\n{objects}\nobject Host \"keys-host\" {{\n  check_command = \"dummy\"\n  vars.intergiro_keys = true\n}}\n"
            ),
        )
        .unwrap();
        Command::new("icinga2")
            .args(["daemon", "-C", "-c"])
            .arg(&config)
            .output()
            .unwrap()
    };
    let valid = validate(&definitions);
    assert!(valid.status.success(), "{}", text(&valid.stdout));
    assert!(
        text(&valid.stdout).contains("Instantiated 1 Service."),
        "{}",
        text(&valid.stdout)
    );
    let broken = validate(&definitions.replace("check_command =", "check_commmand ="));
    assert!(!broken.status.success());

    // The command Icinga builds: the command, then each argument whose
    // variable is set.
    let output = env
        .days_later(80)
        .std_cmd()
        .args(["--no-input", "check", "--db"])
        .arg(&env.db)
        .args(["--warning", "14", "--critical", "3"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", text(&output.stdout));
    let first = text(&output.stdout);
    assert!(first.starts_with("CRITICAL: "), "{first}");
}

/// A name written into the file with another tool, holding a terminal
/// escape and a bidi override, reaches the metrics as visible text: no
/// control character lands in the textfile a person may `cat`.
#[test]
fn hostile_names_reach_the_metrics_escaped() {
    let env = Env::sqlite();
    let (_, id) = env.create("plain", &["accounts"]);
    env.sql(&format!(
        "UPDATE api_key SET name = 'x' || char(27) || '[31m' || char(8238) || 'y' WHERE id = '{id}'"
    ));
    let output = env
        .cmd()
        .args(["check", "--format", "openmetrics"])
        .output()
        .unwrap();
    let metrics = text(&output.stdout);
    assert!(
        metrics.contains(r#"name="x\\x1b[31m\\u{202e}y""#),
        "{metrics}"
    );
    assert!(
        !metrics.contains('\u{1b}') && !metrics.contains('\u{202e}'),
        "{metrics}"
    );
}
