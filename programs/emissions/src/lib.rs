//! # emissions
//!
//! A network's reward token: an emission schedule (halving or per-epoch decay, tail floor,
//! max supply, splits), `finalize_epoch` minting each epoch's amount through a windowed
//! circuit breaker once proof_verifier's report for the epoch is final, and cumulative
//! merkle claims that pay a node's current owner. See `README.md` beside this crate.
#![allow(clippy::result_large_err)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use depin_sbf_builtins as _;

pub mod error;
pub mod events;
pub mod hasher;
pub mod instructions;
pub mod seeds;
pub mod state;

pub use error::EmissionsError;
pub use instructions::*;
pub use state::*;

declare_id!("8Z7ykQe82hcj6zUnAhTbGS8a89KGqJKXCBmokSgtVLZ8");

#[program]
pub mod emissions {
    use super::*;

    /// Creates the network's schedule and rewards vault; the mint's authority must already
    /// be this program's authority PDA `["authority", network]`.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize(ctx: Context<Initialize>, args: ScheduleArgs) -> Result<()> {
        Initialize::handler(ctx, args)
    }

    /// Anyone: mints epoch `epoch`'s amount once its report is final, records its root.
    #[access_control(ctx.accounts.validate(epoch))]
    pub fn finalize_epoch(ctx: Context<FinalizeEpoch>, epoch: u64) -> Result<()> {
        FinalizeEpoch::handler(ctx, epoch)
    }

    /// Anyone: creates a node's claim record (once, before its first claim).
    pub fn open_claim(ctx: Context<OpenClaim>) -> Result<()> {
        OpenClaim::handler(ctx)
    }

    /// Anyone: pays a node's owner its cumulative reward less what was already paid.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn claim(ctx: Context<Claim>, args: ClaimArgs) -> Result<()> {
        Claim::handler(ctx, args)
    }

    /// Anyone: records a compressed node's owner and standing from a proof of its leaf in
    /// node_registry's tree (creating its claim record the first time).
    pub fn prove_compressed_node(
        ctx: Context<ProveCompressedNode>,
        node: node_registry::state::NodeProof,
    ) -> Result<()> {
        ProveCompressedNode::handler(ctx, node)
    }

    /// Anyone: pays a compressed node's proven owner, if its leaf is unchanged since.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn claim_compressed(ctx: Context<ClaimCompressed>, args: ClaimArgs) -> Result<()> {
        ClaimCompressed::handler(ctx, args)
    }
}
