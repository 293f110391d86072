use crate::{
    error::RegistryError,
    events::NodeStatusChanged,
    seeds,
    state::{Device, Network, Node, NodeStatus},
};
use anchor_lang::prelude::*;

/// Accounts: `authority` (signer: the network authority or its operator), `network`,
/// `device` (mut, the device's permanent record), `node` (mut, the device's node PDA,
/// which may no longer exist).
///
/// The standing lives on the device record, so a suspension survives decommissioning and
/// a suspended device cannot register again until it is reactivated here; while the node
/// exists its status is kept equal to the record's.
#[derive(Accounts)]
pub struct SetNodeStatus<'info> {
    pub authority: Signer<'info>,
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::DEVICE, network.key().as_ref(), device.device_key.as_ref()],
        bump = device.bump,
    )]
    pub device: Box<Account<'info, Device>>,
    /// CHECK: the node PDA of `device` (address checked by the seeds); read and written as
    /// a `Node` when it exists, left alone when the node was decommissioned.
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), device.device_key.as_ref()],
        bump,
    )]
    pub node: UncheckedAccount<'info>,
}

impl SetNodeStatus<'_> {
    pub fn validate(&self, status: NodeStatus) -> Result<()> {
        require!(
            self.network.is_status_authority(&self.authority.key()),
            RegistryError::NotStatusAuthority
        );
        require!(self.device.status != status, RegistryError::StatusUnchanged);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, status: NodeStatus) -> Result<()> {
        let a = ctx.accounts;
        a.device.status = status;
        let node_info = a.node.to_account_info();
        let registered = node_info.owner == &crate::ID && !node_info.data_is_empty();
        if registered {
            let mut data = node_info.try_borrow_mut_data()?;
            let mut node = Node::try_deserialize(&mut &data[..])?;
            node.status = status;
            node.try_serialize(&mut &mut data[..])?;
        }
        crate::events::emit(NodeStatusChanged {
            network: a.network.key(),
            node: node_info.key(),
            device_key: a.device.device_key,
            status,
            by: a.authority.key(),
            node_registered: registered,
        });
        Ok(())
    }
}
