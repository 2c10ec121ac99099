use std::process::ExitCode;

use clap::Parser;
use oogst::cli::{self, Cli, Command};
use oogst::config::Config;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The extraction child runs without a runtime, threads or logging: it reads one file
    // under tight memory limits and answers on stdout.
    if let Command::ExtractText { kind } = &cli.command {
        return cli::extract_text(kind);
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_new(&config.log).unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(cli::run(cli, config)),
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}
