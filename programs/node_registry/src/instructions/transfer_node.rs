use crate::{
    error::RegistryError,
    events::NodeTransferred,
    seeds,
    state::{Network, Node},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, current owner), `network`, `node` (mut, PDA of `network`).
/// A suspended node cannot change hands until the network reactivates it.
#[derive(Accounts)]
pub struct TransferNode<'info> {
    pub owner: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        has_one = owner @ RegistryError::NotNodeOwner,
    )]
    pub node: Box<Account<'info, Node>>,
}

impl TransferNode<'_> {
    pub fn validate(&self, new_owner: Pubkey) -> Result<()> {
        require!(!self.network.paused, RegistryError::NetworkPaused);
        self.node.require_active()?;
        require_keys_neq!(new_owner, self.node.owner, RegistryError::SameOwner);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, new_owner: Pubkey) -> Result<()> {
        let node = &mut ctx.accounts.node;
        let from = node.owner;
        node.owner = new_owner;
        emit!(NodeTransferred {
            network: ctx.accounts.network.key(),
            node: node.key(),
            from,
            to: new_owner,
        });
        Ok(())
    }
}
