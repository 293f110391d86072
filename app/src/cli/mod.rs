//! The `depin` command line. Parsing (clap) and execution are separate so tests drive the
//! exact same code through [`run_with`] on an embedded network.
use crate::accounts;
use crate::attest::{self, SignedStatement};
use crate::config::{self, Cluster};
use crate::demo;
use crate::pda;
use crate::registry::{Registration, Registry};
use crate::transport::{embedded::EmbeddedNetwork, rpc::RpcTransport, Transport};
use crate::txcodec;
use anchor_lang::prelude::Pubkey;
use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use node_registry::state::{Capacity, Maker, Network, Node, NodeStatus};
use node_registry::state::{DeviceCapUpdate, OperatorUpdate};
use node_registry::{AddMakerArgs, CreateNetworkArgs, UpdateMakerArgs, UpdateNetworkArgs};
use serde_json::{json, Value};
use signing::SignerCache;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::str::FromStr;

mod compressed_node;
mod credits;
mod device;
mod index;
mod input;
mod maker;
mod network;
mod node;
mod oracle_service;
mod oracles;
mod rewards;
mod signing;

pub use credits::{format_price, parse_decimal, BmeCmd, CreditsCmd, PriceCmd};
pub use input::{capacity_json, cell_at, parse_capacity, parse_cell, parse_time, rfc3339};
pub use maker::{maker_json, MakerCmd};
pub use network::{network_json, NetworkCmd};
pub use node::{node_json, AttestCmd, NodeClass, NodeCmd, NodeRef, RegisterArgs, StatusArg};
pub use oracle_service::OracleCmd;
pub use oracles::{OraclesCmd, ReportCmd};
pub use rewards::{EmissionsCmd, RewardsCmd};
pub use signing::{lamports_to_sol, nonce_state, parse_address, parse_presigner, NonceState};

