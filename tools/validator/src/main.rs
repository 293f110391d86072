//! `depin-validator`: Agave's `solana-test-validator` (the library crate, built from the
//! crate registry) with depin-kit's SBF programs loaded at their program ids, on loopback.
//!
//! ```text
//! depin-validator --ledger DIR --rpc-port PORT [--program ID=PATH]...
//! ```
//!
//! The genesis mint (500,000,000 SOL) is written to `DIR/mint.json` for tests to pay with;
//! SPL Token, Token-2022 and the associated-token program come with the test validator's
//! genesis. Once every program answers, one JSON line goes to stdout and to
//! `DIR/ready.json`: `{"rpc_url":…,"mint":…,"ledger":…,"pid":…}`. It then runs until it is
//! killed (`scripts/validator.sh stop`).
use anyhow::{bail, Context, Result};
use solana_commitment_config::CommitmentConfig;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_pubkey::Pubkey;
use solana_rpc_client::rpc_client::RpcClient;
use solana_signer::Signer;
use solana_streamer::socket::SocketAddrSpace;
use solana_test_validator::{TestValidatorGenesis, UpgradeableProgramInfo};
use solana_transaction::Transaction;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;
use std::time::{Duration, Instant};

struct Args {
    ledger: PathBuf,
    rpc_port: u16,
    programs: Vec<(Pubkey, PathBuf)>,
}

fn parse_args() -> Result<Args> {
    let mut ledger = None;
    let mut rpc_port = None;
    let mut programs = vec![];
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--ledger" => ledger = Some(PathBuf::from(value()?)),
            "--rpc-port" => {
                let v = value()?;
                rpc_port = Some(v.parse::<u16>().with_context(|| format!("--rpc-port {v}"))?)
            }
            "--program" => {
                let v = value()?;
                let (id, path) = v
                    .split_once('=')
                    .with_context(|| format!("--program {v}: expected ID=PATH"))?;
                let id: Pubkey = id
                    .parse()
                    .with_context(|| format!("--program {v}: {id} is not a public key"))?;
                let path = PathBuf::from(path);
                if !path.is_file() {
                    bail!("--program {v}: {} does not exist", path.display());
                }
                programs.push((id, path));
            }
            "-h" | "--help" => {
                println!("usage: depin-validator --ledger DIR --rpc-port PORT [--program ID=PATH]...");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other} (see --help)"),
        }
    }
    Ok(Args {
        ledger: ledger.context("--ledger DIR is required")?,
        rpc_port: rpc_port.context("--rpc-port PORT is required")?,
        programs,
    })
}

/// Programs in genesis become callable a slot or two after start: wait until each one
/// answers a simulated call with something other than "not deployed".
fn wait_for_programs(url: &str, payer: &Keypair, programs: &[Pubkey]) -> Result<()> {
    let rpc = RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::processed());
    let deadline = Instant::now() + Duration::from_secs(60);
    for id in programs {
        loop {
            let blockhash = rpc.get_latest_blockhash().context("getLatestBlockhash")?;
            let ix = Instruction::new_with_bytes(*id, &[], vec![]);
            let msg = Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &blockhash);
            let tx = Transaction::new(&[payer], msg, blockhash);
            let sim = rpc.simulate_transaction(&tx).context("simulateTransaction")?;
            let logs = sim.value.logs.unwrap_or_default().join("\n");
            let not_yet = format!("{:?}", sim.value.err).contains("ProgramAccountNotFound")
                || logs.contains("not deployed")
                || logs.contains("Program is not deployed");
            if !not_yet {
                break;
            }
            if Instant::now() > deadline {
                bail!("program {id} is still not deployed after 60 s");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    Ok(())
}

fn run() -> Result<()> {
    let args = parse_args()?;
    std::fs::create_dir_all(&args.ledger)
        .with_context(|| format!("creating {}", args.ledger.display()))?;
    let mint = Keypair::new();
    let mint_path = args.ledger.join("mint.json");
    solana_keypair::write_keypair_file(&mint, &mint_path)
        .map_err(|e| anyhow::anyhow!("writing {}: {e}", mint_path.display()))?;

    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let port = args.rpc_port;
    // A debug build's default port range is narrow and shared with other test runs: give
    // this validator its own, just above the RPC port.
    let range_start = port.checked_add(2).context("--rpc-port is too high")?;
    let range_end = port.checked_add(400).context("--rpc-port is too high")?;
    let mut genesis = TestValidatorGenesis::default();
    genesis
        .ledger_path(&args.ledger)
        .rpc_port(port)
        .gossip_host(loopback)
        .gossip_port(port + 1)
        .bind_ip_addr(loopback)
        .port_range((range_start, range_end))
        // getTransaction answers with inner instructions (the client reads node_registry's
        // CPI events with it), as RPC nodes that keep history and extended metadata do
        .rpc_config(solana_rpc::rpc::JsonRpcConfig {
            enable_rpc_transaction_history: true,
            enable_extended_tx_metadata_storage: true,
            ..solana_rpc::rpc::JsonRpcConfig::default_for_test()
        });
    let programs: Vec<UpgradeableProgramInfo> = args
        .programs
        .iter()
        .map(|(id, path)| UpgradeableProgramInfo {
            program_id: *id,
            loader: solana_sdk_ids::bpf_loader_upgradeable::id(),
            upgrade_authority: mint.pubkey(),
            program_path: path.clone(),
        })
        .collect();
    genesis.add_upgradeable_programs_with_path(&programs);

    let validator = genesis
        .start_with_mint_address(mint.pubkey(), SocketAddrSpace::new(true))
        .map_err(|e| anyhow::anyhow!("starting the validator: {e}"))?;
    let url = validator.rpc_url();
    let ids: Vec<Pubkey> = args.programs.iter().map(|(id, _)| *id).collect();
    wait_for_programs(&url, &mint, &ids)?;

    let ready = format!(
        "{{\"rpc_url\":\"{url}\",\"mint\":\"{}\",\"mint_keypair\":\"{}\",\"ledger\":\"{}\",\"pid\":{}}}",
        mint.pubkey(),
        mint_path.display(),
        args.ledger.display(),
        std::process::id()
    );
    let ready_path = args.ledger.join("ready.json");
    std::fs::write(&ready_path, format!("{ready}\n"))
        .with_context(|| format!("writing {}", ready_path.display()))?;
    println!("{ready}");
    // until killed
    validator.join();
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("depin-validator: {e:#}");
        std::process::exit(1);
    }
}
