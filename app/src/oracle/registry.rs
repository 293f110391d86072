//! The oracle's view of the registry: every device of the network with its node, standing
//! and the most work it can plausibly do in an epoch, plus the oracle set's epoch clock.
//! Loaded from chain, refreshed, and kept in the store so a restarted oracle (or a replica
//! without RPC) accepts receipts at once.
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use node_registry::state::{Capacity, NodeStatus};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Work units a device may report per epoch, per unit of its attested capacity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WorkLimits {
    pub per_radio: u64,
    pub per_gpu_tflops: u64,
    pub per_storage_gib: u64,
    pub per_sensor_channel: u64,
    pub per_other_unit: u64,
}

impl Default for WorkLimits {
    fn default() -> Self {
        WorkLimits {
            per_radio: 100_000,
            per_gpu_tflops: 10_000,
            per_storage_gib: 1_000,
            per_sensor_channel: 10_000,
            per_other_unit: 1_000,
        }
    }
}

impl WorkLimits {
    /// The most work units a node of `capacity` can earn in one epoch.
    pub fn max_work(&self, capacity: &Capacity) -> u64 {
        let v = match *capacity {
            Capacity::Hotspot { radios, .. } => u64::from(radios).saturating_mul(self.per_radio),
            Capacity::Gpu {
                gpus, fp16_tflops, ..
            } => u64::from(gpus)
                .saturating_mul(u64::from(fp16_tflops))
                .saturating_mul(self.per_gpu_tflops),
            Capacity::Storage { bytes } => {
                (bytes >> 30).max(1).saturating_mul(self.per_storage_gib)
            }
            Capacity::Sensor { channels, .. } => {
                u64::from(channels).saturating_mul(self.per_sensor_channel)
            }
            Capacity::Other { units } => units.saturating_mul(self.per_other_unit),
        };
        // the store keeps 63-bit integers
        v.min(i64::MAX as u64)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceEntry {
    /// The node account (the reward tree's leaf key), base58.
    pub node: String,
    pub active: bool,
    pub max_work: u64,
    /// The node's typed capacity, Borsh-encoded as hex (the sector modules read it);
    /// absent in snapshots written before sector proofs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<String>,
    /// Asserted H3 cell, 0 when none.
    #[serde(default)]
    pub location: u64,
}

impl DeviceEntry {
    pub fn of(
        node: &Pubkey,
        active: bool,
        capacity: &Capacity,
        location: u64,
        limits: &WorkLimits,
    ) -> Self {
        DeviceEntry {
            node: node.to_string(),
            active,
            max_work: limits.max_work(capacity),
            capacity: {
                let mut b = Vec::new();
                anchor_lang::AnchorSerialize::serialize(capacity, &mut b)
                    .ok()
                    .map(|()| crate::rewards::to_hex(&b))
            },
            location,
        }
    }
}

/// Epoch `e` runs from `genesis_ts + e · epoch_length_s`; times are the chain's, estimated
/// as wall time plus the offset seen at the last refresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochClock {
    pub genesis_ts: i64,
    pub epoch_length_s: u32,
    pub chain_minus_wall_s: i64,
}

impl EpochClock {
    pub fn chain_now(&self) -> i64 {
        wall_now().saturating_add(self.chain_minus_wall_s)
    }

    /// The epoch at chain time `t` (0 before genesis).
    pub fn epoch_at(&self, t: i64) -> u64 {
        let len = i64::from(self.epoch_length_s.max(1));
        u64::try_from(t.saturating_sub(self.genesis_ts).max(0) / len).unwrap_or(0)
    }

    pub fn start_of(&self, epoch: u64) -> i64 {
        let e = i64::try_from(epoch).unwrap_or(i64::MAX);
        self.genesis_ts
            .saturating_add(e.saturating_mul(i64::from(self.epoch_length_s)))
    }

    /// Receipts are taken for the current epoch, and the previous one for `grace_s` after
    /// it ended.
    pub fn is_open(&self, epoch: u64, now: i64, grace_s: u32) -> bool {
        let current = self.epoch_at(now);
        epoch == current
            || (epoch.checked_add(1) == Some(current)
                && now < self.start_of(current).saturating_add(i64::from(grace_s)))
    }
}

pub fn wall_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrySnapshot {
    pub network: String,
    pub clock: EpochClock,
    /// Device key (base58) → entry.
    pub devices: BTreeMap<String, DeviceEntry>,
    pub refreshed_at: i64,
}

/// A lookup-friendly form of the snapshot.
#[derive(Debug, Clone)]
pub struct Registry {
    pub network: [u8; 32],
    pub clock: EpochClock,
    pub devices: std::collections::HashMap<[u8; 32], Device>,
}

#[derive(Debug, Clone, Copy)]
pub struct Device {
    pub node: [u8; 32],
    pub active: bool,
    pub max_work: u64,
    pub capacity: Option<Capacity>,
    pub location: u64,
}

impl Registry {
    pub fn from_snapshot(s: &RegistrySnapshot) -> Result<Self> {
        let network = super::receipts::parse_key(&s.network)?;
        let mut devices = std::collections::HashMap::with_capacity(s.devices.len());
        for (k, e) in &s.devices {
            devices.insert(
                super::receipts::parse_key(k)?,
                Device {
                    node: super::receipts::parse_key(&e.node)?,
                    active: e.active,
                    max_work: e.max_work,
                    capacity: match &e.capacity {
                        Some(h) => Some(
                            crate::rewards::bytes_from_hex(h)
                                .ok()
                                .and_then(|b| {
                                    <Capacity as anchor_lang::AnchorDeserialize>::try_from_slice(&b)
                                        .ok()
                                })
                                .with_context(|| format!("the stored capacity of device {k}"))?,
                        ),
                        None => None,
                    },
                    location: e.location,
                },
            );
        }
        Ok(Registry {
            network,
            clock: s.clock,
            devices,
        })
    }

