//! `backup`: a consistent copy of the store, checked as the tool checks any.

use std::process::ExitCode;

use anyhow::{Context, Result, bail};

use crate::App;
use crate::cli::{BackupArgs, Format};
use crate::operator::Action;
use crate::ops::open_authorized;
use crate::output::{self, sanitize};
use crate::store::{self, Open};

pub fn run(app: &App, args: BackupArgs) -> Result<ExitCode> {
    let store = open_authorized(app, Action::Backup)?;
    store.backup(&args.path)?;
    // The copy must be one this tool accepts, with an intact log.
    let copy = store::open(&args.path, Open::MustExist, crate::ops::busy_timeout()?)
        .map_err(anyhow::Error::from)
        .with_context(|| format!("the backup {} cannot be opened", args.path.display()))?;
    let verdict = store::verify_audit(copy.as_ref())?;
    if let Err(broken) = &verdict.intact {
        bail!(
            "the backup {} was written, but its audit log does not verify: {}",
            args.path.display(),
            broken.problem
        );
    }
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
