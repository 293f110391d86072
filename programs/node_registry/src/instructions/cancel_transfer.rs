use crate::{error::RegistryError, events::NodeTransferCancelled, seeds, state::TransferOffer};
use anchor_lang::prelude::*;

/// Accounts: `signer` (the offer's proposer, or its recipient declining it), `offer` (mut,
/// closed), `proposer` (mut, `offer.from`, receives the rent).
#[derive(Accounts)]
pub struct CancelTransfer<'info> {
    pub signer: Signer<'info>,
    #[account(
        mut,
        close = proposer,
        seeds = [seeds::TRANSFER, offer.node.as_ref()],
        bump = offer.bump,
    )]
    pub offer: Box<Account<'info, TransferOffer>>,
    /// CHECK: receives the offer's rent; must be the proposer recorded in it.
    #[account(mut, address = offer.from @ RegistryError::NotTransferParty)]
    pub proposer: UncheckedAccount<'info>,
}

impl CancelTransfer<'_> {
    pub fn validate(&self) -> Result<()> {
        let signer = self.signer.key();
        require!(
            signer == self.offer.from || signer == self.offer.to,
            RegistryError::NotTransferParty
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let offer = &ctx.accounts.offer;
        crate::events::emit(NodeTransferCancelled {
            node: offer.node,
            from: offer.from,
            to: offer.to,
            by: ctx.accounts.signer.key(),
        });
        Ok(())
    }
}
