//! `depin-bootstrap network.toml [--url URL] [--keypair FILE]`: creates or aligns a network.
use anyhow::Result;
use clap::Parser;
use depin::config::{self, Cluster};
use depin::transport::{embedded::EmbeddedNetwork, rpc::RpcTransport};
use solana_signer::Signer;
use std::path::PathBuf;

#[derive(Parser)]
#[command(about = "Create a depin-kit network from a TOML file; safe to run again")]
struct Args {
    config: PathBuf,
    #[arg(short = 'u', long)]
    url: Option<String>,
    #[arg(short = 'k', long)]
    keypair: Option<PathBuf>,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let cfg = depin_migrations::load(&args.config)?;
    let defaults = config::load_defaults(None)?;
    let authority = config::read_keypair(&args.keypair.unwrap_or(defaults.keypair_path))?;
    let url = args.url.unwrap_or(defaults.json_rpc_url);
    let report = match config::resolve_url(&url)? {
        Cluster::Embedded => {
            let net = EmbeddedNetwork::start()?;
            // the throwaway runtime's authority starts without SOL
            let payer = net.payer();
            let fund =
                depin::ix::transfer_lamports(&payer.pubkey(), &authority.pubkey(), 10_000_000_000);
            depin::registry::Registry::new(&net).send(&[fund], &payer, &[])?;
            depin_migrations::bootstrap(&net, &authority, &cfg)?
        }
        Cluster::Rpc(u) => depin_migrations::bootstrap(&RpcTransport::new(&u), &authority, &cfg)?,
    };
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
