//! One event per state change, emitted through the program log.
use crate::state::{Capacity, CompressedChange, CompressedNode, NodeStatus, TreeLeaf};
use anchor_lang::prelude::*;

/// Emits `event` as Anchor's `emit!` does ("Program data: <discriminator + Borsh>").
///
/// On SBF this is the same `sol_log_data` syscall. Compiled for the host, Anchor's version
/// drops the data; this one hands it to the syscall stubs instead, where the embedded
/// runtime records it as the VM would, so events are tested natively too.
#[inline(always)]
pub fn emit<E: anchor_lang::Event>(event: E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    anchor_lang::compat::solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

#[event]
pub struct NetworkCreated {
    pub network: Pubkey,
    pub name: String,
    pub authority: Pubkey,
    pub token_mint: Pubkey,
    pub credits_mint: Pubkey,
}

#[event]
pub struct NetworkUpdated {
    pub network: Pubkey,
    pub onboarding_fee_credits: u64,
    pub location_fee_credits: u64,
    pub attestation_window_s: u32,
    pub operator: Option<Pubkey>,
    pub paused: bool,
}

#[event]
pub struct AuthorityProposed {
    pub network: Pubkey,
    pub authority: Pubkey,
    pub proposed: Option<Pubkey>,
}

#[event]
pub struct AuthorityAccepted {
    pub network: Pubkey,
    pub previous: Pubkey,
    pub authority: Pubkey,
}

#[event]
pub struct MakerAdded {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub maker_key: Pubkey,
    pub attestation_key: Pubkey,
    pub device_cap: Option<u64>,
}

#[event]
pub struct MakerUpdated {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub attestation_key: Pubkey,
    pub device_cap: Option<u64>,
    pub active: bool,
}

#[event]
pub struct MakerRevoked {
    pub network: Pubkey,
    pub maker: Pubkey,
}

#[event]
pub struct NodeRegistered {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub owner: Pubkey,
    pub maker: Pubkey,
    pub capacity: Capacity,
    pub fee_burned: u64,
    /// Registrations of this device so far (1 at the first).
    pub registration: u32,
}

#[event]
pub struct LocationAsserted {
    pub network: Pubkey,
    pub node: Pubkey,
    pub location: u64,
    pub location_changes: u16,
    pub fee_burned: u64,
}

#[event]
pub struct MakerReactivated {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub attestation_key: Pubkey,
}

#[event]
pub struct NodeTransferProposed {
    pub network: Pubkey,
    pub node: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
pub struct NodeTransferCancelled {
    pub node: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
    pub by: Pubkey,
}

#[event]
pub struct NodeTransferred {
    pub network: Pubkey,
    pub node: Pubkey,
    pub from: Pubkey,
    pub to: Pubkey,
}

#[event]
pub struct NodeStatusChanged {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub status: NodeStatus,
    pub by: Pubkey,
    /// Whether a node account existed (otherwise only the device record changed).
    pub node_registered: bool,
}

#[event]
pub struct NodeDecommissioned {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub owner: Pubkey,
}

/// A network went compressed: its nodes are leaves of `tree` (sentinel at leaf 0).
#[event]
pub struct CompressedTreeCreated {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub max_depth: u32,
    pub max_buffer: u32,
    pub canopy_depth: u32,
    /// The root with the sentinel in place.
    pub root: [u8; 32],
}

/// A compressed node was registered: its leaf appended at `index` and its low leaf relinked
/// at `low_index`. Emitted through Anchor's event CPI (an inner instruction, which logs
/// cannot truncate), with everything an indexer needs to rebuild both leaves.
#[event]
pub struct CompressedNodeWritten {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub index: u32,
    pub leaf: TreeLeaf,
    /// The node the leaf's `data` commits to.
    pub node: CompressedNode,
    pub low_index: u32,
    /// The low leaf as it is now (its link points to `index`).
    pub low_leaf: TreeLeaf,
    /// The tree's root and sequence number after both writes.
    pub root: [u8; 32],
    pub seq: u64,
    pub fee_burned: u64,
}

/// A compressed node's leaf was replaced (status, location, owner, decommissioning): the
/// leaf and node as they are now. Emitted through Anchor's event CPI.
#[event]
pub struct CompressedNodeUpdated {
    pub network: Pubkey,
    pub tree: Pubkey,
    pub index: u32,
    pub leaf: TreeLeaf,
    pub node: CompressedNode,
    pub change: CompressedChange,
    pub root: [u8; 32],
    pub seq: u64,
}
