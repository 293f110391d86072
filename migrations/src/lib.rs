//! Idempotent bootstrap of a network from a TOML file: creates what is missing, updates what
//! differs, and leaves the rest alone, so running it twice sends nothing the second time.
//!
//! ```toml
//! name = "my-network"
//! onboarding_fee_credits = 4000000
//! location_fee_credits = 1000000
//! attestation_window_s = 86400
//! # token_mint / credits_mint: existing mints; when absent and the network is new,
//! # a token mint (SPL Token) and non-transferable credits (Token-2022, mint authority the
//! # network's fee_settlement address) are created.
//! # operator = "<pubkey>"
//!
//! [[makers]]
//! maker_key = "<pubkey>"
//! attestation_key = "<pubkey>"   # default: maker_key
//! device_cap = 10000              # optional
//! ```
use anyhow::{Context, Result};
use depin::pda;
use depin::registry::Registry;
use depin::transport::Transport;
use depin::Pubkey;
use node_registry::state::{DeviceCapUpdate, OperatorUpdate};
use node_registry::{AddMakerArgs, CreateNetworkArgs, UpdateMakerArgs, UpdateNetworkArgs};
use serde::{Deserialize, Serialize};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::str::FromStr;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkConfig {
    pub name: String,
    pub token_mint: Option<String>,
    pub credits_mint: Option<String>,
    #[serde(default)]
    pub onboarding_fee_credits: u64,
    #[serde(default)]
    pub location_fee_credits: u64,
    #[serde(default = "default_window")]
    pub attestation_window_s: u32,
    pub operator: Option<String>,
    #[serde(default)]
    pub makers: Vec<MakerConfig>,
}

