//! # proof_verifier
//!
//! The oracles of a depin-kit network: an M-of-N `OracleSet` per network and one
//! `EpochReport` per epoch — the merkle root of every node's cumulative reward, attested by
//! at least M oracles (ed25519 signatures in the submitting transaction and/or approvals in
//! later ones), open to dispute during a challenge period, then final. `verify_receipt`
//! spot-checks one device-signed work receipt on chain. See `README.md` beside this crate.
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

pub use error::ProofError;
pub use instructions::*;
pub use state::*;

declare_id!("27t4A4txVSdoAJLceM35tf4JknfgGZQnyNPyJRxPdNLe");

#[program]
pub mod proof_verifier {
    use super::*;

    /// Creates the network's oracle set; only the node_registry network's authority.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn init_oracle_set(ctx: Context<InitOracleSet>, args: OracleSetArgs) -> Result<()> {
        InitOracleSet::handler(ctx, args)
    }

    /// Replaces the oracles, threshold and challenge period (epoch timing stays).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_oracle_set(
        ctx: Context<UpdateOracleSet>,
        args: UpdateOracleSetArgs,
    ) -> Result<()> {
        UpdateOracleSet::handler(ctx, args)
    }

    /// An oracle submits an epoch's report; its own signature and any ed25519 signatures of
    /// other oracles in the instruction right before count as approvals.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn submit_report(ctx: Context<SubmitReport>, args: SubmitReportArgs) -> Result<()> {
        SubmitReport::handler(ctx, args)
    }

    /// Another oracle approves a pending report (for the same root).
    #[access_control(ctx.accounts.validate(&root))]
    pub fn approve_report(ctx: Context<ApproveReport>, epoch: u64, root: [u8; 32]) -> Result<()> {
        let _ = epoch;
        ApproveReport::handler(ctx)
    }

    /// An oracle or the network authority disputes a pending report: it cannot finalise.
    #[access_control(ctx.accounts.validate())]
    pub fn dispute_report(ctx: Context<DisputeReport>, epoch: u64) -> Result<()> {
        let _ = epoch;
        DisputeReport::handler(ctx)
    }

    /// The network authority voids a disputed report, so a corrected one can be submitted.
    #[access_control(ctx.accounts.validate())]
    pub fn void_report(ctx: Context<VoidReport>, epoch: u64) -> Result<()> {
        let _ = epoch;
        VoidReport::handler(ctx)
    }

    /// Anyone, once the epoch has begun: records its challenge seed from the newest entry of
    /// the `SlotHashes` sysvar; once per epoch.
    #[access_control(ctx.accounts.validate(epoch))]
    pub fn open_challenges(ctx: Context<OpenChallenges>, epoch: u64) -> Result<()> {
        OpenChallenges::handler(ctx, epoch)
    }

    /// Anyone: makes a report final once it has M approvals and its challenge period passed.
    #[access_control(ctx.accounts.validate())]
    pub fn finalize_report(ctx: Context<FinalizeReport>, epoch: u64) -> Result<()> {
        let _ = epoch;
        FinalizeReport::handler(ctx)
    }

    /// Checks one device-signed work receipt of an active node and emits it.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn verify_receipt(ctx: Context<VerifyReceipt>, args: ReceiptArgs) -> Result<()> {
        VerifyReceipt::handler(ctx, args)
    }

    /// A storage node's owner commits the root of its chunk tree, size and chunk size.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn commit_storage(ctx: Context<CommitStorage>, args: StorageCommitArgs) -> Result<()> {
        CommitStorage::handler(ctx, args)
    }

    /// Anyone: proves one challenged chunk of a storage node against its committed root.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn verify_storage_chunk(
        ctx: Context<VerifyStorageChunk>,
        args: StorageChunkArgs,
    ) -> Result<()> {
        VerifyStorageChunk::handler(ctx, args)
    }
}
