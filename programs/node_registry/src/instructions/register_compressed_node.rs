//! `register_compressed_node`: the owner's wallet registers a device of a compressed
//! network, as a leaf of its tree.
//!
//! The transaction is shaped as for `register_node` (the maker's attestation at `i - 2`, the
//! device's consent at `i - 1`), and the same signatures, consent window, maker standing and
//! cap and fee burn apply. With its proof it exceeds a legacy transaction's 1,232 bytes, so
//! clients send it as a v0 transaction with an address lookup table holding the static
//! accounts (docs/compressed-registry.md).
//!
//! The device key is the signer of the device consent; the arguments do not repeat it (32
//! bytes of a transaction with little room left).
//!
//! One node per device: the client proves the device's *low leaf* (the leaf with the
//! largest smaller key, whose link points past the device), which shows the device is not
//! in the tree. The program links the low leaf to the new leaf (a replace with that proof)
//! and appends the new leaf, whose data it computes itself from the checked fields. The
//! proof may be built on a root up to the changelog's length old: registrations built on
//! one root land in one slot unless they share a low leaf, and then the later ones fail
//! with `LeafContentsModified` (the client fetches a fresh proof).
use super::{fees::CreditsAccounts, signatures};
use crate::{
    error::RegistryError,
    events::CompressedNodeWritten,
    state::{Capacity, CompressedNode, Maker, Network, NodeStatus, TreeLeaf},
    tree::TreeAccount,
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;
use depin_core::node_tree::{self, TreeError};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterCompressedNodeArgs {
    /// Signing time of the device consent, unix seconds.
    pub nonce: u64,
    /// Class and capacity exactly as the maker attested them.
    pub capacity: Capacity,
    /// The most credits the owner agrees to burn (`FeeAboveMaximum` when the fee is higher).
    pub max_fee_credits: u64,
    /// The root the proof was built on (the current one or one in the changelog).
    pub root: [u8; 32],
    /// The device's low leaf and its index.
    pub low_index: u32,
    pub low_leaf: TreeLeaf,
    /// Siblings of the low leaf from the leaf up, those below the canopy only.
    pub proof: Vec<[u8; 32]>,
}

/// Accounts: `owner` (signer, pays the fee, becomes the node owner), `network` (mut,
/// compressed), `maker` (mut, of `network`), `tree` (mut, the network's tree account),
/// `credits_mint` (mut), `owner_credits` (mut), `instructions` (sysvar), `token_program`,
/// then Anchor's event-CPI accounts (`event_authority`, `program`).
#[event_cpi]
#[derive(Accounts)]
pub struct RegisterCompressedNode<'info> {
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
    /// CHECK: the network's tree (address), owned by this program; contents by `TreeAccount`.
    #[account(mut, owner = crate::ID @ RegistryError::WrongTreeOwner)]
    pub tree: UncheckedAccount<'info>,
    /// CHECK: the network's credits mint (address) owned by `token_program`.
    #[account(mut, address = network.credits_mint @ RegistryError::WrongCreditsMint)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: the owner's credits token account; checked in place by `CreditsAccounts`.
    #[account(mut)]
    pub owner_credits: UncheckedAccount<'info>,
    /// CHECK: the address is the instructions sysvar.
    #[account(address = signatures::INSTRUCTIONS_SYSVAR_ID)]
    pub instructions: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
}

/// The registry error of a refused tree rule.
pub fn tree_rule_error(e: TreeError) -> Error {
    match e {
        TreeError::AlreadyRegistered => RegistryError::NodeAlreadyRegistered,
        TreeError::NotTheLowLeaf => RegistryError::NotTheLowLeaf,
        TreeError::ReservedDevice => RegistryError::ReservedDeviceKey,
        TreeError::TreeFull => RegistryError::TreeFull,
        TreeError::BadDepth | TreeError::NoSuchLeaf => RegistryError::LeafIndexOutOfBounds,
    }
    .into()
}

impl<'info> RegisterCompressedNode<'info> {
    /// Checks everything but the tree; returns the device key (the consent's signer).
    pub fn validate(&self, args: &RegisterCompressedNodeArgs) -> Result<Pubkey> {
        match self.network.compressed_tree {
            None => return err!(RegistryError::NetworkNotCompressed),
            Some(t) => require_keys_eq!(t, self.tree.key(), RegistryError::WrongTree),
        }
        self.network.check_registration(
            args.max_fee_credits,
            &args.capacity,
            args.nonce,
            Clock::get()?.unix_timestamp,
        )?;
        self.credits().check(self.network.onboarding_fee_credits)?;
        signatures::verify_registration(
            &self.instructions,
            &self.network.key(),
            &self.maker.attestation_key,
            None,
            &args.capacity,
            &self.owner.key(),
            args.nonce,
        )
    }

    fn credits(&self) -> CreditsAccounts<'_, 'info> {
        CreditsAccounts {
            token_program: &self.token_program,
            credits_mint: &self.credits_mint,
            owner_credits: &self.owner_credits,
            owner: &self.owner,
        }
    }

    pub fn handler(ctx: Context<Self>, args: RegisterCompressedNodeArgs) -> Result<()> {
        let device_key = ctx.accounts.validate(&args)?;
        let now = Clock::get()?.unix_timestamp;
        ctx.accounts.maker.count_new_device()?;
        let node = CompressedNode {
            owner: ctx.accounts.owner.key(),
            maker: ctx.accounts.maker.key(),
            capacity: args.capacity,
            location: 0,
            status: NodeStatus::Active,
            registered_at: now,
            consent_nonce: args.nonce,
            location_changes: 0,
        };
        let network_key = ctx.accounts.network.key();
        let (low_after, new_leaf, low_written, new_written) = {
            let mut data = ctx.accounts.tree.try_borrow_mut_data()?;
            let mut tree = TreeAccount::load(&mut data, &network_key)?;
            let low_before = args.low_leaf.to_leaf();
            let new_index = tree.next_index()?;
            let (low_after, new_leaf) = node_tree::insert(
                &low_before,
                &device_key.to_bytes(),
                new_index,
                node.data_hash()?,
            )
            .map_err(tree_rule_error)?;
            let low_written = tree.replace(
                args.root,
                args.low_index,
                &low_before,
                &low_after,
                &args.proof,
            )?;
            let new_written = tree.append(&new_leaf)?;
            (low_after, new_leaf, low_written, new_written)
        };
        let fee = ctx.accounts.network.onboarding_fee_credits;
        ctx.accounts.credits().burn(fee)?;
        let network = &mut ctx.accounts.network;
        network.node_count = network
            .node_count
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        emit_cpi!(CompressedNodeWritten {
            network: network_key,
            tree: ctx.accounts.tree.key(),
            index: new_written.index,
            leaf: TreeLeaf::from_leaf(&new_leaf),
            node,
            low_index: low_written.index,
            low_leaf: TreeLeaf::from_leaf(&low_after),
            root: new_written.root,
            seq: new_written.seq,
            fee_burned: fee,
        });
        Ok(())
    }
}
