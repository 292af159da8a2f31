//! Link-time settings for the binary.

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
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
