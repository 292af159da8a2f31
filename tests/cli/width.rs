//! Tables on real terminals of every common width, driven in tmux as a
//! person would see them: no line wider than the terminal (tmux joins the
//! lines it wrapped, so a wrapped line shows up too wide), columns giving
//! way in their documented order, output taller than the screen paged.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use unicode_width::UnicodeWidthStr;

use crate::common::Env;

const WIDTHS: [u16; 5] = [40, 60, 80, 100, 200];
const HEIGHT: u16 = 24;

/// A tmux server of its own, with panes that stay after their command
/// exits so that everything it printed can be read.
struct Tmux {
    dir: tempfile::TempDir,
    /// One server per command: a new one on the socket of one just killed
    /// may find it still shutting down.
    runs: std::cell::Cell<u32>,
}

impl Tmux {
    fn new() -> Tmux {
        let found = Command::new("tmux").arg("-V").output();
        assert!(
            found.is_ok_and(|output| output.status.success()),
            "these tests drive tmux: install it (apt-get install tmux)"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tmux.conf"),
            "set -g remain-on-exit on\nset -g history-limit 10000\n",
        )
        .unwrap();
        Tmux {
            dir,
            runs: std::cell::Cell::new(0),
        }
    }

    fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        // UTF-8 whatever the locale the tests run in: "…" is one column.
        cmd.arg("-u")
            .arg("-S")
            .arg(self.dir.path().join(format!("socket{}", self.runs.get())))
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"));
        cmd
    }

    fn run(&self, args: &[&str]) -> String {
        let output = self.tmux().args(args).output().unwrap();
        assert!(output.status.success(), "tmux {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Starts `command` (its environment spelled out, nothing inherited)
    /// in a pane `width` by `height`.
    fn start(&self, command: &std::process::Command, width: u16, height: u16) {
        self.runs.set(self.runs.get() + 1);
        let mut line = String::from("exec env -i TERM=screen LANG=C.UTF-8");
        for (name, value) in command.get_envs() {
            if let Some(value) = value {
                line.push_str(&format!(
                    " {}={}",
                    name.to_string_lossy(),
                    quote(&value.to_string_lossy())
                ));
            }
        }
        line.push(' ');
        line.push_str(&quote(&command.get_program().to_string_lossy()));
        for arg in command.get_args() {
            line.push(' ');
            line.push_str(&quote(&arg.to_string_lossy()));
        }
        let cwd = command.get_current_dir().map(Path::to_path_buf);
        let cwd = cwd.unwrap_or_else(|| PathBuf::from("."));
        self.run(&[
            "new-session",
            "-d",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-c",
            &cwd.to_string_lossy(),
            "-s",
            "t",
            &line,
        ]);
    }

    fn is_dead(&self) -> bool {
        self.run(&["display-message", "-p", "-t", "t", "#{pane_dead}"])
            .trim()
            == "1"
    }

    /// Waits until `done` holds, or fails after 15 s.
    fn wait(&self, what: &str, done: impl Fn(&Tmux) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(15);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "{what}; the screen:\n{}",
                self.screen().join("\n")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Everything the pane shows and scrolled past, wrapped lines joined,
    /// without tmux's own "Pane is dead" line.
    fn screen(&self) -> Vec<String> {
        let text = self.run(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"]);
        let mut lines: Vec<String> = text
            .lines()
            .filter(|line| !line.starts_with("Pane is dead"))
            .map(|line| line.trim_end().to_string())
            .collect();
        while lines.last().is_some_and(String::is_empty) {
            lines.pop();
        }
        lines
    }

    /// Runs `command` to its end and returns what it showed.
    fn output(&self, command: &std::process::Command, width: u16, height: u16) -> Vec<String> {
        self.start(command, width, height);
        self.wait("the command did not finish", Tmux::is_dead);
        let lines = self.screen();
        let _ = self.tmux().arg("kill-server").output();
        lines
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").output();
    }
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Asserts that no line is wider than `width` columns.
fn assert_fits(lines: &[String], width: u16, what: &str) {
    assert!(!lines.is_empty(), "{what} at {width}: nothing shown");
    for line in lines {
        assert!(
            line.width() <= usize::from(width),
            "{what} at {width} columns: a line {} wide:\n{line}\n\n{}",
            line.width(),
            lines.join("\n")
        );
    }
}

/// Whether `line` holds a whole date and time, `2026-01-01 12:00`.
fn has_date(line: &str) -> bool {
    let shape = b"dddd-dd-dd dd:dd";
    line.as_bytes().windows(shape.len()).any(|window| {
        window.iter().zip(shape).all(|(&byte, &want)| match want {
            b'd' => byte.is_ascii_digit(),
            _ => byte == want,
        })
    })
}

/// Whether `line` is a row of keys: a 12-character ID, then two spaces.
fn is_row(line: &str) -> bool {
    line.len() > 14
        && line.as_bytes()[..12].iter().all(u8::is_ascii_alphanumeric)
        && line[12..].starts_with("  ")
}

/// A store with `count` keys in every state a listing shows: long and
/// short names, one to three roles, expiring, frozen and retiring keys.
fn estate(count: usize) -> (Env, Vec<String>) {
    let env = Env::new();
    let names = [
        "nightly-export-of-all-accounts-to-the-warehouse",
        "ci",
        "payments-bot",
    ];
    let roles: [&[&str]; 3] = [
        &["accounts", "transactions", "payments"],
        &["payments"],
        &["accounts", "transactions"],
    ];
    // Oldest first, as time runs: some keys created long ago are frozen
    // (past 90 days) or expiring.
    let mut order: Vec<(i64, usize)> = (0..count)
        .map(|index| {
            let days = match index % 5 {
                1 => -100,
                2 => -80,
                _ => 0,
            };
            (days, index)
        })
        .collect();
    order.sort();
    let mut ids = vec![String::new(); count];
    for (days, index) in order {
        let name = match index < names.len() {
            true => names[index].to_string(),
            false => format!("service-account-{index}"),
        };
        let (_, id) = env
            .days_later(days)
            .create(&name, roles[index % roles.len()]);
        ids[index] = id;
    }
    // A retiring key: its status carries its retirement date.
    let rotated = env
        .cmd()
        .args(["rotate", "--grace", "7d", &ids[0]])
        .output()
        .unwrap();
    assert!(rotated.status.success(), "{rotated:?}");
    (env, ids)
}

#[test]
fn list_fits_every_width_with_ids_and_dates_whole() {
    let tmux = Tmux::new();
    for count in [3, 31] {
        let (env, ids) = estate(count);
        let mut cmd = env.std_cmd();
        cmd.args(["--no-pager", "list"]);
        let mut dropped: Vec<&str> = Vec::new();
        for width in WIDTHS.iter().rev().copied() {
            let lines = tmux.output(&cmd, width, HEIGHT);
            let what = format!("list of {count} keys");
            assert_fits(&lines, width, &what);
            let header = &lines[0];
            assert!(
                header.starts_with("ID") && header.contains("NAME") && header.contains("STATUS"),
                "{what} at {width}: {header}"
            );
            let text = lines.join("\n");
            // Every key on a line of its own (the rotated one and its
            // replacement too), with its ID whole; the notice about frozen
            // and expiring keys follows on stderr.
            let rows = lines.iter().filter(|line| is_row(line)).count();
            assert_eq!(rows, count + 1, "{what} at {width}:\n{text}");
            for id in &ids {
                assert!(
                    text.contains(id.as_str()),
                    "{what} at {width}: {id}\n{text}"
                );
            }
            // Dates are shown whole or not at all.
            if header.contains("FREEZES AT") {
                for line in lines.iter().filter(|line| is_row(line)) {
                    assert!(has_date(line), "{what} at {width}: {line}");
                }
            }
            // Columns give way in a fixed order: one gone at a width stays
            // gone at every narrower one.
            for title in &dropped {
                assert!(
                    !header.contains(title),
                    "{what} at {width}: {title} is back"
                );
            }
            for title in ["CREATED", "LAST USED", "DAYS LEFT", "ROLES", "FREEZES AT"] {
                if !header.contains(title) && !dropped.contains(&title) {
                    dropped.push(title);
                }
            }
            if width == 200 {
                assert!(dropped.is_empty(), "{what} at 200: {header}");
                assert!(
                    text.contains("~ retiring until ")
                        && text.contains("nightly-export-of-all-accounts-to-the-warehouse"),
                    "{what} at 200:\n{text}"
                );
            }
            if width == 40 {
                assert_eq!(
                    dropped,
                    ["CREATED", "LAST USED", "DAYS LEFT", "ROLES", "FREEZES AT"],
                    "{what} at 40: {header}"
                );
            }
        }
    }
}

#[test]
fn a_list_taller_than_the_screen_is_paged_and_the_pager_sees_fitted_lines() {
    let tmux = Tmux::new();
    let (env, _) = estate(31);
    let mut cmd = env.std_cmd();
    cmd.arg("list").env("PAGER", "less -FRX");
    for width in [40, 80] {
        tmux.start(&cmd, width, HEIGHT);
        // less stops after a screenful and waits, its prompt on the last
        // line.
        tmux.wait("less did not stop at a screenful", |tmux| {
            tmux.screen().last().is_some_and(|line| line.ends_with(':'))
        });
        let screen = tmux.screen();
        assert!(!tmux.is_dead(), "not paged:\n{}", screen.join("\n"));
        assert_eq!(screen.len(), usize::from(HEIGHT), "{}", screen.join("\n"));
        assert_fits(&screen, width, "the paged list");
        tmux.run(&["send-keys", "-t", "t", "q"]);
        tmux.wait("q did not quit the pager", Tmux::is_dead);
        let _ = tmux.tmux().arg("kill-server").output();
    }
}

#[test]
fn audit_users_renew_and_show_fit_every_width() {
    let tmux = Tmux::new();
    let (env, ids) = estate(3);
    env.cmd()
        .args([
            "users",
            "add",
            "a-rather-long-operator-name",
            "--permission",
            "view,create,renew,delete",
            "--key-roles",
            "accounts,transactions",
        ])
        .assert()
        .success();
    for width in WIDTHS {
        for args in [
            &["--no-pager", "audit"][..],
            &["users", "list"],
            &["renew", &ids[1], &ids[2]],
            &["show", &ids[1]],
        ] {
            let mut cmd = env.std_cmd();
            cmd.args(args);
            let lines = tmux.output(&cmd, width, HEIGHT);
            let what = args.join(" ");
            let table: Vec<String> = match args[0] {
                // show's fields are sentences; its history is the table.
                "show" => lines
                    .iter()
                    .skip_while(|line| *line != "History")
                    .cloned()
                    .collect(),
                _ => lines,
            };
            assert_fits(&table, width, &what);
        }
    }
}
