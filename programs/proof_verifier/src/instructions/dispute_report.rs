use crate::{
    error::ProofError,
    events::ReportDisputed,
    seeds,
    state::{EpochReport, OracleSet},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Accounts: `signer` (an oracle of the set or the network authority), `network`,
/// `oracle_set`, `report` (mut). A disputed report never finalises; the authority voids it.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct DisputeReport<'info> {
    pub signer: Signer<'info>,
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(seeds = [seeds::ORACLES, network.key().as_ref()], bump = oracle_set.bump)]
    pub oracle_set: Box<Account<'info, OracleSet>>,
    #[account(
        mut,
        seeds = [seeds::REPORT, network.key().as_ref(), &epoch.to_le_bytes()],
        bump = report.bump,
    )]
    pub report: Box<Account<'info, EpochReport>>,
}

impl DisputeReport<'_> {
    pub fn validate(&self) -> Result<()> {
        let signer = self.signer.key();
        require!(
            signer == self.network.authority || self.oracle_set.index_of(&signer).is_some(),
            ProofError::NotDisputeAuthority
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let a = ctx.accounts;
        a.report.dispute()?;
        crate::events::emit(ReportDisputed {
            network: a.report.network,
            epoch: a.report.epoch,
            by: a.signer.key(),
        });
        Ok(())
    }
}
