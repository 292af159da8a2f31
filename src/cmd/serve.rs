use std::process::ExitCode;

use anyhow::Result;

use crate::App;
use crate::cli::ServeArgs;
use crate::serve::{self, Options};

pub fn run(app: &App, args: ServeArgs) -> Result<ExitCode> {
    let workers = match args.workers {
        Some(workers) => usize::from(workers),
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    serve::run(
        app,
        Options {
            listen: args.listen,
            workers,
            queue: args.queue as usize,
            cache_ttl: args.cache_ttl,
            negative_ttl: args.negative_ttl,
            cache_capacity: args.cache_size as usize,
            drain: args.drain,
            expect_head: args.expect_head,
        },
    )?;
    Ok(ExitCode::SUCCESS)
}