#[derive(Parser, Debug)]
#[command(
    name = "depin",
    version,
    about = "depin-kit: run a DePIN network on Solana"
)]
pub struct Cli {
    /// RPC URL or moniker (mainnet-beta, devnet, testnet, localhost, embedded).
    /// Default: the solana CLI config's json_rpc_url.
    #[arg(short = 'u', long, global = true)]
    pub url: Option<String>,
    /// Signer that acts and pays: a keypair file, `usb://ledger`, `prompt://`, `ASK`,
    /// `stdin:`, or (with --sign-only, or with --signer PUBKEY=SIGNATURE) a public key.
    /// Default: the solana CLI config's keypair_path.
    #[arg(short = 'k', long, global = true, value_name = "SIGNER")]
    pub keypair: Option<String>,
    /// solana CLI config file to read defaults from.
    #[arg(short = 'C', long, global = true)]
    pub config: Option<PathBuf>,
    /// How results are printed.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Sign with the signers at hand and print the transaction (base64) with the signatures
    /// still missing, instead of sending it; another machine adds them (`depin tx sign`, any
    /// wallet that signs base64, or --signer) and sends it.
    #[arg(long, global = true)]
    pub sign_only: bool,
    /// A signature made elsewhere for this very transaction (same instructions, fee payer
    /// and blockhash), as the solana CLI's --signer. Repeatable.
    #[arg(long, global = true, value_name = "PUBKEY=SIGNATURE", value_parser = signing::parse_presigner)]
    pub signer: Vec<(Pubkey, Signature)>,
    /// Use this blockhash instead of asking the cluster (offline signing; with --nonce, the
    /// nonce account's stored blockhash).
    #[arg(long, global = true, value_name = "BLOCKHASH")]
    pub blockhash: Option<solana_hash::Hash>,
    /// Durable nonce account: the transaction advances it first and carries its blockhash,
    /// so it stays valid until used (cold wallets, multisig owners, signing days later).
    #[arg(long, global = true, value_name = "NONCE_ACCOUNT", value_parser = signing::parse_address)]
    pub nonce: Option<Pubkey>,
    /// Signer of the nonce account's authority (default: --keypair).
    #[arg(long, global = true, value_name = "SIGNER", requires = "nonce")]
    pub nonce_authority: Option<String>,
    /// Signer that pays the fee (default: --keypair).
    #[arg(long, global = true, value_name = "SIGNER")]
    pub fee_payer: Option<String>,
    /// Simulate the transaction and print its compute units and fee; send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Commitment for reads and confirmations over RPC (default confirmed).
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    pub commitment: Option<CommitmentArg>,
    /// Print program logs when a transaction fails.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
    /// Priority fee: micro-lamports per compute unit, on every transaction (as the solana
    /// CLI's flag); the compute-unit limit is then set from a simulation unless given.
    #[arg(long, global = true, value_name = "MICRO_LAMPORTS")]
    pub with_compute_unit_price: Option<u64>,
    /// Compute-unit limit set on every transaction (default: the runtime's, 200,000 per
    /// instruction, or a simulation's figure with --with-compute-unit-price).
    #[arg(long, global = true, value_name = "UNITS")]
    pub with_compute_unit_limit: Option<u32>,
    /// Compressed networks: the indexer (`depin index --listen`) node commands read leaves
    /// and proofs from; default: rebuild the tree here from the cluster's history.
    #[arg(long, global = true, value_name = "URL")]
    pub indexer: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum CommitmentArg {
    Processed,
    Confirmed,
    Finalized,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// Tables and `key: value` lines for people.
    #[value(alias = "display")]
    Text,
    /// Pretty-printed JSON.
    Json,
    /// One line of JSON.
    JsonCompact,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Networks: create, show, update, rotate the authority.
    #[command(subcommand)]
    Network(NetworkCmd),
    /// Hardware makers approved to attest devices.
    #[command(subcommand)]
    Maker(MakerCmd),
    /// Nodes (devices).
    #[command(subcommand)]
    Node(NodeCmd),
    /// Produce maker attestations and device consents offline.
    #[command(subcommand)]
    Attest(AttestCmd),
    /// Offline signing: sign, inspect and send base64 transactions.
    #[command(subcommand)]
    Tx(TxCmd),
    /// Durable nonces, so an offline-signed transaction does not expire.
    #[command(subcommand)]
    Nonce(NonceCmd),
    /// The oracle set that attests epoch reports.
    #[command(subcommand)]
    Oracles(OraclesCmd),
    /// Epoch reports: submit, approve, dispute, void, finalize, show.
    #[command(subcommand)]
    Report(ReportCmd),
    /// The emission schedule: init, show, finalize an epoch.
    #[command(subcommand)]
    Emissions(EmissionsCmd),
    /// Operator rewards: compute an epoch's tree, show what is owed, claim.
    #[command(subcommand)]
    Rewards(RewardsCmd),
    /// Credits: set up the settlement, buy with tokens, delegate, burn for usage.
    #[command(subcommand)]
    Credits(CreditsCmd),
    /// The USD price credits are bought at: show it, post an oracle's.
    #[command(subcommand)]
    Price(PriceCmd),
    /// Burn-and-mint accounting per epoch.
    #[command(subcommand)]
    Bme(BmeCmd),
    /// The oracle service: serve receipts, run epochs, benchmark, load test.
    #[command(subcommand)]
    Oracle(OracleCmd),
    /// Run a whole network on the embedded runtime and print a summary.
    Demo(DemoArgs),
    /// Tokenomics over years on the programs' own integer math: CSV and PNG charts.
    Simulate(SimulateArgs),
    /// Benchmarks that need no cluster.
    #[command(subcommand)]
    Bench(BenchCmd),
    /// The compressed registry's indexer: rebuild a network's tree from its transactions,
    /// store it, serve leaves and proofs over HTTP.
    Index(index::IndexArgs),
    /// The device side of sector proofs: beacon, witness, storage commitment and proof,
    /// compute proof, sensor reading.
    #[command(subcommand)]
    Device(device::DeviceCmd),
}

#[derive(Subcommand, Debug)]
pub enum BenchCmd {
    /// What the oracle's sector modules spend checking one proof of each kind (coverage
    /// witness, storage answer, compute product, sensor reading), one thread.
    #[command(after_help = "Example:\n  depin bench proofs --output json")]
    Proofs {
        /// Times each check runs (the figures are means).
        #[arg(long, default_value_t = 20)]
        iterations: u32,
    },
    /// The compressed registry's tree off chain (client and indexer): inserts of --nodes
    /// devices, then --proofs proofs made and checked, with the tree account's size and rent
    /// per node from its layout.
    #[command(
        after_help = "Example:\n  depin bench registry --nodes 1000000 --onchain 1000 --canopy 11 --output json"
    )]
    Registry {
        /// Devices inserted.
        #[arg(long, default_value_t = 1_000_000)]
        nodes: u64,
        /// Tree depth: 2^depth leaves, the sentinel included.
        #[arg(long, default_value_t = 20)]
        depth: u32,
        /// Changelog entries: registrations that may land on one root.
        #[arg(long, default_value_t = 64)]
        buffer: u32,
        /// Top levels kept in the account, so proofs carry depth − canopy hashes.
        #[arg(long, default_value_t = 10)]
        canopy: u32,
        /// Proofs made and checked after the inserts.
        #[arg(long, default_value_t = 100_000)]
        proofs: u64,
        /// Then this many compressed registrations on the embedded runtime, with the real
        /// tree account (SBF when target/deploy has the programs): CU, bytes and lamports
        /// per node from the accounts created.
        #[arg(long, default_value_t = 0)]
        onchain: u64,
    },
}

