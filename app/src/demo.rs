//! `depin demo`: a whole network on the embedded runtime, from nothing, with real keys and
//! signatures, and a summary whose figures are read back from the runtime's accounts.
use crate::accounts;
use crate::attest;
use crate::registry::{Registration, Registry};
use crate::transport::{embedded::EmbeddedNetwork, Transport};
use crate::{tokens, txcodec};
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use node_registry::state::{Capacity, NodeStatus};
use node_registry::{AddMakerArgs, CreateNetworkArgs};
use serde::Serialize;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::time::Instant;

/// Helium's figures: a credit is $0.00001; onboarding $40, a location assertion $10.
pub const ONBOARDING_FEE_CREDITS: u64 = 4_000_000;
pub const LOCATION_FEE_CREDITS: u64 = 1_000_000;
const NODES_PER_OWNER: usize = 4;

#[derive(Debug, Serialize)]
pub struct DemoReport {
    pub runtime: String,
    pub network: String,
    pub makers: u64,
    pub owners: u64,
    pub nodes_registered: u64,
    /// Node accounts found in the runtime (not counted by the loop).
    pub node_accounts_on_chain: u64,
    /// `node_count` stored in the Network account.
    pub network_node_count: u64,
    pub node_account_bytes: u64,
    /// Size of a device's permanent record (created at its first registration).
    pub device_record_bytes: u64,
    /// Serialized size of one register transaction (both ed25519 instructions included).
    pub register_tx_bytes: u64,
    pub locations_asserted: u64,
    pub nodes_transferred: u64,
    pub nodes_suspended: u64,
    pub credits_minted: u64,
    pub credits_burned_for_fees: u64,
    /// Credits supply read from the mint; equals minted − burned.
    pub credits_supply: u64,
    pub credits_reconcile: bool,
    /// Highest compute units of one register transaction (meaningful in SBF mode only).
    pub register_compute_units_max: Option<u64>,
    pub elapsed_ms: u64,
}

/// A valid resolution-8 H3 cell derived from `i` (base cell 20 is not a pentagon).
pub fn demo_cell(i: usize) -> u64 {
    let mut cell: u64 = (1 << 59) | (8 << 52) | (20 << 45);
    let mut x = i as u64;
    for r in 1..=15u64 {
        let digit = if r <= 8 {
            let d = x % 7;
            x /= 7;
            d
        } else {
            7
        };
        cell |= digit << ((15 - r) * 3);
    }
    cell
}

fn capacity_for(i: usize) -> Capacity {
    match i % 4 {
        0 => Capacity::Hotspot {
            radios: 1,
            antenna_gain_dbi_x10: 58,
            elevation_m: 12,
        },
        1 => Capacity::Gpu {
            gpus: 8,
            vram_gib: 80,
            fp16_tflops: 989,
        },
        2 => Capacity::Storage {
            bytes: 16_000_000_000_000,
        },
        _ => Capacity::Sensor {
            channels: 4,
            sample_interval_s: 60,
        },
    }
}

fn bar(n: usize, show: bool, what: &str) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template("{msg:>12} [{bar:40}] {pos}/{len} {elapsed}") {
        pb.set_style(style.progress_chars("=> "));
    }
    pb.set_message(what.to_string());
    pb
}

