//! One event per state change.
use anchor_lang::prelude::*;

/// The same `emit` as node_registry's (events visible natively too).
pub use node_registry::events::emit;

#[event]
pub struct ScheduleInitialized {
    pub network: Pubkey,
    pub reward_mint: Pubkey,
    pub vault: Pubkey,
    pub max_supply: u64,
}

#[event]
pub struct EpochFinalized {
    pub network: Pubkey,
    pub epoch: u64,
    pub root: [u8; 32],
    /// The schedule's amount for the epoch.
    pub minted: u64,
    /// Added back for the epoch's burns (burn-and-mint), split like `minted`.
    pub reminted: u64,
    pub to_operators: u64,
    pub to_oracles: u64,
    pub to_treasury: u64,
    pub emitted_total: u64,
}

#[event]
pub struct RewardsClaimed {
    pub network: Pubkey,
    pub node: Pubkey,
    pub owner: Pubkey,
    pub epoch: u64,
    pub cumulative_amount: u64,
    pub paid: u64,
}

#[event]
pub struct ClaimRecordOpened {
    pub node: Pubkey,
    pub payer: Pubkey,
}

/// A compressed node's owner and standing were proven from node_registry's tree.
#[event]
pub struct CompressedNodeProven {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub owner: Pubkey,
    pub active: bool,
    pub leaf_index: u32,
    pub proven_seq: u64,
}