#[derive(Subcommand, Debug)]
pub enum TxCmd {
    /// Add the --keypair signature (any signer: file, usb://ledger, prompt://) to a base64
    /// transaction.
    #[command(
        after_help = "Example:\n  depin -k usb://ledger tx sign <BASE64>\n  depin tx sign - < unsigned.txt"
    )]
    Sign {
        /// The transaction, base64; "-" reads stdin.
        transaction: String,
    },
    /// Send a fully signed base64 transaction and wait for --commitment.
    #[command(after_help = "Example:\n  depin --url devnet tx send <BASE64>")]
    Send {
        /// The transaction, base64; "-" reads stdin.
        transaction: String,
    },
    /// Show a base64 transaction: fee payer, blockhash or durable nonce, programs, and
    /// which signatures are present or missing.
    #[command(after_help = "Example:\n  depin tx inspect <BASE64> --output json")]
    Inspect {
        /// The transaction, base64; "-" reads stdin.
        transaction: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum NonceCmd {
    /// Create a durable-nonce account (--keypair pays; the authority advances it).
    #[command(
        after_help = "Example:\n  solana-keygen new -o nonce.json --no-bip39-passphrase\n  depin nonce create nonce.json --authority <COLD_WALLET>"
    )]
    Create {
        /// The new account's keypair (signer source: a file, usb://, prompt://).
        nonce_account: String,
        /// Who may advance it (public key or keypair file; default --keypair).
        #[arg(long, value_parser = parse_address)]
        authority: Option<Pubkey>,
    },
    /// A nonce account's authority and stored blockhash.
    #[command(after_help = "Example:\n  depin nonce show <NONCE_ACCOUNT>")]
    Show {
        /// The nonce account (public key or keypair file).
        #[arg(value_parser = parse_address)]
        nonce_account: Pubkey,
    },
}

#[derive(Args, Debug)]
#[command(
    after_help = "Example:\n  depin simulate --scenario examples/scenarios/helium-like.toml --out simulation"
)]
pub struct SimulateArgs {
    /// The scenario (TOML; see examples/scenarios/).
    #[arg(long)]
    pub scenario: PathBuf,
    /// Where the CSV and PNG go.
    #[arg(long, default_value = "simulation")]
    pub out: PathBuf,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  depin demo\n  depin demo --nodes 10000 --output json > summary.json\n  depin demo --url localhost -k ledger/mint.json --nodes 20   # a local validator with our programs"
)]
pub struct DemoArgs {
    /// Nodes to register (above 100,000 it asks for --yes).
    #[arg(long, default_value_t = 100)]
    pub nodes: usize,
    /// Go ahead with more than 100,000 nodes.
    #[arg(long)]
    pub yes: bool,
    /// No progress on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// With --url: the epoch length in seconds of real time, at least 60 (the oracle set's
    /// shortest; the embedded network's hour-long epochs are skipped by moving its clock);
    /// set-up must fit in the first.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(60..=86_400))]
    pub epoch_seconds: u32,
    /// With --url: the challenge period after each report, in seconds.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=3_600))]
    pub challenge_seconds: u32,
}

