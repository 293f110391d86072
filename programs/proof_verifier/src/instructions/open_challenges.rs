use crate::{
    error::ProofError,
    events::ChallengesOpened,
    hasher::Syscall,
    seeds,
    state::{EpochChallenges, OracleSet},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// The `SlotHashes` sysvar: `u64` count, then `(slot u64, hash [u8; 32])` newest first.
pub const SLOT_HASHES_ID: Pubkey = pubkey!("SysvarS1otHashes111111111111111111111111111");

/// Accounts: `payer` (signer, pays rent), `network` (node_registry `Network`), `oracle_set`
/// (`[ORACLES, network]`), `challenges` (new PDA `[CHALLENGES, network, epoch_le]`),
/// `slot_hashes` (the sysvar), `system_program`. Permissionless; the epoch must have begun
/// and not ended. The seed is the newest slot hash at the time, so the caller chooses only
/// when to open, never what the seed is; and as the first opening wins, waiting for a
/// favourable hash means racing everyone who opens at the epoch's start.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct OpenChallenges<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(seeds = [seeds::ORACLES, network.key().as_ref()], bump = oracle_set.bump)]
    pub oracle_set: Box<Account<'info, OracleSet>>,
    #[account(
        init,
        payer = payer,
        space = EpochChallenges::SPACE,
        seeds = [seeds::CHALLENGES, network.key().as_ref(), &epoch.to_le_bytes()],
        bump,
    )]
    pub challenges: Box<Account<'info, EpochChallenges>>,
    /// CHECK: the address is the sysvar's; its data is read as laid out above.
    #[account(address = SLOT_HASHES_ID)]
    pub slot_hashes: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

/// The newest `(slot, hash)` of `SlotHashes` data.
pub fn newest_slot_hash(data: &[u8]) -> Option<(u64, [u8; 32])> {
    let count = u64::from_le_bytes(data.get(..8)?.try_into().ok()?);
    if count == 0 {
        return None;
    }
    let slot = u64::from_le_bytes(data.get(8..16)?.try_into().ok()?);
    let hash: [u8; 32] = data.get(16..48)?.try_into().ok()?;
    Some((slot, hash))
}

impl OpenChallenges<'_> {
    pub fn validate(&self, epoch: u64) -> Result<()> {
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= self.oracle_set.epoch_start(epoch)?,
            ProofError::EpochNotStarted
        );
        require!(
            now < self.oracle_set.epoch_end(epoch)?,
            ProofError::EpochOver
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, epoch: u64) -> Result<()> {
        let a = ctx.accounts;
        let (slot, slot_hash) = {
            let data = a.slot_hashes.try_borrow_data()?;
            newest_slot_hash(&data).ok_or(ProofError::NoSlotHash)?
        };
        let network = a.network.key();
        let seed = depin_core::sectors::epoch_seed::<Syscall>(
            &network.to_bytes(),
            epoch,
            slot,
            &slot_hash,
        );
        a.challenges.set_inner(EpochChallenges {
            network,
            epoch,
            slot,
            slot_hash,
            seed,
            opened_at: Clock::get()?.unix_timestamp,
            bump: ctx.bumps.challenges,
        });
        crate::events::emit(ChallengesOpened {
            network,
            epoch,
            slot,
            seed,
            opened_by: a.payer.key(),
        });
        Ok(())
    }
}
