//! The per-user install steps of docs/install.md, run in a clean account
//! (made with `useradd --create-home`, as a new user of a stock system
//! gets one): then `man` finds the pages and bash, zsh and fish complete.
//! Needs root, as CI has.

use std::path::Path;
use std::process::{Command, Output};

use crate::scripts::readme_snippet;

/// A new account with a home made from /etc/skel, removed with it at the
/// end; None when not root (then it cannot be made).
struct Account {
    name: String,
    home: String,
}

impl Account {
    fn new(name: &str) -> Option<Account> {
        if !nix::unistd::geteuid().is_root() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI runs as root: the install test must run there"
            );
            eprintln!("not root: cannot make an account; skipped outside CI");
            return None;
        }
        // Left over from an interrupted run.
        let _ = Command::new("userdel").args(["--remove", name]).output();
        let made = Command::new("useradd")
            .args(["--create-home", "--shell", "/bin/bash", name])
            .output()
            .expect("useradd");
        assert!(made.status.success(), "{made:?}");
        let home = nix::unistd::User::from_name(name)
            .unwrap()
            .unwrap()
            .dir
            .to_string_lossy()
            .into_owned();
        Some(Account {
            name: name.to_string(),
            home,
        })
    }

    /// Runs `script` with `shell` as this account, in `dir`, from a clean
    /// environment (its home, a stock PATH).
    fn run(&self, dir: &Path, shell: &[&str], script: &str) -> Output {
        Command::new("runuser")
            .args(["-u", &self.name, "--", "env", "-i"])
            .arg(format!("HOME={}", self.home))
            .arg(format!("USER={}", self.name))
            .arg("PATH=/usr/local/bin:/usr/bin:/bin")
            .arg("TERM=dumb")
            .args(shell)
            .arg(script)
            .current_dir(dir)
            .output()
            .unwrap()
    }
}

impl Drop for Account {
    fn drop(&mut self) {
        let _ = Command::new("userdel")
            .args(["--remove", &self.name])
            .output();
    }
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn the_per_user_install_gives_man_pages_and_completions_in_a_clean_account() {
    for shell in ["zsh", "fish", "man"] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {shell}")])
            .output()
            .is_ok_and(|output| output.status.success());
        assert!(found, "{shell} is needed (.ci/run installs it)");
    }
    let Some(account) = Account::new("igk-install-test") else {
        return;
    };
    // What `cargo install` would have put in place, as rustup's installer
    // puts ~/.cargo/bin on PATH (in ~/.profile, for login shells).
    let setup = format!(
        "mkdir -p ~/.cargo/bin && cp {} ~/.cargo/bin/ && echo 'export PATH=\"$HOME/.cargo/bin:$PATH\"' >> ~/.profile",
        assert_cmd::cargo::cargo_bin!("intergiro-keys").display()
    );
    // The checkout, as far as the steps read it: the man pages.
    let checkout = tempfile::tempdir().unwrap();
    std::fs::create_dir(checkout.path().join("man")).unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for page in std::fs::read_dir(root.join("man")).unwrap() {
        let page = page.unwrap().path();
        std::fs::copy(
            &page,
            checkout.path().join("man").join(page.file_name().unwrap()),
        )
        .unwrap();
    }
    for dir in [checkout.path().to_path_buf(), checkout.path().join("man")] {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let cwd = checkout.path();
    let done = account.run(cwd, &["bash", "-c"], &setup);
    assert!(done.status.success(), "{}", text(&done));

    // The documented steps, as written, but for `cargo install` (done
    // above), in a login shell as the account.
    let steps: String = readme_snippet("per-user-install")
        .lines()
        .filter(|line| !line.starts_with("cargo install"))
        .map(|line| format!("{line}\n"))
        .collect();
    let done = account.run(cwd, &["bash", "-l", "-e", "-c"], &steps);
    assert!(done.status.success(), "{}", text(&done));

    // man finds the page from a login shell's PATH alone.
    let man = account.run(cwd, &["bash", "-l", "-c"], "man -w intergiro-keys-check");
    assert!(
        man.status.success()
            && String::from_utf8_lossy(&man.stdout)
                .trim()
                .ends_with(".cargo/share/man/man1/intergiro-keys-check.1"),
        "{}",
        text(&man)
    );
    // bash: an interactive shell (reading ~/.bashrc) has the completion,
    // and it completes.
    let bash = account.run(
        cwd,
        &["bash", "-l", "-i", "-c"],
        r#"f=$(complete -p intergiro-keys | sed -n 's/.* -F \([^ ]*\) .*/\1/p')
        COMP_WORDS=(intergiro-keys create --role pay) COMP_CWORD=3
        "$f" intergiro-keys pay --role 2>/dev/null
        printf '<%s>' "${COMPREPLY[@]}""#,
    );
    let said = text(&bash);
    assert!(said.contains("<payments>"), "{said}");
    // zsh: compinit finds the function through the new fpath.
    let zsh = account.run(
        cwd,
        &["zsh", "-i", "-c"],
        "print -r -- ${_comps[intergiro-keys]}",
    );
    assert_eq!(
        String::from_utf8_lossy(&zsh.stdout).trim(),
        "_intergiro-keys",
        "{}",
        text(&zsh)
    );
    // fish: reads the completion by itself, for a command on its PATH
    // (where rustup's conf.d file, or `fish_add_path`, puts ~/.cargo/bin).
    let fish = account.run(
        cwd,
        &["fish", "-c"],
        "fish_add_path -g ~/.cargo/bin; complete -C 'intergiro-keys create --role pay'",
    );
    assert!(
        String::from_utf8_lossy(&fish.stdout).starts_with("payments"),
        "{}",
        text(&fish)
    );
}
