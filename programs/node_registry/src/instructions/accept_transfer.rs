use crate::{
    error::RegistryError,
    events::NodeTransferred,
    seeds,
    state::{Device, Network, Node, TransferOffer},
};
use anchor_lang::prelude::*;

/// Accounts: `new_owner` (signer, the offer's recipient), `network`, `device` (the node's
/// device record), `node` (mut, PDA of `network`), `offer` (mut, `[TRANSFER, node]`,
/// closed), `proposer` (mut, `offer.from`, receives the offer's rent).
///
/// The offer must still describe the node as it is: proposed by its current owner, for
/// this registration of the device (a decommission and re-registration voids it).
#[derive(Accounts)]
pub struct AcceptTransfer<'info> {
    pub new_owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        seeds = [seeds::DEVICE, network.key().as_ref(), node.device_key.as_ref()],
        bump = device.bump,
    )]
    pub device: Box<Account<'info, Device>>,
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(
        mut,
        close = proposer,
        seeds = [seeds::TRANSFER, node.key().as_ref()],
        bump = offer.bump,
    )]
    pub offer: Box<Account<'info, TransferOffer>>,
    /// CHECK: receives the offer's rent; must be the proposer recorded in it.
    #[account(mut, address = offer.from @ RegistryError::StaleTransferOffer)]
    pub proposer: UncheckedAccount<'info>,
}

impl AcceptTransfer<'_> {
    pub fn validate(&self) -> Result<()> {
        require!(!self.network.paused, RegistryError::NetworkPaused);
        self.node.require_active()?;
        require_keys_eq!(
            self.offer.to,
            self.new_owner.key(),
            RegistryError::NotTransferParty
        );
        require!(
            self.offer.node == self.node.key()
                && self.offer.from == self.node.owner
                && self.offer.registration == self.device.registrations,
            RegistryError::StaleTransferOffer
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let node = &mut ctx.accounts.node;
        let from = node.owner;
        node.owner = ctx.accounts.new_owner.key();
        crate::events::emit(NodeTransferred {
            network: ctx.accounts.network.key(),
            node: node.key(),
            from,
            to: node.owner,
        });
        Ok(())
    }
}