/// Runs a parsed command with the cluster chosen by `--url`, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    if let Command::Demo(args) = &cli.command {
        if args.nodes > demo::CONFIRM_ABOVE && !args.yes {
            bail!(
                "{} nodes would take minutes and gigabytes (about {} MB of memory here): add --yes to go ahead",
                args.nodes,
                args.nodes / 25
            );
        }
        // on the embedded network unless --url names a cluster (then as any command)
        let on_cluster = match cli.url.as_deref() {
            Some(u) => matches!(config::resolve_url(u)?, Cluster::Rpc(_)),
            None => false,
        };
        demo::cap_malloc_arenas();
        if !on_cluster {
            let net = EmbeddedNetwork::start()?;
            let report = demo::run(&net, args.nodes, !args.quiet)?;
            return emit(&cli, out, serde_json::to_value(&report)?);
        }
    }
    if let Command::Oracle(c) = &cli.command {
        let v = oracle_service::run(&cli, c)?;
        return emit(&cli, out, v);
    }
    if let Command::Bench(BenchCmd::Registry {
        nodes,
        depth,
        buffer,
        canopy,
        proofs,
        onchain,
    }) = &cli.command
    {
        let shape = crate::compressed::TreeShape {
            depth: *depth,
            buffer: *buffer,
            canopy: *canopy,
        };
        let mut r = crate::compressed::bench(*nodes, shape, *proofs)?;
        if *onchain > 0 {
            r.onchain = Some(crate::compressed::bench_onchain(*onchain, shape)?);
        }
        return emit(&cli, out, serde_json::to_value(&r)?);
    }
    if let Command::Bench(BenchCmd::Proofs { iterations }) = &cli.command {
        return emit(
            &cli,
            out,
            serde_json::to_value(crate::sectors::bench(*iterations)?)?,
        );
    }
    if let Command::Simulate(args) = &cli.command {
        let summary =
            crate::simulate::simulate(&args.scenario, &args.out, cli.output == OutputFormat::Text)?;
        return emit(&cli, out, serde_json::to_value(&summary)?);
    }
    let defaults = config::load_defaults(cli.config.as_deref())?;
    let url = cli.url.clone().unwrap_or(defaults.json_rpc_url.clone());
    match config::resolve_url(&url)? {
        Cluster::Embedded => {
            let net = EmbeddedNetwork::start()?;
            run_with(cli, &net, out)
        }
        Cluster::Rpc(u) => {
            use solana_commitment_config::CommitmentConfig;
            let commitment = match cli.commitment {
                Some(CommitmentArg::Processed) => CommitmentConfig::processed(),
                Some(CommitmentArg::Finalized) => CommitmentConfig::finalized(),
                Some(CommitmentArg::Confirmed) | None => CommitmentConfig::confirmed(),
            };
            run_with(cli, &RpcTransport::with_commitment(&u, commitment), out)
        }
    }
}

/// Runs a parsed command against `transport`.
pub fn run_with(cli: Cli, transport: &dyn Transport, out: &mut dyn Write) -> Result<()> {
    let budget = crate::transport::ComputeBudget {
        unit_price: cli.with_compute_unit_price,
        unit_limit: cli.with_compute_unit_limit,
    };
    let budgeted = crate::transport::WithBudget {
        inner: transport,
        budget,
    };
    let transport: &dyn Transport = if budget == Default::default() {
        transport
    } else {
        &budgeted
    };
    let ctx = Ctx {
        cli: &cli,
        reg: Registry::new(transport),
        signers: Default::default(),
    };
    let value = ctx.execute()?;
    emit(&cli, out, value)
}

