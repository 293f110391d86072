//! # node_registry
//!
//! The device registry of a depin-kit network: networks, approved hardware makers and nodes.
//! A node is registered by its owner's wallet in one transaction that also carries two ed25519
//! precompile instructions — the maker's attestation of the device key and the device's
//! consent to its owner — so no trusted onboarding server is involved. Fees are paid by
//! burning the network's credits. See `README.md` beside this crate for accounts and flows.
#![allow(clippy::result_large_err)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use anchor_lang::prelude::*;

// memcpy & co. for upstream-LLVM SBPF builds; see crates/sbf-builtins.
#[cfg(target_arch = "bpf")]
use depin_sbf_builtins as _;

pub mod error;
pub mod events;
pub mod instructions;
pub mod seeds;
pub mod state;
pub mod tree;

pub use error::RegistryError;
pub use instructions::*;
pub use state::*;

declare_id!("138fJGHjV2HUAd3uUZDmcdsYP7263Vj7F2XnKejv7Zbp");

#[program]
pub mod node_registry {
    use super::*;

    /// Creates a network named `args.name`; the signer becomes its authority.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_network(ctx: Context<CreateNetwork>, args: CreateNetworkArgs) -> Result<()> {
        CreateNetwork::handler(ctx, args)
    }

    /// Changes the fees, attestation window, status operator or pause flag given (`None`
    /// leaves a setting unchanged).
    #[access_control(UpdateNetwork::validate(&args))]
    pub fn update_network(ctx: Context<UpdateNetwork>, args: UpdateNetworkArgs) -> Result<()> {
        UpdateNetwork::handler(ctx, args)
    }

    /// First step of an authority rotation (`None` cancels a pending proposal).
    pub fn propose_authority(
        ctx: Context<ProposeAuthority>,
        new_authority: Option<Pubkey>,
    ) -> Result<()> {
        ProposeAuthority::handler(ctx, new_authority)
    }

    /// Second step: the proposed key signs and becomes the authority.
    #[access_control(ctx.accounts.validate())]
    pub fn accept_authority(ctx: Context<AcceptAuthority>) -> Result<()> {
        AcceptAuthority::handler(ctx)
    }

    /// Approves a hardware maker whose attestation key may vouch for devices.
    #[access_control(ctx.accounts.validate())]
    pub fn add_maker(ctx: Context<AddMaker>, args: AddMakerArgs) -> Result<()> {
        AddMaker::handler(ctx, args)
    }

    /// Rotates a maker's attestation key and/or changes its device cap (fields given only).
    #[access_control(ctx.accounts.validate(&args))]
    pub fn update_maker(ctx: Context<UpdateMaker>, args: UpdateMakerArgs) -> Result<()> {
        UpdateMaker::handler(ctx, args)
    }

    /// Lets a revoked maker attest devices again.
    #[access_control(ctx.accounts.validate())]
    pub fn reactivate_maker(ctx: Context<ReactivateMaker>) -> Result<()> {
        ReactivateMaker::handler(ctx)
    }

    /// Stops a maker from attesting new devices; registered nodes stay.
    #[access_control(ctx.accounts.validate())]
    pub fn revoke_maker(ctx: Context<RevokeMaker>) -> Result<()> {
        RevokeMaker::handler(ctx)
    }

    /// Registers a device; see [`instructions::register_node`] for the signatures required.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn register_node(ctx: Context<RegisterNode>, args: RegisterNodeArgs) -> Result<()> {
        RegisterNode::handler(ctx, args)
    }

    /// Sets the node's H3 cell, burning the network's location fee (at most `max_fee_credits`).
    #[access_control(ctx.accounts.validate(location, max_fee_credits))]
    pub fn assert_location(
        ctx: Context<AssertLocation>,
        location: u64,
        max_fee_credits: u64,
    ) -> Result<()> {
        AssertLocation::handler(ctx, location)
    }

    /// Offers the node to `new_owner`; the owner keeps control until it is accepted.
    #[access_control(ctx.accounts.validate(new_owner))]
    pub fn propose_transfer(ctx: Context<ProposeTransfer>, new_owner: Pubkey) -> Result<()> {
        ProposeTransfer::handler(ctx, new_owner)
    }

    /// The offer's recipient signs and becomes the node's owner.
    #[access_control(ctx.accounts.validate())]
    pub fn accept_transfer(ctx: Context<AcceptTransfer>) -> Result<()> {
        AcceptTransfer::handler(ctx)
    }

    /// The proposer withdraws the offer, or the recipient declines it.
    #[access_control(ctx.accounts.validate())]
    pub fn cancel_transfer(ctx: Context<CancelTransfer>) -> Result<()> {
        CancelTransfer::handler(ctx)
    }

    /// Suspends or reactivates a device and its node (network authority or its operator);
    /// the standing is kept on the device record and survives decommissioning.
    #[access_control(ctx.accounts.validate(status))]
    pub fn set_node_status(ctx: Context<SetNodeStatus>, status: NodeStatus) -> Result<()> {
        SetNodeStatus::handler(ctx, status)
    }

    /// Closes the node account; its rent goes back to the owner.
    pub fn decommission_node(ctx: Context<DecommissionNode>) -> Result<()> {
        DecommissionNode::handler(ctx)
    }

    /// Puts a network without makers in compressed mode: its nodes become leaves of the
    /// tree account the client created at top level in the same transaction.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn create_compressed_tree(
        ctx: Context<CreateCompressedTree>,
        args: CreateCompressedTreeArgs,
    ) -> Result<()> {
        CreateCompressedTree::handler(ctx, args)
    }

    /// Registers a device of a compressed network as a leaf, with the same signatures as
    /// `register_node` and a proof that the device is not in the tree yet.
    pub fn register_compressed_node(
        ctx: Context<RegisterCompressedNode>,
        args: RegisterCompressedNodeArgs,
    ) -> Result<()> {
        RegisterCompressedNode::handler(ctx, args)
    }

    /// Suspends or reactivates a compressed node (network authority or its operator).
    #[access_control(ctx.accounts.validate(status, &node))]
    pub fn set_compressed_node_status(
        ctx: Context<SetCompressedNodeStatus>,
        status: NodeStatus,
        node: NodeProof,
    ) -> Result<()> {
        SetCompressedNodeStatus::handler(ctx, status, node)
    }

    /// Sets a compressed node's H3 cell, burning the location fee (at most `max_fee_credits`).
    #[access_control(ctx.accounts.validate(location, max_fee_credits, &node))]
    pub fn assert_compressed_location(
        ctx: Context<AssertCompressedLocation>,
        location: u64,
        max_fee_credits: u64,
        node: NodeProof,
    ) -> Result<()> {
        AssertCompressedLocation::handler(ctx, location, node)
    }

    /// Hands a compressed node to `new_owner`; both sign.
    #[access_control(ctx.accounts.validate(&node))]
    pub fn transfer_compressed_node(
        ctx: Context<TransferCompressedNode>,
        node: NodeProof,
    ) -> Result<()> {
        TransferCompressedNode::handler(ctx, node)
    }

    /// Retires a compressed node: the leaf stays, with no owner.
    #[access_control(ctx.accounts.validate(&node))]
    pub fn decommission_compressed_node(
        ctx: Context<DecommissionCompressedNode>,
        node: NodeProof,
    ) -> Result<()> {
        DecommissionCompressedNode::handler(ctx, node)
    }

    /// Succeeds only if the node is in the network's tree as given; returns its fields.
    #[access_control(ctx.accounts.validate())]
    pub fn verify_node(ctx: Context<VerifyNode>, node: NodeProof) -> Result<()> {
        VerifyNode::handler(ctx, node)
    }
}
