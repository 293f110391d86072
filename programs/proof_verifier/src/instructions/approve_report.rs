use crate::{
    error::ProofError,
    events::ReportApproved,
    seeds,
    state::{EpochReport, OracleSet},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Accounts: `oracle` (signer, an oracle of the set), `network`, `oracle_set`, `report`
/// (mut, `[REPORT, network, epoch_le]`). The approval names the root it is for: one for
/// another root never counts toward this report.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct ApproveReport<'info> {
    pub oracle: Signer<'info>,
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

impl ApproveReport<'_> {
    pub fn validate(&self, root: &[u8; 32]) -> Result<()> {
        require!(self.report.root == *root, ProofError::RootMismatch);
        require!(
            self.report.set_version == self.oracle_set.version,
            ProofError::OracleSetChanged
        );
        require!(
            self.oracle_set.index_of(&self.oracle.key()).is_some(),
            ProofError::NotAnOracle
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let a = ctx.accounts;
        let index = a
            .oracle_set
            .index_of(&a.oracle.key())
            .ok_or(ProofError::NotAnOracle)?;
        let now = Clock::get()?.unix_timestamp;
        a.report.approve(index, a.oracle_set.threshold, now)?;
        crate::events::emit(ReportApproved {
            network: a.report.network,
            epoch: a.report.epoch,
            oracle: a.oracle.key(),
            approvals: a.report.approval_count,
        });
        Ok(())
    }
}