    /// Device key → node address, for the nodes the rewards tree names.
    pub fn node_of(&self, device: &[u8; 32]) -> Option<Device> {
        self.devices.get(device).copied()
    }
}

/// Reads the network's nodes and oracle set from chain.
pub fn load(t: &dyn Transport, network: &Pubkey, limits: &WorkLimits) -> Result<RegistrySnapshot> {
    load_with(t, network, limits, &mut None, None)
}

/// [`load`], reading a compressed network's nodes through `indexer` (opened on first use,
/// its events replayed from and kept in `store`, then synced with the cluster).
/// Decommissioned compressed nodes are left out, as closed node accounts are.
pub fn load_with(
    t: &dyn Transport,
    network: &Pubkey,
    limits: &WorkLimits,
    indexer: &mut Option<crate::indexer::Indexer>,
    store: Option<&dyn super::store::Store>,
) -> Result<RegistrySnapshot> {
    let set = crate::verifier::oracle_set(t, network)
        .context("reading the oracle set (its epoch clock)")?;
    let chain_now = t.unix_time().context("reading the cluster clock")?;
    let n = crate::accounts::fetch::<node_registry::state::Network>(t, "network", network)?
        .with_context(|| format!("network {network} does not exist"))?;
    let devices = if n.compressed_tree.is_some() {
        if indexer.is_none() {
            let mut ix = crate::indexer::Indexer::open(t, network)?;
            if let Some(s) = store {
                ix.load(s).context("replaying the stored tree events")?;
            }
            *indexer = Some(ix);
        }
        let ix = indexer.as_mut().context("the indexer is missing")?;
        if let Err(e) = ix.sync(t, store) {
            if ix.is_broken() {
                // the next refresh starts over from the store and the cluster
                *indexer = None;
            }
            return Err(e.context("syncing the compressed network's tree"));
        }
        ix.nodes()
            .into_iter()
            .filter(|(_, _, node)| !crate::indexer::is_decommissioned(node))
            .map(|(_, device, node)| {
                (
                    device.to_string(),
                    DeviceEntry::of(
                        &crate::pda::node(network, &device).0,
                        node.status == NodeStatus::Active,
                        &node.capacity,
                        node.location,
                        limits,
                    ),
                )
            })
            .collect()
    } else {
        let nodes = crate::accounts::nodes_of(t, network).context("reading the network's nodes")?;
        nodes
            .into_iter()
            .map(|(address, n)| {
                (
                    n.device_key.to_string(),
                    DeviceEntry::of(
                        &address,
                        n.status == NodeStatus::Active,
                        &n.capacity,
                        n.location,
                        limits,
                    ),
                )
            })
            .collect()
    };
    Ok(RegistrySnapshot {
        network: network.to_string(),
        clock: EpochClock {
            genesis_ts: set.genesis_ts,
            epoch_length_s: set.epoch_length_s,
            chain_minus_wall_s: chain_now.saturating_sub(wall_now()),
        },
        devices,
        refreshed_at: wall_now(),
    })
}

/// Keys of synthetic devices for load tests and benchmarks (never hold value with them).
pub fn synthetic_device(i: u64) -> solana_keypair::Keypair {
    let mut secret = [0x5au8; 32];
    secret[..8].copy_from_slice(&i.to_le_bytes());
    solana_keypair::Keypair::new_from_array(secret)
}

/// The network synthetic devices belong to.
pub fn synthetic_network() -> Pubkey {
    crate::pda::network("synthetic").0
}

/// A registry of `n` synthetic active devices on [`synthetic_network`], epochs of
/// `epoch_length_s` from the unix epoch on the wall clock.
pub fn synthetic(n: u64, epoch_length_s: u32, max_work: u64) -> RegistrySnapshot {
    use solana_signer::Signer;
    let network = synthetic_network();
    let devices = (0..n)
        .map(|i| {
            let key = synthetic_device(i).pubkey();
            (
                key.to_string(),
                DeviceEntry {
                    node: crate::pda::node(&network, &key).0.to_string(),
                    active: true,
                    max_work,
                    capacity: None,
                    location: 0,
                },
            )
        })
        .collect();
    RegistrySnapshot {
        network: network.to_string(),
        clock: EpochClock {
            genesis_ts: 0,
            epoch_length_s,
            chain_minus_wall_s: 0,
        },
        devices,
        refreshed_at: wall_now(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epochs_open_with_grace() {
        let c = EpochClock {
            genesis_ts: 1_000,
            epoch_length_s: 100,
            chain_minus_wall_s: 0,
        };
        assert_eq!(c.epoch_at(999), 0);
        assert_eq!(c.epoch_at(1_250), 2);
        assert!(c.is_open(2, 1_250, 30));
        assert!(!c.is_open(1, 1_250, 30), "past the grace period");
        assert!(c.is_open(1, 1_210, 30), "within the grace period");
        assert!(!c.is_open(3, 1_250, 30), "a future epoch");
        assert!(!c.is_open(0, 1_210, 30));
    }

    #[test]
    fn limits_follow_capacity() {
        let l = WorkLimits::default();
        assert_eq!(
            l.max_work(&Capacity::Hotspot {
                radios: 2,
                antenna_gain_dbi_x10: 30,
                elevation_m: 5
            }),
            200_000
        );
        assert_eq!(l.max_work(&Capacity::Storage { bytes: 4 << 30 }), 4_000);
        assert_eq!(
            l.max_work(&Capacity::Other { units: u64::MAX }),
            i64::MAX as u64
        );
    }
}
