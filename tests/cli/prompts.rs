//! Questions on a real terminal (tmux) as narrow as 40 columns: answered
//! with Enter, never by a lone `y` (whose Enter would then go to the shell),
//! and redrawn without leaving stray lines behind.

use unicode_width::UnicodeWidthStr;

use crate::common::Env;
use crate::tmux::Tmux;

/// Runs `args` in tmux `width` columns wide, waits for `question`, types
/// `y`, checks that this alone answers nothing, then presses Enter and
/// returns the screen once the command has ended.
fn answer_yes(env: &Env, width: u16, args: &[&str], question: &str) -> Vec<String> {
    let tmux = Tmux::new();
    let mut cmd = env.std_cmd();
    cmd.args(args);
    tmux.start(&cmd, width, 24);
    tmux.wait("the question never showed", |tmux| {
        tmux.screen().iter().any(|line| line.contains(question))
    });
    tmux.run(&["send-keys", "-t", "t", "y"]);
    tmux.wait("y was not shown as the answer", |tmux| {
        tmux.screen()
            .last()
            .is_some_and(|line| line.contains(question) && line.ends_with("yes"))
    });
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!tmux.is_dead(), "a lone y answered the question");
    tmux.run(&["send-keys", "-t", "t", "Enter"]);
    tmux.wait("Enter did not answer", Tmux::is_dead);
    let screen = tmux.screen();
    // What was said up to the answer fits (what follows is the command's
    // report, sentences a terminal may wrap).
    let asked_at = screen
        .iter()
        .position(|line| line.contains(question))
        .unwrap();
    for line in &screen[..=asked_at] {
        assert!(
            line.width() <= usize::from(width),
            "{line:?} is wider than {width}:\n{}",
            screen.join("\n")
        );
    }
    // The question is on the screen once: redrawn in place, with nothing of
    // an earlier drawing left above it.
    let asked = screen.iter().filter(|line| line.contains(question)).count();
    assert_eq!(asked, 1, "{}", screen.join("\n"));
    screen
}

#[test]
fn delete_asks_in_one_short_line_and_waits_for_enter() {
    for width in [40, 80] {
        let env = Env::new();
        let (key, id) = env.create("bot", &["payments"]);
        let screen = answer_yes(&env, width, &["delete", &id], "Delete this key?");
        let text = screen.join("\n");
        assert!(text.contains(&format!("Deleted key {id}")), "{text}");
        assert_eq!(
            env.days_later(0).verify(&key, &[]).0,
            1,
            "not deleted:\n{text}"
        );

        let (_, a) = env.create("a", &["accounts"]);
        let (_, b) = env.create("b", &["accounts"]);
        let screen = answer_yes(&env, width, &["delete", &a, &b], "Delete these 2 keys?");
        assert!(env.list_json().is_empty(), "{}", screen.join("\n"));
    }
}

#[test]
fn scan_revoke_asks_in_one_short_line_and_waits_for_enter() {
    let env = Env::new();
    let mut keys = Vec::new();
    let mut text = String::new();
    for name in ["a", "b", "c"] {
        let (key, _) = env.create(name, &["accounts"]);
        text.push_str(&format!("K={key}\n"));
        keys.push(key);
    }
    std::fs::write(env.path("leak.txt"), text).unwrap();
    let screen = answer_yes(
        &env,
        80,
        &["scan", "--revoke", "leak.txt"],
        "Delete these 3 leaked keys?",
    );
    for key in &keys {
        assert_eq!(
            env.days_later(0).verify(key, &[]).0,
            1,
            "{}",
            screen.join("\n")
        );
    }
}

#[test]
fn delete_by_filter_names_each_key_before_asking() {
    let env = Env::new();
    let (_, a) = env.create("ci-a", &["accounts"]);
    let (_, b) = env.create("ci-b", &["accounts"]);
    let (_, kept) = env.create("prod", &["accounts"]);
    let screen = answer_yes(
        &env,
        80,
        &["delete", "--name", "ci-*"],
        "Delete these 2 keys?",
    );
    let text = screen.join("\n");
    for id in [&a, &b] {
        assert!(text.contains(&format!("  {id}  ci-")), "{text}");
    }
    let left: Vec<String> = env
        .list_json()
        .iter()
        .map(|key| key["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(left, [kept]);
}
