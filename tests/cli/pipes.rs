//! A reader of the tool's own output that leaves early (`| head -1`, a
//! pager quit at once) is no error: exit 0, nothing on stderr. Only the
//! tool's own stdout counts; see `is_broken_pipe`.

use rexpect::process::WaitStatus;

use crate::common::Env;
use crate::estate::fill;

#[test]
fn head_on_a_real_pipeline_exits_0_for_every_listing() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 2000);
    let bin = assert_cmd::cargo::cargo_bin!("intergiro-keys");
    for (args, head) in [
        ("list", "head -1"),
        ("list --format json", "head -c 10"),
        ("audit", "head -1"),
        ("audit --format json", "head -c 10"),
        ("list --older-than 0", "head -1"),
    ] {
        let script = format!(
            "'{}' {args} 2>stderr.txt | {head} >/dev/null; echo \"${{PIPESTATUS[0]}}\"",
            bin.display()
        );
        let mut cmd = env.std_cmd();
        let output = std::process::Command::new("bash")
            .args(["-c", &script])
            .current_dir(env.dir.path())
            .envs(cmd_env(&mut cmd))
            .output()
            .unwrap();
        let code = String::from_utf8(output.stdout).unwrap();
        let stderr = std::fs::read_to_string(env.path("stderr.txt")).unwrap();
        assert_eq!(code.trim(), "0", "{args} | {head}: {stderr}");
        assert_eq!(stderr, "", "{args} | {head}");
    }
}

/// The environment the builder gives the binary (its store and clock).
fn cmd_env(cmd: &mut std::process::Command) -> Vec<(std::ffi::OsString, std::ffi::OsString)> {
    cmd.get_envs()
        .filter_map(|(name, value)| Some((name.to_os_string(), value?.to_os_string())))
        .collect()
}

#[test]
fn a_pager_that_quits_at_once_is_no_error() {
    let env = Env::new();
    env.create("k", &["accounts"]);
    fill(&env, 2000);
    let mut cmd = env.std_cmd();
    cmd.arg("list")
        .env("TERM", "xterm")
        .env("LINES", "20")
        .env("COLUMNS", "120")
        .env("INTERGIRO_KEYS_PAGER", "true");
    let mut session = rexpect::session::spawn_command(cmd, Some(15_000)).unwrap();
    let output = session.exp_eof().unwrap();
    let code = match session.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("{other:?}"),
    };
    assert_eq!(code, 0, "{output}");
    assert!(!output.contains("error"), "{output}");
}