/// A command's result: JSON as is (less a text `table`), text as a tree, or as its `table`
/// when it has one.
fn emit(cli: &Cli, out: &mut dyn Write, mut value: Value) -> Result<()> {
    let table = value
        .as_object_mut()
        .and_then(|m| m.remove("table"))
        .and_then(|t| t.as_str().map(str::to_string));
    match (cli.output, table) {
        (OutputFormat::Json, _) => writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?,
        (OutputFormat::JsonCompact, _) => writeln!(out, "{}", serde_json::to_string(&value)?)?,
        (OutputFormat::Text, Some(t)) => write!(out, "{t}")?,
        (OutputFormat::Text, None) => match &value {
            Value::Array(rows) if rows.is_empty() => writeln!(out, "(none)")?,
            Value::Array(rows) => match input::table(rows) {
                Some(t) => write!(out, "{t}")?,
                None => write_text(out, &value, 0)?,
            },
            _ => write_text(out, &value, 0)?,
        },
    }
    Ok(())
}

fn write_text(out: &mut dyn Write, v: &Value, indent: usize) -> std::io::Result<()> {
    let pad = " ".repeat(indent);
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match v {
                    Value::Object(_) | Value::Array(_) => {
                        writeln!(out, "{pad}{k}:")?;
                        write_text(out, v, indent + 2)?;
                    }
                    Value::String(s) => writeln!(out, "{pad}{k}: {s}")?,
                    other => writeln!(out, "{pad}{k}: {other}")?,
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                writeln!(out, "{pad}- [{i}]")?;
                write_text(out, item, indent + 2)?;
            }
        }
        Value::String(s) => writeln!(out, "{pad}{s}")?,
        other => writeln!(out, "{pad}{other}")?,
    }
    Ok(())
}

pub(crate) struct Ctx<'a> {
    pub(crate) cli: &'a Cli,
    pub(crate) reg: Registry<'a>,
    signers: SignerCache,
}

/// A network given by name or by address.
pub fn network_address(s: &str) -> Result<Pubkey> {
    if depin_core::names::is_valid_network_name(s.as_bytes()) {
        return Ok(pda::network(s).0);
    }
    Pubkey::from_str(s).with_context(|| format!("`{s}` is neither a network name nor an address"))
}

fn optional_key(s: &str) -> Result<Option<Pubkey>> {
    if s == "none" {
        return Ok(None);
    }
    Ok(Some(
        Pubkey::from_str(s).with_context(|| format!("`{s}` is not a public key"))?,
    ))
}

fn read_input(s: &str) -> Result<String> {
    if s == "-" {
        let mut buf = String::new();
        std::io::stdin()
            .read_to_string(&mut buf)
            .context("reading the transaction from stdin")?;
        return Ok(buf);
    }
    Ok(s.to_string())
}

