//! `upgrade`: brings the store to this build's format, or says how.

use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::{Format, UpgradeArgs};
use crate::output::{self, sanitize};

pub fn run(app: &App, args: UpgradeArgs) -> Result<ExitCode> {
    let plan = crate::ops::upgrade::upgrade(app, args.dry_run)?;
    let changed = !args.dry_run && !plan.steps.is_empty();
    match app.format {
        Format::Json => output::print_json(&serde_json::json!({
            "from": plan.from.to_string(),
            "to": plan.to.to_string(),
            "steps": plan.steps,
            "dry_run": args.dry_run,
            "changed": changed,
        }))?,
        Format::Table => {
            let db = sanitize(&app.db.to_string_lossy()).into_owned();
            let (from, to) = (plan.from, plan.to);
            if plan.steps.is_empty() {
                output::print_line(format!("{db} is at store format {to}: nothing to upgrade."))?;
            } else {
                let heading = if args.dry_run {
                    format!("Would upgrade {db} from store format {from} to {to}:")
                } else {
                    format!("Upgraded {db} from store format {from} to {to}:")
                };
                output::print_line(heading)?;
                for step in &plan.steps {
                    output::print_line(format!("  {}", sanitize(step)))?;
                }
                if args.dry_run {
                    output::print_line(
                        "Nothing was changed; run `intergiro-keys upgrade` to apply these steps.",
                    )?;
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
