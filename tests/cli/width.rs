//! Tables on real terminals of every common width, driven in tmux as a
//! person would see them: no line wider than the terminal (tmux joins the
//! lines it wrapped, so a wrapped line shows up too wide), columns giving
//! way in their documented order, output taller than the screen paged.

use unicode_width::UnicodeWidthStr;

use crate::common::Env;
use crate::tmux::Tmux;

const WIDTHS: [u16; 5] = [40, 60, 80, 100, 200];
const HEIGHT: u16 = 24;

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
    // A role of the PostgreSQL test cluster too (tests/cli/common.rs).
    env.cmd()
        .args([
            "users",
            "add",
            "stranger",
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

#[test]
fn a_key_history_taller_than_the_screen_is_paged() {
    let tmux = Tmux::new();
    let env = Env::new();
    let (_, id) = env.create("busy", &["accounts"]);
    for day in 1..=30 {
        env.days_later(day)
            .cmd()
            .args(["renew", &id])
            .assert()
            .success();
    }
    let mut cmd = env.days_later(30).std_cmd();
    cmd.args(["show", &id]).env("PAGER", "less -FRX");
    tmux.start(&cmd, 60, HEIGHT);
    tmux.wait("less did not stop at a screenful", |tmux| {
        tmux.screen().last().is_some_and(|line| line.ends_with(':'))
    });
    let screen = tmux.screen();
    assert!(!tmux.is_dead(), "not paged:\n{}", screen.join("\n"));
    assert_fits(&screen, 60, "the paged history");
    tmux.run(&["send-keys", "-t", "t", "q"]);
    tmux.wait("q did not quit the pager", Tmux::is_dead);

    // A short one is printed straight away.
    let (_, quiet) = env.create("quiet", &["accounts"]);
    let mut cmd = env.days_later(30).std_cmd();
    cmd.args(["show", &quiet]).env("PAGER", "less -FRX");
    let lines = tmux.output(&cmd, 60, HEIGHT);
    assert!(lines.iter().any(|line| line == "History"), "{lines:?}");
}
