//! `backup`: a consistent copy of the store, checked as the tool checks any.

use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::{BackupArgs, Format};
use crate::output::{self, sanitize};

pub fn run(app: &App, args: BackupArgs) -> Result<ExitCode> {
    let verdict = crate::ops::backup::backup(app, &args.path)?;
    let head = verdict.head.as_deref().map_or("none".into(), sanitize);
    match app.format {
        Format::Json => output::print_json(&serde_json::json!({
            "path": args.path.display().to_string(),
            "entries": verdict.entries,
            "head": verdict.head,
        }))?,
        Format::Table => output::print_line(format!(
            "Backed up to {} (mode 0600); its audit log's {} entries verify, head {head}. Check it again any time with `intergiro-keys --db {} audit --verify`.",
            args.path.display(),
            verdict.entries,
            args.path.display()
        ))?,
    }
    Ok(ExitCode::SUCCESS)
}