/// `v` with the fields of `extra` added (both JSON objects).
fn merged(mut v: Value, extra: Value) -> Value {
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

fn sent(sig: &Signature, extra: Value) -> Value {
    merged(json!({ "signature": sig.to_string() }), extra)
}

impl Ctx<'_> {
    fn t(&self) -> &dyn Transport {
        self.reg.transport
    }

    /// `s` as a network address whose account exists on the cluster (a listing of an
    /// unknown network is an error, not an empty list).
    fn existing_network(&self, s: &str) -> Result<Pubkey> {
        Ok(self.existing_network_account(s)?.0)
    }

    /// [`Self::existing_network`] with the account, read once.
    fn existing_network_account(&self, s: &str) -> Result<(Pubkey, Network)> {
        let a = network_address(s)?;
        match accounts::fetch::<Network>(self.t(), "network", &a)? {
            Some(n) => Ok((a, n)),
            None => bail!(
                "network `{s}` ({a}) does not exist on {}",
                self.t().describe()
            ),
        }
    }

    fn execute(&self) -> Result<Value> {
        match &self.cli.command {
            Command::Network(c) => self.network(c),
            Command::Maker(c) => self.maker(c),
            Command::Node(c) => self.node(c),
            Command::Attest(c) => self.attest(c),
            Command::Tx(c) => self.tx(c),
            Command::Nonce(c) => self.nonce(c),
            Command::Oracles(c) => self.oracles(c),
            Command::Report(c) => self.report(c),
            Command::Emissions(c) => self.emissions(c),
            Command::Rewards(c) => self.rewards(c),
            Command::Credits(c) => self.credits(c),
            Command::Price(c) => self.price(c),
            Command::Bme(c) => self.bme(c),
            Command::Demo(args) => self.demo(args),
            Command::Simulate(_) => bail!("simulate needs no cluster; use `depin simulate`"),
            Command::Bench(_) => bail!("the benchmarks need no cluster"),
            Command::Oracle(_) => bail!("the oracle reads its cluster from its config file"),
            Command::Index(args) => self.index(args),
            Command::Device(c) => self.device(c),
        }
    }

    /// `depin demo --url …`: the demo on a cluster that runs our programs, paid by
    /// --keypair.
    fn demo(&self, args: &DemoArgs) -> Result<Value> {
        let url = self.t().describe();
        anyhow::ensure!(
            !url.contains("mainnet"),
            "the demo spends SOL on throwaway keys; it does not run on {url}"
        );
        for (name, id) in [
            ("node_registry", node_registry::ID),
            ("proof_verifier", proof_verifier::ID),
            ("emissions", emissions::ID),
            ("fee_settlement", fee_settlement::ID),
        ] {
            match self.t().get_account(&id)? {
                Some(a) if a.executable => {}
                _ => bail!(
                    "{name} is not deployed at {id} on {url} (a local validator with depin-kit's programs: bash scripts/validator.sh start DIR PORT)"
                ),
            }
        }
        let payer = self.keypair()?;
        let need = demo::lamports_needed(args.nodes);
        let have = self
            .t()
            .get_account(&payer.pubkey())?
            .map_or(0, |a| a.lamports);
        anyhow::ensure!(
            have >= need,
            "the demo needs about {} SOL at {} (it has {}): on a local validator pay with its genesis mint (-k LEDGER/mint.json) or airdrop",
            crate::cli::lamports_to_sol(need),
            payer.pubkey(),
            crate::cli::lamports_to_sol(have)
        );
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            | 1;
        let cluster = demo::DemoCluster::Rpc {
            transport: self.t(),
            payer: Box::new(payer),
            epoch_length_s: args.epoch_seconds,
            challenge_s: args.challenge_seconds,
            seed,
        };
        let report = demo::run_on(&cluster, args.nodes, !args.quiet)?;
        Ok(serde_json::to_value(&report)?)
    }

    fn tx(&self, c: &TxCmd) -> Result<Value> {
        match c {
            TxCmd::Sign { transaction } => {
                let mut tx = txcodec::decode(&read_input(transaction)?)?;
                txcodec::sign(&mut tx, self.default_signer()?.as_ref())?;
                Ok(json!({
                    "transaction": txcodec::encode(&tx),
                    "missing_signers": txcodec::missing_signers(&tx).iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                }))
            }
            TxCmd::Send { transaction } => {
                let tx = txcodec::decode(&read_input(transaction)?)?;
                txcodec::verify_complete(&tx)?;
                let out = self.t().send(&tx)?;
                Ok(sent(&out.signature, json!({})))
            }
            TxCmd::Inspect { transaction } => {
                let tx = txcodec::decode(&read_input(transaction)?)?;
                let n = usize::from(tx.message.header.num_required_signatures);
                let keys = &tx.message.account_keys;
                let missing = txcodec::missing_signers(&tx);
                let programs: Vec<String> = tx
                    .message
                    .instructions
                    .iter()
                    .filter_map(|i| keys.get(usize::from(i.program_id_index)))
                    .map(|k| k.to_string())
                    .collect();
                // a durable-nonce transaction starts with the system program's AdvanceNonceAccount
                let nonce = tx.message.instructions.first().and_then(|i| {
                    let program = keys.get(usize::from(i.program_id_index))?;
                    let advance = *program == solana_system_interface::program::ID
                        && i.data.get(..4) == Some(&4u32.to_le_bytes()[..]);
                    advance
                        .then(|| keys.get(usize::from(*i.accounts.first()?)))
                        .flatten()
                });
                Ok(json!({
                    "fee_payer": keys.first().map(|k| k.to_string()),
                    "blockhash": tx.message.recent_blockhash.to_string(),
                    "nonce_account": nonce.map(|k| k.to_string()),
                    "signers": keys[..n.min(keys.len())].iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "signed": keys[..n.min(keys.len())].iter().filter(|k| !missing.contains(k)).map(|k| k.to_string()).collect::<Vec<_>>(),
                    "missing_signers": missing.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "instructions": tx.message.instructions.len(),
                    "programs": programs,
                    "bytes": txcodec::size(&tx),
                }))
            }
        }
    }
}

