use crate::{error::ProofError, events::OracleSetChanged, seeds, state::OracleSet};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// The members and the challenge period; epoch timing never changes once set.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct UpdateOracleSetArgs {
    pub oracles: Vec<Pubkey>,
    pub threshold: u8,
    pub challenge_period_s: u32,
}

/// Accounts: `authority` (signer, the network's authority), `network`, `oracle_set` (mut).
/// Reports submitted under the previous set no longer collect approvals or finalise: their
/// approvals name positions in the old list.
#[derive(Accounts)]
pub struct UpdateOracleSet<'info> {
    pub authority: Signer<'info>,
    #[account(
        has_one = authority @ ProofError::NotNetworkAuthority,
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::ORACLES, network.key().as_ref()],
        bump = oracle_set.bump,
    )]
    pub oracle_set: Box<Account<'info, OracleSet>>,
}

impl UpdateOracleSet<'_> {
    pub fn validate(&self, args: &UpdateOracleSetArgs) -> Result<()> {
        OracleSet::check_members(&args.oracles, args.threshold)?;
        OracleSet::check_timing(self.oracle_set.epoch_length_s, args.challenge_period_s)
    }

    pub fn handler(ctx: Context<Self>, args: UpdateOracleSetArgs) -> Result<()> {
        let set = &mut ctx.accounts.oracle_set;
        set.oracles = args.oracles;
        set.threshold = args.threshold;
        set.challenge_period_s = args.challenge_period_s;
        set.version = set
            .version
            .checked_add(1)
            .ok_or(ProofError::ArithmeticOverflow)?;
        crate::events::emit(OracleSetChanged {
            network: set.network,
            oracles: set.oracles.clone(),
            threshold: set.threshold,
            challenge_period_s: set.challenge_period_s,
            version: set.version,
        });
        Ok(())
    }
}