fn default_window() -> u32 {
    86_400
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakerConfig {
    pub maker_key: String,
    pub attestation_key: Option<String>,
    pub device_cap: Option<u64>,
}

/// What a run did, in order; empty when everything already matched.
#[derive(Debug, Default, Serialize)]
pub struct Report {
    pub network: String,
    pub actions: Vec<String>,
}

fn key(s: &str, what: &str) -> Result<Pubkey> {
    Pubkey::from_str(s).with_context(|| format!("{what} `{s}` is not a public key"))
}

pub fn load(path: &std::path::Path) -> Result<NetworkConfig> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Brings the network described by `cfg` into existence or in line with it.
pub fn bootstrap(t: &dyn Transport, authority: &Keypair, cfg: &NetworkConfig) -> Result<Report> {
    let reg = Registry::new(t);
    let network = pda::network(&cfg.name).0;
    let mut report = Report {
        network: network.to_string(),
        actions: vec![],
    };
    let operator = cfg
        .operator
        .as_deref()
        .map(|s| key(s, "operator"))
        .transpose()?;

    let existing = depin::accounts::fetch::<node_registry::state::Network>(t, "network", &network)?;
    match existing {
        None => {
            let token_mint = match &cfg.token_mint {
                Some(s) => key(s, "token_mint")?,
                None => {
                    let m = Keypair::new();
                    reg.create_mint(
                        authority,
                        &m,
                        &authority.pubkey(),
                        6,
                        &depin::tokens::TOKEN_PROGRAM,
                    )?;
                    report
                        .actions
                        .push(format!("created token mint {}", m.pubkey()));
                    m.pubkey()
                }
            };
            let credits_mint = match &cfg.credits_mint {
                Some(s) => key(s, "credits_mint")?,
                None => {
                    let m = Keypair::new();
                    // fee_settlement mints the credits: its settlement address is the
                    // authority (`depin credits init` then takes the network over)
                    let settlement = depin::settlement::settlement_address(&network);
                    reg.create_credits_mint(authority, &m, &settlement, 0)?;
                    report
                        .actions
                        .push(format!("created credits mint {}", m.pubkey()));
                    m.pubkey()
                }
            };
            reg.create_network(
                authority,
                &token_mint,
                &credits_mint,
                CreateNetworkArgs {
                    name: cfg.name.clone(),
                    onboarding_fee_credits: cfg.onboarding_fee_credits,
                    location_fee_credits: cfg.location_fee_credits,
                    attestation_window_s: cfg.attestation_window_s,
                },
            )
            .context("creating the network")?;
            report.actions.push(format!("created network {}", cfg.name));
            if operator.is_some() {
                reg.update_network(
                    authority,
                    &network,
                    UpdateNetworkArgs {
                        operator: operator.map(OperatorUpdate::Set),
                        ..Default::default()
                    },
                )?;
                report.actions.push("set operator".into());
            }
        }
        Some(n) => {
            // A network of that name that someone else controls is not ours to adopt, even
            // if its settings match the file (a squatter can copy them).
            anyhow::ensure!(
                n.authority == authority.pubkey(),
                "network {} already exists with authority {}, not this bootstrap's key {}; \
                 choose another name, or run with the network's authority keypair",
                cfg.name,
                n.authority,
                authority.pubkey()
            );
            for (what, configured, actual) in [
                ("token_mint", &cfg.token_mint, n.token_mint),
                ("credits_mint", &cfg.credits_mint, n.credits_mint),
            ] {
                if let Some(s) = configured {
                    anyhow::ensure!(
                        key(s, what)? == actual,
                        "network {} exists with {what} {actual}, the file says {s}; mints cannot change",
                        cfg.name
                    );
                }
            }
            // Only the settings that differ are sent; the pause flag is never touched.
            let changed = |want, have| (want != have).then_some(want);
            let wanted = UpdateNetworkArgs {
                onboarding_fee_credits: changed(
                    cfg.onboarding_fee_credits,
                    n.onboarding_fee_credits,
                ),
                location_fee_credits: changed(cfg.location_fee_credits, n.location_fee_credits),
                attestation_window_s: (cfg.attestation_window_s != n.attestation_window_s)
                    .then_some(cfg.attestation_window_s),
                operator: (operator != n.operator).then_some(match operator {
                    Some(k) => OperatorUpdate::Set(k),
                    None => OperatorUpdate::Remove,
                }),
                paused: None,
            };
            if !wanted.is_empty() {
                reg.update_network(authority, &network, wanted)
                    .context("updating the network")?;
                report.actions.push(format!("updated network {}", cfg.name));
            }
        }
    }

    for m in &cfg.makers {
        let maker_key = key(&m.maker_key, "maker_key")?;
        let attestation_key = match &m.attestation_key {
            Some(s) => key(s, "attestation_key")?,
            None => maker_key,
        };
        let address = pda::maker(&network, &maker_key).0;
        match depin::accounts::fetch::<node_registry::state::Maker>(t, "maker", &address)? {
            None => {
                reg.add_maker(
                    authority,
                    &network,
                    AddMakerArgs {
                        maker_key,
                        attestation_key,
                        device_cap: m.device_cap,
                    },
                )
                .with_context(|| format!("adding maker {maker_key}"))?;
                report.actions.push(format!("added maker {maker_key}"));
            }
            Some(existing)
                if existing.attestation_key != attestation_key
                    || existing.device_cap != m.device_cap =>
            {
                reg.update_maker(
                    authority,
                    &network,
                    &address,
                    UpdateMakerArgs {
                        attestation_key: (existing.attestation_key != attestation_key)
                            .then_some(attestation_key),
                        device_cap: (existing.device_cap != m.device_cap).then_some(
                            match m.device_cap {
                                Some(c) => DeviceCapUpdate::Limit(c),
                                None => DeviceCapUpdate::Unlimited,
                            },
                        ),
                    },
                )
                .with_context(|| format!("updating maker {maker_key}"))?;
                report.actions.push(format!("updated maker {maker_key}"));
            }
            Some(_) => {}
        }
    }
    Ok(report)
}
