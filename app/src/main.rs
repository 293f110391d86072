use clap::Parser;
use std::fs::File;
use std::io::Write;
use std::os::fd::FromRawFd;
use std::process::ExitCode;

/// Programs running natively in the embedded runtime print their logs to stdout. Give the
/// command's result its own copy of stdout and point fd 1 at stderr (`-v`) or /dev/null,
/// so `--output json` stays parseable.
fn result_writer(verbose: bool) -> Box<dyn Write> {
    // SAFETY: plain fd duplication; on any failure we fall back to the process stdout.
    unsafe {
        let saved = libc::dup(1);
        if saved < 0 {
            return Box::new(std::io::stdout());
        }
        let target = if verbose {
            libc::dup(2)
        } else {
            libc::open(c"/dev/null".as_ptr(), libc::O_WRONLY)
        };
        if target < 0 || libc::dup2(target, 1) < 0 {
            libc::close(saved);
            return Box::new(std::io::stdout());
        }
        libc::close(target);
        Box::new(File::from_raw_fd(saved))
    }
}

fn main() -> ExitCode {
    let cli = depin::cli::Cli::parse();
    let verbose = cli.verbose;
    let mut out = result_writer(verbose);
    let result = depin::cli::run(cli, &mut out);
    let _ = out.flush();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if depin::errors::is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", depin::errors::one_line(&e));
            if let Some(f) = depin::registry::tx_failure(&e) {
                if verbose {
                    for l in &f.logs {
                        eprintln!("  {l}");
                    }
                } else if !f.logs.is_empty() {
                    eprintln!("(run with -v for the program logs)");
                }
            }
            ExitCode::FAILURE
        }
    }
}
