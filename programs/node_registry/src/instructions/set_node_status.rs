use crate::{
    error::RegistryError,
    events::NodeStatusChanged,
    seeds,
    state::{Network, Node, NodeStatus},
};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer: the network authority or its operator), `network`,
/// `node` (mut, PDA of `network`).
#[derive(Accounts)]
pub struct SetNodeStatus<'info> {
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
    )]
    pub node: Box<Account<'info, Node>>,
}

impl SetNodeStatus<'_> {
    pub fn validate(&self, status: NodeStatus) -> Result<()> {
        require!(
            self.network.is_status_authority(&self.authority.key()),
            RegistryError::NotStatusAuthority
        );
        require!(self.node.status != status, RegistryError::StatusUnchanged);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, status: NodeStatus) -> Result<()> {
        let node = &mut ctx.accounts.node;
        node.status = status;
        emit!(NodeStatusChanged {
            network: ctx.accounts.network.key(),
            node: node.key(),
            status,
            by: ctx.accounts.authority.key(),
        });
        Ok(())
    }
}
