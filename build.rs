//! Link-time settings for the binary, and the commit and date `--version`
//! shows (build/version.rs).

include!("build/version.rs");

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=build/version.rs");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let dir = std::path::PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    // A new commit changes HEAD or the branch it names (in a worktree, in
    // the repository's own directory too).
    for path in ["HEAD", "packed-refs"] {
        for git_dir in ["--git-dir", "--git-common-dir"] {
            if let Some(found) = git(&dir, &["rev-parse", git_dir]) {
                let file = dir.join(found).join(path);
                if file.exists() {
                    println!("cargo:rerun-if-changed={}", file.display());
                }
            }
        }
    }
    if let Some(branch) = git(&dir, &["symbolic-ref", "-q", "HEAD"])
        && let Some(common) = git(&dir, &["rev-parse", "--git-common-dir"])
    {
        let file = dir.join(common).join(branch);
        if file.exists() {
            println!("cargo:rerun-if-changed={}", file.display());
        }
    }
    let today = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64);
    let detail = version_detail(
        &dir,
        std::env::var("SOURCE_DATE_EPOCH").ok().as_deref(),
        &civil_date(today),
    );
    println!("cargo:rustc-env=INTERGIRO_KEYS_VERSION_DETAIL={detail}");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        // Relative relocations packed as a bitmap (DT_RELR, glibc 2.36 and
        // later): the dynamic loader reads 4 KiB of them instead of 320 KiB
        // of RELA entries at every start, which is a measurable part of a
        // short command such as `verify` (time and resident memory alike).
        // Linkers that do not know the option warn and ignore it.
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
