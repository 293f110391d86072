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
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::str::FromStr;

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
    /// Keypair file that signs and pays. Default: the solana CLI config's keypair_path.
    #[arg(short = 'k', long, global = true)]
    pub keypair: Option<PathBuf>,
    /// solana CLI config file to read defaults from.
    #[arg(short = 'C', long, global = true)]
    pub config: Option<PathBuf>,
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    pub output: OutputFormat,
    /// Print program logs when a transaction fails.
    #[arg(short = 'v', long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
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
    /// Offline signing: sign and send base64 transactions.
    #[command(subcommand)]
    Tx(TxCmd),
    /// Run a whole network on the embedded runtime and print a summary.
    Demo(DemoArgs),
}

#[derive(Subcommand, Debug)]
pub enum NetworkCmd {
    Create {
        #[arg(long)]
        name: String,
        #[arg(long)]
        token_mint: Pubkey,
        #[arg(long)]
        credits_mint: Pubkey,
        /// Credits burned to register a node (base units).
        #[arg(long, default_value_t = 0)]
        onboarding_fee: u64,
        /// Credits burned per location assertion (base units).
        #[arg(long, default_value_t = 0)]
        location_fee: u64,
        /// Seconds a device consent stays valid.
        #[arg(long, default_value_t = 86_400)]
        attestation_window: u32,
    },
    Show {
        /// Network name or address.
        network: String,
    },
    Update {
        network: String,
        #[arg(long)]
        onboarding_fee: Option<u64>,
        #[arg(long)]
        location_fee: Option<u64>,
        #[arg(long)]
        attestation_window: Option<u32>,
        /// Delegated key that may suspend and reactivate nodes ("none" clears it).
        #[arg(long)]
        operator: Option<String>,
        #[arg(long)]
        paused: Option<bool>,
    },
    /// Propose a new authority ("none" cancels); it must then run accept-authority.
    ProposeAuthority {
        network: String,
        new_authority: String,
    },
    AcceptAuthority {
        network: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum MakerCmd {
    Add {
        #[arg(long)]
        network: String,
        /// The maker's stable identity.
        #[arg(long)]
        maker_key: Pubkey,
        /// The key that signs device attestations (default: the maker key).
        #[arg(long)]
        attestation_key: Option<Pubkey>,
        #[arg(long)]
        device_cap: Option<u64>,
    },
    Update {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
        /// Rotate the attestation key (the old key's record is closed, the new one created).
        #[arg(long)]
        attestation_key: Option<Pubkey>,
        /// New cap; 0 removes the cap.
        #[arg(long)]
        device_cap: Option<u64>,
    },
    /// Let a revoked maker attest devices again.
    Reactivate {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
    },
    Revoke {
        #[arg(long)]
        network: String,
        #[arg(long)]
        maker_key: Pubkey,
    },
    List {
        #[arg(long)]
        network: String,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum NodeClass {
    Hotspot,
    Gpu,
    Storage,
    Sensor,
    Other,
}

#[derive(Args, Debug)]
pub struct RegisterArgs {
    #[arg(long)]
    pub network: String,
    #[arg(long)]
    pub maker_key: Pubkey,
    /// Maker attestation key file (when the maker signs here).
    #[arg(long, conflicts_with = "maker_signature")]
    pub maker_keypair: Option<PathBuf>,
    /// Maker attestation signature (base58) from `depin attest maker`.
    #[arg(long)]
    pub maker_signature: Option<Signature>,
    /// Device key file (when the device key is available here).
    #[arg(long, conflicts_with_all = ["device_signature", "device_key"])]
    pub device_keypair: Option<PathBuf>,
    /// Device public key, with --device-signature and --nonce.
    #[arg(long, requires_all = ["device_signature", "nonce"])]
    pub device_key: Option<Pubkey>,
    /// Device consent signature (base58) from `depin attest device`.
    #[arg(long)]
    pub device_signature: Option<Signature>,
    /// Consent nonce (unix seconds) the device signed; default now.
    #[arg(long)]
    pub nonce: Option<u64>,
    #[arg(long, value_enum)]
    pub class: NodeClass,
    /// Capacity fields, e.g. `radios=1,gain=12,elevation=5` (hotspot),
    /// `gpus=8,vram=80,tflops=989` (gpu), `bytes=1e12` (storage),
    /// `channels=4,interval=60` (sensor), `units=10` (other).
    #[arg(long)]
    pub capacity: String,
    /// Owner (fee payer) when building for another wallet with --sign-only.
    #[arg(long)]
    pub owner: Option<Pubkey>,
    /// Owner's credits token account (default: associated account).
    #[arg(long)]
    pub credits_account: Option<Pubkey>,
    /// Most credits the transaction may burn (default: the network's onboarding fee now);
    /// it is refused on chain if the fee is raised above this before it lands.
    #[arg(long)]
    pub max_fee: Option<u64>,
    /// Print the unsigned transaction (base64) instead of sending it.
    #[arg(long)]
    pub sign_only: bool,
}

#[derive(Subcommand, Debug)]
pub enum NodeCmd {
    Register(Box<RegisterArgs>),
    Show {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    List {
        #[arg(long)]
        network: String,
        #[arg(long)]
        owner: Option<Pubkey>,
    },
    /// Offer the node to a new owner (--keypair: the owner); nothing moves until they accept.
    Transfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        #[arg(long)]
        to: Pubkey,
    },
    /// Accept the open transfer offer (--keypair: the recipient).
    AcceptTransfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    /// Withdraw (proposer) or decline (recipient) the open transfer offer.
    CancelTransfer {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    /// The device's permanent record: standing, registrations, last consent nonce.
    Device {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
    SetStatus {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        #[arg(value_enum)]
        status: StatusArg,
    },
    AssertLocation {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
        /// H3 cell, hex (8928308280fffff) or decimal.
        cell: String,
        /// Most credits it may burn (default: the network's location fee now).
        #[arg(long)]
        max_fee: Option<u64>,
    },
    Decommission {
        #[arg(long)]
        network: String,
        device_key: Pubkey,
    },
}

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum StatusArg {
    Active,
    Suspended,
}

#[derive(Subcommand, Debug)]
pub enum AttestCmd {
    /// Sign (network, device key, class and capacity) with the maker's attestation key
    /// (--keypair).
    Maker {
        #[arg(long)]
        network: String,
        #[arg(long)]
        device_key: Pubkey,
        #[arg(long, value_enum)]
        class: NodeClass,
        /// Capacity fields as for `node register --capacity`.
        #[arg(long)]
        capacity: String,
    },
    /// Sign (network, owner, nonce) with the device key (--keypair).
    Device {
        #[arg(long)]
        network: String,
        #[arg(long)]
        owner: Pubkey,
        /// Unix seconds; default the cluster's clock.
        #[arg(long)]
        nonce: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TxCmd {
    /// Add the --keypair signature to a base64 transaction ("-" reads stdin).
    Sign { transaction: String },
    /// Send a fully signed base64 transaction ("-" reads stdin).
    Send { transaction: String },
    /// Show signers and missing signatures of a base64 transaction.
    Inspect { transaction: String },
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 100)]
    pub nodes: usize,
}

/// Runs a parsed command with the cluster chosen by `--url`, writing results to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    if let Command::Demo(args) = &cli.command {
        let net = EmbeddedNetwork::start()?;
        let report = demo::run(&net, args.nodes, cli.output == OutputFormat::Text)?;
        return emit(&cli, out, serde_json::to_value(&report)?);
    }
    let defaults = config::load_defaults(cli.config.as_deref())?;
    let url = cli.url.clone().unwrap_or(defaults.json_rpc_url.clone());
    match config::resolve_url(&url) {
        Cluster::Embedded => {
            let net = EmbeddedNetwork::start()?;
            run_with(cli, &net, out)
        }
        Cluster::Rpc(u) => run_with(cli, &RpcTransport::new(&u), out),
    }
}

/// Runs a parsed command against `transport`.
pub fn run_with(cli: Cli, transport: &dyn Transport, out: &mut dyn Write) -> Result<()> {
    let ctx = Ctx {
        cli: &cli,
        reg: Registry::new(transport),
    };
    let value = ctx.execute()?;
    emit(&cli, out, value)
}

fn emit(cli: &Cli, out: &mut dyn Write, value: Value) -> Result<()> {
    match cli.output {
        OutputFormat::Json => writeln!(out, "{}", serde_json::to_string_pretty(&value)?)?,
        OutputFormat::Text => write_text(out, &value, 0)?,
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

struct Ctx<'a> {
    cli: &'a Cli,
    reg: Registry<'a>,
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

/// Parses `key=value` pairs into a typed capacity for `class`.
pub fn parse_capacity(class: NodeClass, spec: &str) -> Result<Capacity> {
    let mut kv = std::collections::BTreeMap::new();
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (k, v) = part
            .split_once('=')
            .with_context(|| format!("capacity field `{part}` is not key=value"))?;
        let n: u64 = if let Some((m, e)) = v.split_once(['e', 'E']) {
            let m: u64 = m
                .parse()
                .with_context(|| format!("`{v}` is not a number"))?;
            let e: u32 = e
                .parse()
                .with_context(|| format!("`{v}` is not a number"))?;
            10u64
                .checked_pow(e)
                .and_then(|p| p.checked_mul(m))
                .with_context(|| format!("`{v}` is too large"))?
        } else {
            v.parse()
                .with_context(|| format!("`{v}` is not a whole number"))?
        };
        kv.insert(k.to_string(), n);
    }
    let mut take = |k: &str| -> Result<u64> {
        kv.remove(k)
            .with_context(|| format!("capacity needs `{k}=` for class {class:?}"))
    };
    fn fit<T: TryFrom<u64>>(k: &str, v: u64) -> Result<T> {
        T::try_from(v).map_err(|_| anyhow::anyhow!("capacity `{k}={v}` is out of range"))
    }
    let cap = match class {
        NodeClass::Hotspot => Capacity::Hotspot {
            radios: fit("radios", take("radios")?)?,
            antenna_gain_dbi_x10: fit("gain", take("gain")?)?,
            elevation_m: fit("elevation", take("elevation")?)?,
        },
        NodeClass::Gpu => Capacity::Gpu {
            gpus: fit("gpus", take("gpus")?)?,
            vram_gib: fit("vram", take("vram")?)?,
            fp16_tflops: fit("tflops", take("tflops")?)?,
        },
        NodeClass::Storage => Capacity::Storage {
            bytes: take("bytes")?,
        },
        NodeClass::Sensor => Capacity::Sensor {
            channels: fit("channels", take("channels")?)?,
            sample_interval_s: fit("interval", take("interval")?)?,
        },
        NodeClass::Other => Capacity::Other {
            units: take("units")?,
        },
    };
    if let Some(k) = kv.keys().next() {
        bail!("unknown capacity field `{k}` for class {class:?}");
    }
    Ok(cap)
}

/// H3 cell from hex (with or without 0x) or decimal.
pub fn parse_cell(s: &str) -> Result<u64> {
    let t = s.trim_start_matches("0x");
    let cell = if t.chars().all(|c| c.is_ascii_digit()) && !s.starts_with("0x") && t.len() > 15 {
        t.parse::<u64>()?
    } else {
        u64::from_str_radix(t, 16).with_context(|| format!("`{s}` is not an H3 cell"))?
    };
    anyhow::ensure!(
        depin_core::h3::is_valid_cell(cell),
        "`{s}` is not a valid H3 cell"
    );
    Ok(cell)
}

pub fn network_json(address: &Pubkey, n: &Network) -> Value {
    json!({
        "address": address.to_string(),
        "name": n.name,
        "authority": n.authority.to_string(),
        "pending_authority": n.pending_authority.map(|k| k.to_string()),
        "operator": n.operator.map(|k| k.to_string()),
        "token_mint": n.token_mint.to_string(),
        "credits_mint": n.credits_mint.to_string(),
        "onboarding_fee_credits": n.onboarding_fee_credits,
        "location_fee_credits": n.location_fee_credits,
        "attestation_window_s": n.attestation_window_s,
        "node_count": n.node_count,
        "maker_count": n.maker_count,
        "paused": n.paused,
    })
}

pub fn maker_json(address: &Pubkey, m: &Maker) -> Value {
    json!({
        "address": address.to_string(),
        "maker_key": m.maker_key.to_string(),
        "attestation_key": m.attestation_key.to_string(),
        "nodes_attested": m.nodes_attested,
        "device_cap": m.device_cap,
        "active": m.active,
    })
}

pub fn node_json(address: &Pubkey, n: &Node) -> Value {
    json!({
        "address": address.to_string(),
        "device_key": n.device_key.to_string(),
        "owner": n.owner.to_string(),
        "maker": n.maker.to_string(),
        "location": if n.location == 0 { Value::Null } else { json!(format!("{:x}", n.location)) },
        "capacity": format!("{:?}", n.capacity),
        "status": format!("{:?}", n.status),
        "registered_at": n.registered_at,
        "location_changes": n.location_changes,
    })
}

fn sent(sig: &Signature, extra: Value) -> Value {
    let mut v = json!({ "signature": sig.to_string() });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    v
}

impl Ctx<'_> {
    fn keypair(&self) -> Result<Keypair> {
        let path = match &self.cli.keypair {
            Some(p) => p.clone(),
            None => config::load_defaults(self.cli.config.as_deref())?.keypair_path,
        };
        config::read_keypair(&path)
    }

    fn t(&self) -> &dyn Transport {
        self.reg.transport
    }

    fn execute(&self) -> Result<Value> {
        match &self.cli.command {
            Command::Network(c) => self.network(c),
            Command::Maker(c) => self.maker(c),
            Command::Node(c) => self.node(c),
            Command::Attest(c) => self.attest(c),
            Command::Tx(c) => self.tx(c),
            Command::Demo(_) => bail!("demo runs on its own embedded network; use `depin demo`"),
        }
    }

    fn network(&self, c: &NetworkCmd) -> Result<Value> {
        match c {
            NetworkCmd::Create {
                name,
                token_mint,
                credits_mint,
                onboarding_fee,
                location_fee,
                attestation_window,
            } => {
                let kp = self.keypair()?;
                let (address, out) = self.reg.create_network(
                    &kp,
                    token_mint,
                    credits_mint,
                    CreateNetworkArgs {
                        name: name.clone(),
                        onboarding_fee_credits: *onboarding_fee,
                        location_fee_credits: *location_fee,
                        attestation_window_s: *attestation_window,
                    },
                )?;
                Ok(sent(
                    &out.signature,
                    json!({ "network": address.to_string() }),
                ))
            }
            NetworkCmd::Show { network } => {
                let a = network_address(network)?;
                Ok(network_json(&a, &self.reg.network(&a)?))
            }
            NetworkCmd::Update {
                network,
                onboarding_fee,
                location_fee,
                attestation_window,
                operator,
                paused,
            } => {
                let a = network_address(network)?;
                // Only what was given is sent: the program leaves every other setting as is.
                let args = UpdateNetworkArgs {
                    onboarding_fee_credits: *onboarding_fee,
                    location_fee_credits: *location_fee,
                    attestation_window_s: *attestation_window,
                    operator: match operator {
                        Some(s) => Some(match optional_key(s)? {
                            Some(k) => OperatorUpdate::Set(k),
                            None => OperatorUpdate::Remove,
                        }),
                        None => None,
                    },
                    paused: *paused,
                };
                anyhow::ensure!(
                    !args.is_empty(),
                    "nothing to update: give --onboarding-fee, --location-fee, --attestation-window, --operator or --paused"
                );
                let out = self.reg.update_network(&self.keypair()?, &a, args)?;
                Ok(sent(&out.signature, json!({})))
            }
            NetworkCmd::ProposeAuthority {
                network,
                new_authority,
            } => {
                let a = network_address(network)?;
                let out = self.reg.propose_authority(
                    &self.keypair()?,
                    &a,
                    optional_key(new_authority)?,
                )?;
                Ok(sent(&out.signature, json!({})))
            }
            NetworkCmd::AcceptAuthority { network } => {
                let a = network_address(network)?;
                let out = self.reg.accept_authority(&self.keypair()?, &a)?;
                Ok(sent(&out.signature, json!({})))
            }
        }
    }

    fn maker(&self, c: &MakerCmd) -> Result<Value> {
        match c {
            MakerCmd::Add {
                network,
                maker_key,
                attestation_key,
                device_cap,
            } => {
                let a = network_address(network)?;
                let (maker, out) = self.reg.add_maker(
                    &self.keypair()?,
                    &a,
                    AddMakerArgs {
                        maker_key: *maker_key,
                        attestation_key: attestation_key.unwrap_or(*maker_key),
                        device_cap: *device_cap,
                    },
                )?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::Update {
                network,
                maker_key,
                attestation_key,
                device_cap,
            } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let args = UpdateMakerArgs {
                    attestation_key: *attestation_key,
                    device_cap: device_cap.map(|c| match c {
                        0 => DeviceCapUpdate::Unlimited,
                        c => DeviceCapUpdate::Limit(c),
                    }),
                };
                anyhow::ensure!(
                    args.attestation_key.is_some() || args.device_cap.is_some(),
                    "nothing to update: give --attestation-key or --device-cap"
                );
                let out = self.reg.update_maker(&self.keypair()?, &a, &maker, args)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::Reactivate { network, maker_key } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let out = self.reg.reactivate_maker(&self.keypair()?, &a, &maker)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::Revoke { network, maker_key } => {
                let a = network_address(network)?;
                let maker = pda::maker(&a, maker_key).0;
                let out = self.reg.revoke_maker(&self.keypair()?, &a, &maker)?;
                Ok(sent(&out.signature, json!({ "maker": maker.to_string() })))
            }
            MakerCmd::List { network } => {
                let a = network_address(network)?;
                let makers = accounts::makers_of(self.t(), &a)?;
                Ok(Value::Array(
                    makers.iter().map(|(k, m)| maker_json(k, m)).collect(),
                ))
            }
        }
    }

    fn registration(&self, r: &RegisterArgs, owner: &Pubkey) -> Result<Registration> {
        let network = network_address(&r.network)?;
        let maker = pda::maker(&network, &r.maker_key).0;
        let maker_account = accounts::maker(self.t(), &maker)?;
        let (device_consent, nonce) = match (&r.device_keypair, r.device_key, r.device_signature) {
            (Some(path), _, _) => {
                let device = config::read_keypair(path)?;
                let nonce = match r.nonce {
                    Some(n) => n,
                    None => {
                        u64::try_from(self.t().unix_time()?).context("cluster clock is negative")?
                    }
                };
                (
                    attest::sign_device_consent(&device, &network, owner, nonce),
                    nonce,
                )
            }
            (None, Some(device_key), Some(signature)) => {
                let nonce = r
                    .nonce
                    .context("--nonce is required with --device-signature")?;
                let s = SignedStatement {
                    signer: device_key,
                    message: attest::device_statement(&network, owner, nonce),
                    signature,
                };
                (s, nonce)
            }
            _ => {
                bail!("give --device-keypair, or --device-key with --device-signature and --nonce")
            }
        };
        let device_key = device_consent.signer;
        let capacity = parse_capacity(r.class, &r.capacity)?;
        let maker_attestation = match (&r.maker_keypair, r.maker_signature) {
            (Some(path), _) => attest::sign_maker_attestation(
                &config::read_keypair(path)?,
                &network,
                &device_key,
                &capacity,
            ),
            (None, Some(signature)) => SignedStatement {
                signer: maker_account.attestation_key,
                message: attest::maker_statement(&network, &device_key, &capacity),
                signature,
            },
            (None, None) => bail!("give --maker-keypair or --maker-signature"),
        };
        anyhow::ensure!(
            maker_attestation.signer == maker_account.attestation_key,
            "maker keypair {} is not the maker's attestation key {}",
            maker_attestation.signer,
            maker_account.attestation_key
        );
        anyhow::ensure!(
            maker_attestation.verify(),
            "the maker signature does not verify for device {device_key} with capacity {capacity:?} (the maker signs class and capacity too)"
        );
        anyhow::ensure!(
            device_consent.verify(),
            "the device signature does not verify for owner {owner} and nonce {nonce}"
        );
        Ok(Registration {
            network,
            maker,
            maker_attestation,
            device_consent,
            nonce,
            capacity,
            owner_credits: r.credits_account,
            max_fee_credits: r.max_fee,
        })
    }

    /// The onboarding fee now and the most the transaction may burn; warns on stderr when
    /// the fee is above the limit (the program would refuse it).
    fn fee_terms(&self, reg: &Registration) -> Result<(u64, u64)> {
        let fee = self.reg.network(&reg.network)?.onboarding_fee_credits;
        let max = reg.max_fee_credits.unwrap_or(fee);
        eprintln!("onboarding fee: {fee} credits burned (the transaction allows at most {max})");
        if fee > max {
            eprintln!("warning: the fee is above --max-fee; register_node will refuse it (FeeAboveMaximum)");
        }
        Ok((fee, max))
    }

    fn node(&self, c: &NodeCmd) -> Result<Value> {
        match c {
            NodeCmd::Register(r) => {
                if r.sign_only {
                    let owner = match r.owner {
                        Some(o) => o,
                        None => self.keypair()?.pubkey(),
                    };
                    let mut reg = self.registration(r, &owner)?;
                    let (fee, max) = self.fee_terms(&reg)?;
                    reg.max_fee_credits = Some(max);
                    let ixs = self.reg.register_node_instructions(&owner, &reg)?;
                    let tx = self.reg.unsigned(&ixs, &owner)?;
                    let node = pda::node(&reg.network, &reg.device_consent.signer).0;
                    return Ok(json!({
                        "onboarding_fee_credits": fee,
                        "max_fee_credits": max,
                        "transaction": txcodec::encode(&tx),
                        "missing_signers": txcodec::missing_signers(&tx).iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                        "node": node.to_string(),
                        "bytes": txcodec::size(&tx),
                    }));
                }
                let owner = self.keypair()?;
                anyhow::ensure!(
                    r.owner.is_none_or(|o| o == owner.pubkey()),
                    "--owner differs from --keypair; use --sign-only to build for another wallet"
                );
                let mut reg = self.registration(r, &owner.pubkey())?;
                let (fee, max) = self.fee_terms(&reg)?;
                reg.max_fee_credits = Some(max);
                let (node, out) = self.reg.register_node(&owner, &reg)?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "onboarding_fee_credits": fee, "max_fee_credits": max }),
                ))
            }
            NodeCmd::Show {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                Ok(node_json(&node, &accounts::node(self.t(), &node)?))
            }
            NodeCmd::List { network, owner } => {
                let a = network_address(network)?;
                let nodes = accounts::nodes_of(self.t(), &a)?;
                Ok(Value::Array(
                    nodes
                        .iter()
                        .filter(|(_, n)| owner.is_none_or(|o| n.owner == o))
                        .map(|(k, n)| node_json(k, n))
                        .collect(),
                ))
            }
            NodeCmd::Transfer {
                network,
                device_key,
                to,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self
                    .reg
                    .propose_transfer(&self.keypair()?, &a, &node, *to)?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "offer": pda::transfer_offer(&node).0.to_string(), "to": to.to_string() }),
                ))
            }
            NodeCmd::AcceptTransfer {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self.reg.accept_transfer(&self.keypair()?, &a, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::CancelTransfer {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self.reg.cancel_transfer(&self.keypair()?, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::Device {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let address = pda::device(&a, device_key).0;
                let d = accounts::device(self.t(), &address)?;
                Ok(json!({
                    "address": address.to_string(),
                    "device_key": d.device_key.to_string(),
                    "maker": d.maker.to_string(),
                    "status": format!("{:?}", d.status),
                    "registrations": d.registrations,
                    "last_consent_nonce": d.last_consent_nonce,
                    "first_registered_at": d.first_registered_at,
                    "node_registered": self.t().get_account(&pda::node(&a, device_key).0)?.is_some(),
                }))
            }
            NodeCmd::SetStatus {
                network,
                device_key,
                status,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let s = match status {
                    StatusArg::Active => NodeStatus::Active,
                    StatusArg::Suspended => NodeStatus::Suspended,
                };
                // Works for decommissioned devices too: the standing is on the device record.
                let out = self
                    .reg
                    .set_device_status(&self.keypair()?, &a, device_key, s)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
            NodeCmd::AssertLocation {
                network,
                device_key,
                cell,
                max_fee,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let fee = self.reg.network(&a)?.location_fee_credits;
                let max = max_fee.unwrap_or(fee);
                eprintln!(
                    "location fee: {fee} credits burned (the transaction allows at most {max})"
                );
                let out = self.reg.assert_location_with_max_fee(
                    &self.keypair()?,
                    &a,
                    &node,
                    parse_cell(cell)?,
                    max,
                )?;
                Ok(sent(
                    &out.signature,
                    json!({ "node": node.to_string(), "location_fee_credits": fee, "max_fee_credits": max }),
                ))
            }
            NodeCmd::Decommission {
                network,
                device_key,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let out = self.reg.decommission_node(&self.keypair()?, &a, &node)?;
                Ok(sent(&out.signature, json!({ "node": node.to_string() })))
            }
        }
    }

    fn attest(&self, c: &AttestCmd) -> Result<Value> {
        let kp = self.keypair()?;
        match c {
            AttestCmd::Maker {
                network,
                device_key,
                class,
                capacity,
            } => {
                let a = network_address(network)?;
                let capacity = parse_capacity(*class, capacity)?;
                let s = attest::sign_maker_attestation(&kp, &a, device_key, &capacity);
                Ok(
                    json!({ "signer": s.signer.to_string(), "device_key": device_key.to_string(), "signature": s.signature.to_string() }),
                )
            }
            AttestCmd::Device {
                network,
                owner,
                nonce,
            } => {
                let a = network_address(network)?;
                let nonce = match nonce {
                    Some(n) => *n,
                    None => {
                        u64::try_from(self.t().unix_time()?).context("cluster clock is negative")?
                    }
                };
                let s = attest::sign_device_consent(&kp, &a, owner, nonce);
                Ok(
                    json!({ "device_key": s.signer.to_string(), "owner": owner.to_string(), "nonce": nonce, "signature": s.signature.to_string() }),
                )
            }
        }
    }

    fn tx(&self, c: &TxCmd) -> Result<Value> {
        match c {
            TxCmd::Sign { transaction } => {
                let mut tx = txcodec::decode(&read_input(transaction)?)?;
                txcodec::sign(&mut tx, &self.keypair()?)?;
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
                Ok(json!({
                    "signers": tx.message.account_keys[..n].iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "missing_signers": txcodec::missing_signers(&tx).iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                    "instructions": tx.message.instructions.len(),
                    "bytes": txcodec::size(&tx),
                }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacities() {
        assert_eq!(
            parse_capacity(NodeClass::Gpu, "gpus=8,vram=80,tflops=989").unwrap(),
            Capacity::Gpu {
                gpus: 8,
                vram_gib: 80,
                fp16_tflops: 989
            }
        );
        assert_eq!(
            parse_capacity(NodeClass::Storage, "bytes=4e12").unwrap(),
            Capacity::Storage {
                bytes: 4_000_000_000_000
            }
        );
        assert!(parse_capacity(NodeClass::Gpu, "gpus=8").is_err());
        assert!(parse_capacity(NodeClass::Other, "units=1,extra=2").is_err());
        assert!(parse_capacity(NodeClass::Hotspot, "radios=300,gain=1,elevation=1").is_err());
        assert!(parse_capacity(NodeClass::Storage, "bytes=1e30").is_err());
    }

    #[test]
    fn cells() {
        assert_eq!(parse_cell("8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_cell("0x8928308280fffff").unwrap(), 0x8928308280fffff);
        assert_eq!(parse_cell("617700169958293503").unwrap(), 0x8928308280fffff);
        assert!(parse_cell("8928308280ffffe").is_err());
        assert!(parse_cell("zz").is_err());
    }

    #[test]
    fn network_names_and_addresses() {
        assert_eq!(network_address("demo").unwrap(), pda::network("demo").0);
        let k = Pubkey::new_unique();
        assert_eq!(network_address(&k.to_string()).unwrap(), k);
        assert!(network_address("Not A Name").is_err());
    }
}
