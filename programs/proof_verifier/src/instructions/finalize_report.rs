use crate::{
    events::ReportFinalized,
    seeds,
    state::{EpochReport, OracleSet},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Accounts: `network`, `oracle_set`, `report` (mut). Permissionless: the rules are on the
/// report (`EpochReport::finalize`): pending, M approvals under the current set, and the
/// challenge period passed since the M-th approval.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct FinalizeReport<'info> {
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

impl FinalizeReport<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let a = ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        a.report.finalize(&a.oracle_set, now)?;
        let r = &a.report;
        crate::events::emit(ReportFinalized {
            network: r.network,
            epoch: r.epoch,
            root: r.root,
            total_work: r.total_work,
            node_count: r.node_count,
        });
        Ok(())
    }
}
