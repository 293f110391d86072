//! One event per state change, emitted through the program log.
use crate::state::{Capacity, NodeStatus};
use anchor_lang::prelude::*;

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
    pub status: NodeStatus,
    pub by: Pubkey,
}

#[event]
pub struct NodeDecommissioned {
    pub network: Pubkey,
    pub node: Pubkey,
    pub device_key: Pubkey,
    pub owner: Pubkey,
}
