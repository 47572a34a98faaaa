use std::process::ExitCode;

fn main() -> ExitCode {
    veertig::cli::run()
}
