//! `commit_storage`: a storage node's owner commits the merkle root of the node's chunks.
use crate::{error::ProofError, events::StorageCommitted, seeds, state::StorageCommitment};
use anchor_lang::prelude::*;
use depin_core::sectors::storage;
use node_registry::state::{Capacity, Network, Node, NodeStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct StorageCommitArgs {
    /// Root of the positional chunk tree (`depin_core::sectors::storage`).
    pub root: [u8; 32],
    pub size_bytes: u64,
    pub chunk_bytes: u32,
}

/// Accounts: `owner` (signer, the node's owner, pays rent the first time), `network`,
/// `node` (an active storage `Node` of `network`), `commitment` (PDA `[STORAGE, node]`,
/// created on the first commitment, replaced by later ones), `system_program`.
///
/// Invariants: the size is non-zero and at most the node's declared storage; the tree has
/// at most 2^40 chunks. A new commitment counts from the next epoch whose seed comes from a
/// later slot (`StorageCommitment::counts_for`).
#[derive(Accounts)]
pub struct CommitStorage<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        seeds = [node_registry::seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        seeds::program = node_registry::ID,
        constraint = node.owner == owner.key() @ ProofError::NotNodeOwner,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(
        init_if_needed,
        payer = owner,
        space = StorageCommitment::SPACE,
        seeds = [seeds::STORAGE, node.key().as_ref()],
        bump,
    )]
    pub commitment: Box<Account<'info, StorageCommitment>>,
    pub system_program: Program<'info, System>,
}

impl CommitStorage<'_> {
    pub fn validate(&self, args: &StorageCommitArgs) -> Result<()> {
        require!(
            self.node.status == NodeStatus::Active,
            ProofError::NodeNotActive
        );
        let Capacity::Storage { bytes } = self.node.capacity else {
            return err!(ProofError::NotStorageNode);
        };
        require!(
            args.size_bytes > 0
                && args.chunk_bytes > 0
                && storage::depth_for(storage::chunk_count(args.size_bytes, args.chunk_bytes))
                    <= storage::MAX_DEPTH,
            ProofError::InvalidCommitment
        );
        require!(
            args.size_bytes <= bytes,
            ProofError::CommitmentExceedsCapacity
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: StorageCommitArgs) -> Result<()> {
        let a = ctx.accounts;
        let clock = Clock::get()?;
        let version = a
            .commitment
            .version
            .checked_add(1)
            .ok_or(ProofError::ArithmeticOverflow)?;
        let (network, node) = (a.network.key(), a.node.key());
        a.commitment.set_inner(StorageCommitment {
            network,
            node,
            root: args.root,
            size_bytes: args.size_bytes,
            chunk_bytes: args.chunk_bytes,
            committed_slot: clock.slot,
            committed_at: clock.unix_timestamp,
            version,
            bump: ctx.bumps.commitment,
        });
        crate::events::emit(StorageCommitted {
            network,
            node,
            root: args.root,
            size_bytes: args.size_bytes,
            chunk_bytes: args.chunk_bytes,
            slot: clock.slot,
            version,
        });
        Ok(())
    }
}
