use std::process::ExitCode;

fn main() -> ExitCode {
    intergiro_keys::main_with_args(std::env::args_os())
}
