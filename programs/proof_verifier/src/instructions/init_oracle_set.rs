use crate::{error::ProofError, events::OracleSetChanged, seeds, state::OracleSet};
use anchor_lang::prelude::*;
use node_registry::state::Network;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct OracleSetArgs {
    pub oracles: Vec<Pubkey>,
    pub threshold: u8,
    /// Start of epoch 0 (unix seconds).
    pub genesis_ts: i64,
    pub epoch_length_s: u32,
    pub challenge_period_s: u32,
}

/// Accounts: `authority` (signer, the node_registry network's authority, pays rent),
/// `network` (node_registry `Network`, owner and PDA checked), `oracle_set` (new PDA
/// `[ORACLES, network]`), `system_program`.
#[derive(Accounts)]
pub struct InitOracleSet<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        has_one = authority @ ProofError::NotNetworkAuthority,
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        init,
        payer = authority,
        space = OracleSet::SPACE,
        seeds = [seeds::ORACLES, network.key().as_ref()],
        bump,
    )]
    pub oracle_set: Box<Account<'info, OracleSet>>,
    pub system_program: Program<'info, System>,
}

impl InitOracleSet<'_> {
    pub fn validate(&self, args: &OracleSetArgs) -> Result<()> {
        OracleSet::check_members(&args.oracles, args.threshold)?;
        OracleSet::check_timing(args.epoch_length_s, args.challenge_period_s)
    }

    pub fn handler(ctx: Context<Self>, args: OracleSetArgs) -> Result<()> {
        let network = ctx.accounts.network.key();
        let set = &mut ctx.accounts.oracle_set;
        set.set_inner(OracleSet {
            network,
            oracles: args.oracles,
            threshold: args.threshold,
            genesis_ts: args.genesis_ts,
            epoch_length_s: args.epoch_length_s,
            challenge_period_s: args.challenge_period_s,
            version: 1,
            bump: ctx.bumps.oracle_set,
        });
        crate::events::emit(OracleSetChanged {
            network,
            oracles: set.oracles.clone(),
            threshold: set.threshold,
            challenge_period_s: set.challenge_period_s,
            version: set.version,
        });
        Ok(())
    }
}
