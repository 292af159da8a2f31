//! A program on a real terminal: tmux, with the size, keys and screen a
//! person has. What it shows is read back with wrapped lines joined, so a
//! line too wide for the terminal shows up too wide.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of its own, with panes that stay after their command
/// exits so that everything it printed can be read.
pub struct Tmux {
    dir: tempfile::TempDir,
    /// One server per command: a new one on the socket of one just killed
    /// may find it still shutting down.
    runs: std::cell::Cell<u32>,
}

impl Tmux {
    pub fn new() -> Tmux {
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

    pub fn tmux(&self) -> Command {
        let mut cmd = Command::new("tmux");
        // UTF-8 whatever the locale the tests run in: "…" is one column.
        cmd.arg("-u")
            .arg("-S")
            .arg(self.dir.path().join(format!("socket{}", self.runs.get())))
            .arg("-f")
            .arg(self.dir.path().join("tmux.conf"));
        cmd
    }

    pub fn run(&self, args: &[&str]) -> String {
        let output = self.tmux().args(args).output().unwrap();
        assert!(output.status.success(), "tmux {args:?}: {output:?}");
        String::from_utf8(output.stdout).unwrap()
    }

    /// Starts `command` (its environment spelled out, nothing inherited)
    /// in a pane `width` by `height`.
    pub fn start(&self, command: &std::process::Command, width: u16, height: u16) {
        // The previous command's server, if still up: each has a socket of
        // its own, and Drop kills only the last.
        let _ = self.tmux().arg("kill-server").output();
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

    pub fn is_dead(&self) -> bool {
        self.run(&["display-message", "-p", "-t", "t", "#{pane_dead}"])
            .trim()
            == "1"
    }

    /// Waits until `done` holds, or fails after 15 s.
    pub fn wait(&self, what: &str, done: impl Fn(&Tmux) -> bool) {
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
    pub fn screen(&self) -> Vec<String> {
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
    pub fn output(&self, command: &std::process::Command, width: u16, height: u16) -> Vec<String> {
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
