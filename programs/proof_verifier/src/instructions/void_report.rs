use crate::{error::ProofError, events::ReportVoided, seeds, state::EpochReport};
use anchor_lang::prelude::*;
use node_registry::state::Network;

/// Accounts: `authority` (signer, the network's authority), `network`, `report` (mut,
/// disputed). The report becomes `Voided` and the epoch may be reported again: the next
/// report is the next `round`, which its signatures must name, so signatures gathered for a
/// voided report never count again. The account stays (its rent with it).
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
        seeds = [seeds::REPORT, network.key().as_ref(), &epoch.to_le_bytes()],
        bump = report.bump,
    )]
    pub report: Box<Account<'info, EpochReport>>,
}

impl VoidReport<'_> {
    pub fn validate(&self) -> Result<()> {
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let r = &mut ctx.accounts.report;
        r.void()?;
        crate::events::emit(ReportVoided {
            network: r.network,
            epoch: r.epoch,
            root: r.root,
            next_round: r.round,
        });
        Ok(())
    }
}
