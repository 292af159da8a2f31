//! `--version`: the version, the commit and its date, from a checkout, and
//! a date alone from a source tarball without git.

include!("../build/version.rs");

fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_intergiro-keys"))
}

#[test]
fn version_names_the_commit_and_its_date_in_a_checkout() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let output = binary().arg("--version").output().unwrap();
    assert!(output.status.success());
    let shown = String::from_utf8(output.stdout).unwrap();
    let version = env!("CARGO_PKG_VERSION");
    match git(
        dir,
        &[
            "log",
            "-1",
            "--format=%h %cd",
            "--date=format:%Y-%m-%d",
            "--abbrev=7",
        ],
    ) {
        // The binary is rebuilt when HEAD moves, so it names this commit.
        Some(commit_and_date) => {
            assert_eq!(
                shown,
                format!("intergiro-keys {version} ({commit_and_date})\n")
            );
        }
        None => {
            let date = shown
                .strip_prefix(&format!("intergiro-keys {version} ("))
                .and_then(|rest| rest.strip_suffix(")\n"))
                .unwrap_or_else(|| panic!("{shown:?}"));
            assert!(is_date(date), "{shown:?}");
        }
    }
    // -V, as the man pages, shows the version alone.
    let short = binary().arg("-V").output().unwrap();
    assert_eq!(
        String::from_utf8(short.stdout).unwrap(),
        format!("intergiro-keys {version}\n")
    );
}

fn is_date(text: &str) -> bool {
    text.len() == 10
        && text.char_indices().all(|(index, c)| match index {
            4 | 7 => c == '-',
            _ => c.is_ascii_digit(),
        })
}

#[test]
fn a_tree_without_git_gets_the_source_date_or_today() {
    // An unpacked source tarball: no .git, not inside any repository (a
    // temporary directory under /tmp).
    let tree = tempfile::tempdir().unwrap();
    assert_eq!(
        version_detail(tree.path(), Some("1765152000"), "2030-01-01"),
        "2025-12-08"
    );
    assert_eq!(
        version_detail(tree.path(), None, "2030-01-01"),
        "2030-01-01"
    );
    assert_eq!(
        version_detail(tree.path(), Some("not a number"), "2030-01-01"),
        "2030-01-01"
    );
    // A tarball unpacked inside another repository does not take its
    // commit.
    let outer = tempfile::tempdir().unwrap();
    if git(outer.path(), &["init", "-q"]).is_some() || outer.path().join(".git").exists() {
        let inner = outer.path().join("intergiro-keys-0.1.0");
        std::fs::create_dir(&inner).unwrap();
        assert_eq!(version_detail(&inner, None, "2030-01-01"), "2030-01-01");
    }
}

#[test]
fn civil_dates_are_right_across_leap_years_and_the_epoch() {
    assert_eq!(civil_date(0), "1970-01-01");
    assert_eq!(civil_date(951_782_400), "2000-02-29");
    assert_eq!(civil_date(1_798_675_200), "2026-12-31");
    assert_eq!(civil_date(-86_400), "1969-12-31");
}
