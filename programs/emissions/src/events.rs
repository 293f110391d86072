//! One event per state change.
use anchor_lang::prelude::*;

/// Emits `event` as Anchor's `emit!` does; see `node_registry::events::emit` for why.
#[inline(always)]
pub fn emit<E: anchor_lang::Event>(event: E) {
    let data = event.data();
    #[cfg(target_os = "solana")]
    anchor_lang::solana_program::log::sol_log_data(&[&data]);
    #[cfg(not(target_os = "solana"))]
    anchor_lang::compat::solana_sysvar::program_stubs::sol_log_data(&[&data]);
}

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
    pub minted: u64,
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