impl Ctx<'_> {
    fn nonce(&self, c: &NonceCmd) -> Result<Value> {
        match c {
            NonceCmd::Create {
                nonce_account,
                authority,
            } => {
                let account = self.signer_from(nonce_account, "nonce-account")?;
                let address = account.pubkey();
                anyhow::ensure!(
                    self.t().get_account(&address)?.is_none(),
                    "account {address} already exists"
                );
                let payer = self.signer_key()?;
                let authority = authority.unwrap_or(payer);
                let lamports = self.rent_exempt(solana_nonce::state::State::size())?;
                let ixs = solana_system_interface::instruction::create_nonce_account(
                    &payer, &address, &authority, lamports,
                );
                self.deliver_with(
                    &ixs,
                    &[account.as_ref()],
                    json!({ "nonce_account": address.to_string(), "authority": authority.to_string(), "lamports": lamports }),
                )
            }
            NonceCmd::Show { nonce_account } => {
                let n = signing::nonce_state(self.t(), nonce_account)?;
                Ok(json!({
                    "nonce_account": nonce_account.to_string(),
                    "authority": n.authority.to_string(),
                    "blockhash": n.blockhash.to_string(),
                    "lamports_per_signature": n.lamports_per_signature,
                }))
            }
        }
    }

    /// The rent-exempt minimum for `len` bytes, from the cluster's Rent sysvar.
    fn rent_exempt(&self, len: usize) -> Result<u64> {
        let rent = self
            .t()
            .get_account(&anchor_lang::pubkey!(
                "SysvarRent111111111111111111111111111111111"
            ))?
            .context("the cluster has no Rent sysvar")?;
        let rent: anchor_lang::prelude::Rent =
            bincode::deserialize(&rent.data).context("decoding the Rent sysvar")?;
        Ok(rent.minimum_balance(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn network_names_and_addresses() {
        assert_eq!(network_address("demo").unwrap(), pda::network("demo").0);
        let k = Pubkey::new_unique();
        assert_eq!(network_address(&k.to_string()).unwrap(), k);
        assert!(network_address("Not A Name").is_err());
    }

    /// Every subcommand and every argument has a description, and every command that does
    /// something (a leaf) shows an example under `--help`.
    #[test]
    fn every_command_and_flag_is_described() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                let id = a.get_id().as_str();
                if id == "help" || id == "version" {
                    continue;
                }
                if a.get_help().is_none() && a.get_long_help().is_none() {
                    missing.push(format!("{path}: argument {id} has no help"));
                }
            }
            let subs: Vec<_> = cmd
                .get_subcommands()
                .filter(|c| c.get_name() != "help")
                .collect();
            if subs.is_empty() && !path.is_empty() && cmd.get_after_help().is_none() {
                missing.push(format!("{path}: no example"));
            }
            for c in subs {
                let p = format!("{path} {}", c.get_name());
                if c.get_about().is_none() {
                    missing.push(format!("{p}: no description"));
                }
                walk(c, p.trim(), missing);
            }
        }
        let mut missing = vec![];
        walk(&<Cli as clap::CommandFactory>::command(), "", &mut missing);
        assert!(missing.is_empty(), "undescribed:\n{}", missing.join("\n"));
    }
}
