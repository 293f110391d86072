use crate::{
    error::RegistryError,
    events::NodeTransferProposed,
    seeds,
    state::{Device, Network, Node, TransferOffer},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, node owner, pays the offer's rent), `network`, `device` (the
/// node's device record), `node` (PDA of `network`), `offer` (PDA `[TRANSFER, node]`,
/// created or replaced), `system_program`.
///
/// Nothing changes hands here: the owner keeps full control of the node (and may cancel,
/// replace the offer or decommission, which closes it) until `new_owner` signs
/// `accept_transfer`. Proposing again replaces the recipient: an existing offer is always
/// the current owner's, since acceptance and decommissioning both close it. Not while
/// suspended or paused.
#[derive(Accounts)]
pub struct ProposeTransfer<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        seeds = [seeds::DEVICE, network.key().as_ref(), node.device_key.as_ref()],
        bump = device.bump,
    )]
    pub device: Box<Account<'info, Device>>,
    #[account(
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        has_one = owner @ RegistryError::NotNodeOwner,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(
        init_if_needed,
        payer = owner,
        space = TransferOffer::SPACE,
        seeds = [seeds::TRANSFER, node.key().as_ref()],
        bump,
    )]
    pub offer: Box<Account<'info, TransferOffer>>,
    pub system_program: Program<'info, System>,
}

impl ProposeTransfer<'_> {
    pub fn validate(&self, new_owner: Pubkey) -> Result<()> {
        require!(!self.network.paused, RegistryError::NetworkPaused);
        self.node.require_active()?;
        require_keys_neq!(new_owner, self.node.owner, RegistryError::SameOwner);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, new_owner: Pubkey) -> Result<()> {
        let a = ctx.accounts;
        let offer = TransferOffer {
            node: a.node.key(),
            from: a.owner.key(),
            to: new_owner,
            registration: a.device.registrations,
            proposed_at: Clock::get()?.unix_timestamp,
            bump: ctx.bumps.offer,
        };
        a.offer.set_inner(offer);
        crate::events::emit(NodeTransferProposed {
            network: a.network.key(),
            node: a.node.key(),
            from: a.owner.key(),
            to: new_owner,
        });
        Ok(())
    }
}
