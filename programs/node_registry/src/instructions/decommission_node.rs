use super::pda_account::close_account;
use crate::{
    error::RegistryError,
    events::{NodeDecommissioned, NodeTransferCancelled},
    seeds,
    state::{Network, Node, TransferOffer},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, node owner, receives the rent), `network` (mut), `node`
/// (mut, PDA of `network`; closed), `offer` (mut, the node's `[TRANSFER, node]` address:
/// an open transfer offer is closed with it, rent to the owner who proposed it).
///
/// Allowed while suspended or paused: closing never creates rewards or rights, it only ends
/// them. The device's record stays (standing, used consents, maker).
#[derive(Accounts)]
pub struct DecommissionNode<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        close = owner,
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        has_one = owner @ RegistryError::NotNodeOwner,
    )]
    pub node: Box<Account<'info, Node>>,
    /// CHECK: the node's transfer-offer address (seeds); closed here if an offer is open.
    #[account(mut, seeds = [seeds::TRANSFER, node.key().as_ref()], bump)]
    pub offer: UncheckedAccount<'info>,
}

impl DecommissionNode<'_> {
    /// An open offer was made by the current owner (offers close when accepted, and every
    /// owner change goes through acceptance), so its rent goes back to the signer.
    fn close_offer(&self) -> Result<()> {
        let info = self.offer.to_account_info();
        if info.owner != &crate::ID || info.data_is_empty() {
            return Ok(());
        }
        let offer = TransferOffer::try_deserialize(&mut &info.try_borrow_data()?[..])?;
        close_account(&info, &self.owner.to_account_info())?;
        crate::events::emit(NodeTransferCancelled {
            node: offer.node,
            from: offer.from,
            to: offer.to,
            by: self.owner.key(),
        });
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        ctx.accounts.close_offer()?;
        let network = &mut ctx.accounts.network;
        network.node_count = network
            .node_count
            .checked_sub(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        crate::events::emit(NodeDecommissioned {
            network: network.key(),
            node: ctx.accounts.node.key(),
            device_key: ctx.accounts.node.device_key,
            owner: ctx.accounts.owner.key(),
        });
        Ok(())
    }
}
