//! One event per state change (and one per verified receipt).
use anchor_lang::prelude::*;

/// The same `emit` as node_registry's (events visible natively too).
pub use node_registry::events::emit;

#[event]
pub struct OracleSetChanged {
    pub network: Pubkey,
    pub oracles: Vec<Pubkey>,
    pub threshold: u8,
    pub challenge_period_s: u32,
    pub version: u32,
}

#[event]
pub struct ReportSubmitted {
    pub network: Pubkey,
    pub epoch: u64,
    pub round: u32,
    pub root: [u8; 32],
    pub total_work: u64,
    pub node_count: u32,
    pub submitter: Pubkey,
    pub approvals: u8,
}

#[event]
pub struct ReportApproved {
    pub network: Pubkey,
    pub epoch: u64,
    pub oracle: Pubkey,
    pub approvals: u8,
}

#[event]
pub struct ReportDisputed {
    pub network: Pubkey,
    pub epoch: u64,
    pub by: Pubkey,
}

#[event]
pub struct ReportVoided {
    pub network: Pubkey,
    pub epoch: u64,
    pub root: [u8; 32],
    pub next_round: u32,
}

#[event]
pub struct ReportFinalized {
    pub network: Pubkey,
    pub epoch: u64,
    pub root: [u8; 32],
    pub total_work: u64,
    pub node_count: u32,
}

#[event]
pub struct ReceiptVerified {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub epoch: u64,
    pub work_units: u64,
    pub nonce: u64,
}

/// An epoch's challenges were opened: every challenge of the epoch derives from `seed`.
#[event]
pub struct ChallengesOpened {
    pub network: Pubkey,
    pub epoch: u64,
    pub slot: u64,
    pub seed: [u8; 32],
    pub opened_by: Pubkey,
}

/// A storage node committed (or replaced) its data root.
#[event]
pub struct StorageCommitted {
    pub network: Pubkey,
    pub node: Pubkey,
    pub root: [u8; 32],
    pub size_bytes: u64,
    pub chunk_bytes: u32,
    pub slot: u64,
    pub version: u32,
}

/// One challenged chunk was proven against the node's committed root (an audit record).
#[event]
pub struct StorageChunkVerified {
    pub network: Pubkey,
    pub node: Pubkey,
    pub epoch: u64,
    pub challenge: u32,
    pub chunk_index: u64,
    pub root: [u8; 32],
}
