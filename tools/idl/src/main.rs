//! `depin-idl <program dir> <output.json>`: the same IDL JSON as `anchor idl build`, made with
//! anchor-lang-idl's builder so no anchor CLI is needed. The program is compiled with the
//! `idl-build` feature into its own target directory (the builder sets RUSTFLAGS, which would
//! otherwise invalidate the main build cache).
use anyhow::{Context, Result};
use std::path::PathBuf;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(program), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: depin-idl <program dir> <output.json> [target dir]");
    };
    let target_dir = args.next().unwrap_or_else(|| "target/idl-build".into());
    let program = PathBuf::from(program)
        .canonicalize()
        .context("program directory")?;
    let target_dir = std::env::current_dir()?.join(target_dir);
    // The builder would run `cargo +{RUSTUP_TOOLCHAIN}`; let rust-toolchain.toml decide.
    std::env::remove_var("RUSTUP_TOOLCHAIN");
    let idl = anchor_lang_idl::build::IdlBuilder::new()
        .program_path(program.clone())
        .cargo_args(vec![
            "--target-dir".into(),
            target_dir.to_string_lossy().into_owned(),
        ])
        .build()
        .with_context(|| format!("building the IDL of {}", program.display()))?;
    let json = serde_json::to_string_pretty(&idl)?;
    let out = PathBuf::from(out);
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, json + "\n").with_context(|| format!("writing {}", out.display()))?;
    eprintln!(
        "wrote {} ({} instructions)",
        out.display(),
        idl.instructions.len()
    );
    Ok(())
}
