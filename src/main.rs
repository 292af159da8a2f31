use std::process::ExitCode;

use clap::Parser;
use intergiro_keys::cli::Cli;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match intergiro_keys::run(cli) {
        Ok(code) => code,
        Err(err) if intergiro_keys::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("intergiro-keys: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