pub fn run(net: &EmbeddedNetwork, nodes: usize, progress: bool) -> Result<DemoReport> {
    let started = Instant::now();
    let reg = Registry::new(net);
    let operator = net.payer();

    // Mints: the network token (SPL Token) and non-transferable credits (Token-2022).
    let token_mint = Keypair::new();
    let credits_mint = Keypair::new();
    reg.create_mint(
        &operator,
        &token_mint,
        &operator.pubkey(),
        6,
        &tokens::TOKEN_PROGRAM,
    )
    .context("creating the token mint")?;
    reg.create_credits_mint(&operator, &credits_mint, &operator.pubkey(), 0)
        .context("creating the credits mint")?;

    let (network, _) = reg
        .create_network(
            &operator,
            &token_mint.pubkey(),
            &credits_mint.pubkey(),
            CreateNetworkArgs {
                name: "demo".into(),
                onboarding_fee_credits: ONBOARDING_FEE_CREDITS,
                location_fee_credits: LOCATION_FEE_CREDITS,
                attestation_window_s: 3600,
            },
        )
        .context("creating the network")?;

    let makers: Vec<(Keypair, Keypair)> =
        (0..2).map(|_| (Keypair::new(), Keypair::new())).collect();
    let mut maker_accounts = vec![];
    for (maker_key, attestation_key) in &makers {
        let (m, _) = reg
            .add_maker(
                &operator,
                &network,
                AddMakerArgs {
                    maker_key: maker_key.pubkey(),
                    attestation_key: attestation_key.pubkey(),
                    device_cap: Some(10_000),
                },
            )
            .context("adding a maker")?;
        maker_accounts.push(m);
    }

    // Owners, each funded with SOL for rent and credits for its nodes' fees.
    let owners_n = nodes.div_ceil(NODES_PER_OWNER).max(1);
    // Enough for each node's fees plus a remainder, so the supply check is not trivially zero.
    let per_owner_credits =
        (NODES_PER_OWNER as u64) * (ONBOARDING_FEE_CREDITS + LOCATION_FEE_CREDITS) + 123_456;
    let owners: Vec<Keypair> = (0..owners_n).map(|_| Keypair::new()).collect();
    let pb = bar(owners_n, progress, "owners");
    let mut credits_minted = 0u64;
    for owner in &owners {
        let fund = crate::ix::transfer_lamports(&operator.pubkey(), &owner.pubkey(), 100_000_000);
        reg.send(&[fund], &operator, &[])
            .context("funding an owner")?;
        reg.mint_to_owner(
            &operator,
            &operator,
            &credits_mint.pubkey(),
            &owner.pubkey(),
            per_owner_credits,
        )
        .context("minting credits")?;
        credits_minted += per_owner_credits;
        pb.inc(1);
    }
    pb.finish_and_clear();

    let pb = bar(nodes, progress, "register");
    let now = u64::try_from(net.unix_time()?).context("clock before 1970")?;
    let mut register_tx_bytes = 0u64;
    let mut register_cu_max: Option<u64> = None;
    let mut registered = vec![];
    for i in 0..nodes {
        let owner = &owners[i / NODES_PER_OWNER];
        let which = i % makers.len();
        let device = Keypair::new();
        let r = Registration {
            network,
            maker: maker_accounts[which],
            maker_attestation: attest::sign_maker_attestation(
                &makers[which].1,
                &network,
                &device.pubkey(),
                &capacity_for(i),
            ),
            device_consent: attest::sign_device_consent(&device, &network, &owner.pubkey(), now),
            nonce: now,
            capacity: capacity_for(i),
            owner_credits: None,
            max_fee_credits: None,
        };
        if i == 0 {
            let ixs = reg.register_node_instructions(&owner.pubkey(), &r)?;
            let mut tx = reg.unsigned(&ixs, &owner.pubkey())?;
            txcodec::sign(&mut tx, owner)?;
            register_tx_bytes = txcodec::size(&tx) as u64;
        }
        let (node, out) = reg
            .register_node(owner, &r)
            .with_context(|| format!("registering node {i}"))?;
        if let (Some(cu), true) = (
            out.compute_units,
            matches!(net.mode(), crate::transport::embedded::RuntimeMode::Sbf(_)),
        ) {
            register_cu_max = Some(register_cu_max.unwrap_or(0).max(cu));
        }
        registered.push((node, device.pubkey(), i / NODES_PER_OWNER));
        pb.inc(1);
    }
    pb.finish_and_clear();

    let pb = bar(registered.len(), progress, "locations");
    for (i, (node, _, o)) in registered.iter().enumerate() {
        reg.assert_location(&owners[*o], &network, node, demo_cell(i))
            .with_context(|| format!("asserting location of node {i}"))?;
        pb.inc(1);
    }
    pb.finish_and_clear();

    // A little life: every 10th node changes hands, every 25th is suspended.
    let mut transferred = 0u64;
    let mut suspended = 0u64;
    for (i, (node, _, o)) in registered.iter().enumerate() {
        if i % 10 == 9 {
            let next = &owners[(o + 1) % owners.len()];
            // two steps: the owner offers, the recipient accepts
            reg.transfer_node(&owners[*o], next, &network, node)?;
            transferred += 1;
        }
        if i % 25 == 24 {
            reg.set_node_status(&operator, &network, node, NodeStatus::Suspended)?;
            suspended += 1;
        }
    }

    let on_chain = accounts::nodes_of(net, &network)?;
    let node_account_bytes = match registered.first() {
        Some((node, _, _)) => net
            .get_account(node)?
            .map(|a| a.data.len() as u64)
            .unwrap_or(0),
        None => 0,
    };
    let device_record_bytes = match registered.first() {
        Some((_, device, _)) => net
            .get_account(&crate::pda::device(&network, device).0)?
            .map(|a| a.data.len() as u64)
            .unwrap_or(0),
        None => 0,
    };
    let network_account = reg.network(&network)?;
    let supply = net
        .get_account(&credits_mint.pubkey())?
        .and_then(|a| tokens::supply(&a.data))
        .context("reading the credits supply")?;
    let burned = nodes as u64 * (ONBOARDING_FEE_CREDITS + LOCATION_FEE_CREDITS);
    let suspended_on_chain = on_chain
        .iter()
        .filter(|(_, n)| n.status == NodeStatus::Suspended)
        .count() as u64;
    Ok(DemoReport {
        runtime: net.describe(),
        network: network.to_string(),
        makers: maker_accounts.len() as u64,
        owners: owners_n as u64,
        nodes_registered: registered.len() as u64,
        node_accounts_on_chain: on_chain.len() as u64,
        network_node_count: network_account.node_count,
        node_account_bytes,
        device_record_bytes,
        register_tx_bytes,
        locations_asserted: on_chain.iter().filter(|(_, n)| n.location != 0).count() as u64,
        nodes_transferred: transferred,
        nodes_suspended: suspended_on_chain,
        credits_minted,
        credits_burned_for_fees: burned,
        credits_supply: supply,
        credits_reconcile: credits_minted.checked_sub(burned) == Some(supply)
            && suspended == suspended_on_chain,
        register_compute_units_max: register_cu_max,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cells_are_valid_and_distinct() {
        let cells: std::collections::BTreeSet<u64> = (0..5000).map(demo_cell).collect();
        assert_eq!(cells.len(), 5000);
        assert!(cells.iter().all(|c| depin_core::h3::is_valid_cell(*c)));
    }
}
