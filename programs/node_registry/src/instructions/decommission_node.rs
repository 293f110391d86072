use crate::{
    error::RegistryError,
    events::NodeDecommissioned,
    seeds,
    state::{Network, Node},
};
use anchor_lang::prelude::*;

/// Accounts: `owner` (signer, node owner, receives the rent), `network` (mut), `node`
/// (mut, PDA of `network`; closed). Allowed while suspended or paused: closing never
/// creates rewards or rights, it only ends them.
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
}

impl DecommissionNode<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
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
