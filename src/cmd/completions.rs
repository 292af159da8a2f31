use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;

use crate::cli::CompletionsArgs;
use crate::generate;

pub fn run(args: CompletionsArgs) -> Result<ExitCode> {
    let script = generate::completions(args.shell);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&script)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
