use crate::{
    error::ProofError,
    events::ReportVoided,
    seeds,
    state::{EpochReport, ReportStatus},
};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Accounts: `authority` (signer, the network's authority), `network`, `report` (mut,
/// disputed; closed), `submitter` (mut, the report's submitter, receives its rent). The
/// epoch can then be submitted again.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct VoidReport<'info> {
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
        close = submitter,
        seeds = [seeds::REPORT, network.key().as_ref(), &epoch.to_le_bytes()],
        bump = report.bump,
    )]
    pub report: Box<Account<'info, EpochReport>>,
    /// CHECK: receives the report's rent; must be its submitter.
    #[account(mut, address = report.submitter @ ProofError::NotAnOracle)]
    pub submitter: UncheckedAccount<'info>,
}

impl VoidReport<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(
            self.report.status == ReportStatus::Disputed,
            ProofError::ReportNotDisputed
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let r = &ctx.accounts.report;
        crate::events::emit(ReportVoided {
            network: r.network,
            epoch: r.epoch,
            root: r.root,
        });
        Ok(())
    }
}
