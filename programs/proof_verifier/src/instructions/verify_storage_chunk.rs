//! `verify_storage_chunk`: one challenged chunk of a storage node, proven against its
//! committed root on chain, for disputes and audits.
use crate::{
    error::ProofError,
    events::StorageChunkVerified,
    hasher::Syscall,
    seeds,
    state::{EpochChallenges, StorageCommitment},
};
use anchor_lang::prelude::*;
use depin_core::sectors::storage;
use node_registry::state::{Network, Node};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct StorageChunkArgs {
    pub epoch: u64,
    /// Which of the epoch's challenges (`0..MAX_CHALLENGES`); the chunk index follows from
    /// it, the seed and the device key.
    pub challenge: u32,
    /// The chunk's bytes (the whole chunk, so knowing its hash is not enough).
    pub chunk: Vec<u8>,
    /// Siblings from the leaf up, as many as the committed size's depth.
    pub path: Vec<[u8; 32]>,
}

/// Accounts: `network`, `node` (`Node` of `network`), `commitment` (`[STORAGE, node]`),
/// `challenges` (`[CHALLENGES, network, epoch_le]`, open). Permissionless, changes nothing;
/// the event is the audit record. The commitment must predate the epoch's seed.
///
/// The chunk and its path travel in the instruction, so they must fit one transaction
/// (1,232 bytes): about 900 bytes for `chunk.len() + 32 · depth`, e.g. 256-byte chunks to
/// depth 20 (256 MiB). Larger trees are audited off chain (`depin::sectors`).
#[derive(Accounts)]
#[instruction(args: StorageChunkArgs)]
pub struct VerifyStorageChunk<'info> {
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
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(seeds = [seeds::STORAGE, node.key().as_ref()], bump = commitment.bump)]
    pub commitment: Box<Account<'info, StorageCommitment>>,
    #[account(
        seeds = [seeds::CHALLENGES, network.key().as_ref(), &args.epoch.to_le_bytes()],
        bump = challenges.bump,
    )]
    pub challenges: Box<Account<'info, EpochChallenges>>,
}

impl VerifyStorageChunk<'_> {
    pub fn validate(&self, args: &StorageChunkArgs) -> Result<()> {
        require!(
            args.challenge < storage::MAX_CHALLENGES,
            ProofError::ChallengeOutOfRange
        );
        require!(
            self.commitment.counts_for(&self.challenges),
            ProofError::CommitmentAfterSeed
        );
        Ok(())
    }

    /// The challenged index, and whether the path leads from the chunk there to the root.
    fn check(&self, args: &StorageChunkArgs) -> (u64, bool) {
        let c = &self.commitment;
        let index = storage::challenged_chunk::<Syscall>(
            &self.challenges.seed,
            &self.node.device_key.to_bytes(),
            c.chunks(),
            args.challenge,
        );
        let leaf = storage::chunk_leaf::<Syscall>(&args.chunk);
        let ok = storage::verify_path::<Syscall>(&c.root, &leaf, index, &args.path, c.depth());
        (index, ok)
    }

    pub fn handler(ctx: Context<Self>, args: StorageChunkArgs) -> Result<()> {
        let a = ctx.accounts;
        let (chunk_index, ok) = a.check(&args);
        require!(ok, ProofError::WrongChunkPath);
        crate::events::emit(StorageChunkVerified {
            network: a.network.key(),
            node: a.node.key(),
            epoch: args.epoch,
            challenge: args.challenge,
            chunk_index,
            root: a.commitment.root,
        });
        Ok(())
    }
}
