//! `register_node`: the owner's wallet registers a device in one transaction.
//!
//! Transaction shape (indexes relative to this instruction, which sits at `i`):
//! - `i - 2`: ed25519 precompile, maker's attestation key over
//!   `depin_core::attestation::maker_attestation_message(network, device_key, capacity)`
//!   (`capacity`: the Borsh bytes of [`Capacity`], so the factory vouches for the class
//!   and figures, not the owner)
//! - `i - 1`: ed25519 precompile, the device key over
//!   `depin_core::attestation::device_consent_message(network, owner, nonce)`
//! - `i`: this instruction. Anything may come before `i - 2` (compute budget, etc.).
//!
//! Both precompile instructions must use the canonical single-signature layout with all
//! data inside themselves; the runtime verified the signatures, this checks key and bytes.
//!
//! The device's permanent record (`Device`) is created at its first registration and
//! consulted at every later one: a suspended device stays out, a consent nonce is used
//! once, a device counts once against its maker's cap and stays with that maker.
use super::pda_account::{create_pda_account, is_uncreated};
use super::{fees::CreditsAccounts, signatures};
use crate::{
    error::RegistryError,
    events::NodeRegistered,
    seeds,
    state::{Capacity, Device, Maker, Network, Node, NodeStatus},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterNodeArgs {
    pub device_key: Pubkey,
    /// Signing time of the device consent, unix seconds.
    pub nonce: u64,
    /// Class and capacity exactly as the maker attested them.
    pub capacity: Capacity,
    /// The most credits the owner agrees to burn; refused (`FeeAboveMaximum`) when the
    /// network's onboarding fee is higher at execution time.
    pub max_fee_credits: u64,
}

/// Accounts: `owner` (signer, pays rent and the fee, becomes the node owner), `network`
/// (mut), `maker` (mut, of `network`), `device` (mut, PDA `[DEVICE, network, device_key]`,
/// created at the first registration), `node` (new PDA `[NODE, network, device_key]`),
/// `credits_mint` (mut, the network's), `owner_credits` (mut, owner's credits account),
/// `instructions` (the instructions sysvar), token and system programs.
#[derive(Accounts)]
#[instruction(args: RegisterNodeArgs)]
pub struct RegisterNode<'info> {
    #[account(mut)]
    pub owner: Signer<'info>,
    #[account(mut)]
    pub network: Box<Account<'info, Network>>,
    #[account(mut, has_one = network @ RegistryError::WrongNetwork)]
    pub maker: Box<Account<'info, Maker>>,
    /// CHECK: the device's permanent record (canonical bump found here): created by the
    /// handler at the first registration, otherwise read and checked as a `Device`.
    #[account(
        mut,
        seeds = [seeds::DEVICE, network.key().as_ref(), args.device_key.as_ref()],
        bump,
    )]
    pub device: UncheckedAccount<'info>,
    /// CHECK: the node PDA (canonical bump found here); `validate` requires it not to exist
    /// yet (`NodeAlreadyRegistered`) and the handler creates it. Creating it by hand rather
    /// than with Anchor's `init` saves about 3,000 CU (docs/compute-units.md).
    #[account(
        mut,
        seeds = [seeds::NODE, network.key().as_ref(), args.device_key.as_ref()],
        bump,
    )]
    pub node: UncheckedAccount<'info>,
    /// CHECK: the network's credits mint (address) owned by `token_program` (checked in
    /// `CreditsAccounts::check`); read by the token program itself.
    #[account(mut, address = network.credits_mint @ RegistryError::WrongCreditsMint)]
    pub credits_mint: UncheckedAccount<'info>,
    /// CHECK: the owner's credits token account; `CreditsAccounts::check` reads its mint,
    /// owner and balance in place (cheaper than unpacking Token-2022 extensions).
    #[account(mut)]
    pub owner_credits: UncheckedAccount<'info>,
    /// CHECK: the address is the instructions sysvar; read with `depin_core`.
    #[account(address = signatures::INSTRUCTIONS_SYSVAR_ID)]
    pub instructions: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl<'info> RegisterNode<'info> {
    pub fn validate(&self, args: &RegisterNodeArgs) -> Result<()> {
        require!(
            self.network.compressed_tree.is_none(),
            RegistryError::NetworkIsCompressed
        );
        require!(
            is_uncreated(&self.node),
            RegistryError::NodeAlreadyRegistered
        );
        self.network.check_registration(
            args.max_fee_credits,
            &args.capacity,
            args.nonce,
            Clock::get()?.unix_timestamp,
        )?;
        self.credits().check(self.network.onboarding_fee_credits)?;
        self.verify_signatures(args)
    }

    fn credits(&self) -> CreditsAccounts<'_, 'info> {
        CreditsAccounts {
            token_program: &self.token_program,
            credits_mint: &self.credits_mint,
            owner_credits: &self.owner_credits,
            owner: &self.owner,
        }
    }

    fn verify_signatures(&self, args: &RegisterNodeArgs) -> Result<()> {
        signatures::verify_registration(
            &self.instructions,
            &self.network.key(),
            &self.maker.attestation_key,
            Some(&args.device_key),
            &args.capacity,
            &self.owner.key(),
            args.nonce,
        )
        .map(|_| ())
    }

    /// Checks and updates the device's permanent record, creating it (and counting the
    /// device against its maker's cap) at the first registration. Returns the number of
    /// registrations so far.
    fn record_device(&mut self, args: &RegisterNodeArgs, bump: u8, now: i64) -> Result<u32> {
        let maker = self.maker.key();
        let device_info = self.device.to_account_info();
        if is_uncreated(&device_info) {
            self.maker.count_new_device()?;
            let network = self.network.key();
            let signer: &[&[u8]] = &[
                seeds::DEVICE,
                network.as_ref(),
                args.device_key.as_ref(),
                &[bump],
            ];
            create_pda_account(
                &self.owner.to_account_info(),
                &device_info,
                Device::SPACE,
                signer,
            )?;
            let record = Device {
                device_key: args.device_key,
                maker,
                last_consent_nonce: args.nonce,
                status: NodeStatus::Active,
                registrations: 1,
                first_registered_at: now,
                bump,
            };
            record.try_serialize(&mut &mut device_info.try_borrow_mut_data()?[..])?;
            return Ok(1);
        }
        require_keys_eq!(
            *device_info.owner,
            crate::ID,
            RegistryError::WrongDeviceRecord
        );
        self.maker.require_active()?;
        let mut data = device_info.try_borrow_mut_data()?;
        let mut record = Device::try_deserialize(&mut &data[..])
            .map_err(|_| error!(RegistryError::WrongDeviceRecord))?;
        record.reregister(&maker, args.nonce)?;
        record.try_serialize(&mut &mut data[..])?;
        Ok(record.registrations)
    }

    pub fn handler(ctx: Context<Self>, args: RegisterNodeArgs) -> Result<()> {
        let accounts = ctx.accounts;
        let now = Clock::get()?.unix_timestamp;
        let registration = accounts.record_device(&args, ctx.bumps.device, now)?;
        let fee = accounts.network.onboarding_fee_credits;
        accounts.credits().burn(fee)?;
        let network_key = accounts.network.key();
        let bump = ctx.bumps.node;
        let signer: &[&[u8]] = &[
            seeds::NODE,
            network_key.as_ref(),
            args.device_key.as_ref(),
            &[bump],
        ];
        create_pda_account(
            &accounts.owner.to_account_info(),
            &accounts.node.to_account_info(),
            Node::SPACE,
            signer,
        )?;
        let network = &mut accounts.network;
        network.node_count = network
            .node_count
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        let node = Node {
            owner: accounts.owner.key(),
            maker: accounts.maker.key(),
            device_key: args.device_key,
            location: 0,
            capacity: args.capacity,
            status: NodeStatus::Active,
            registered_at: now,
            location_changes: 0,
            bump,
        };
        node.try_serialize(&mut &mut accounts.node.try_borrow_mut_data()?[..])?;
        crate::events::emit(NodeRegistered {
            network: network_key,
            node: accounts.node.key(),
            device_key: args.device_key,
            owner: accounts.owner.key(),
            maker: accounts.maker.key(),
            capacity: args.capacity,
            fee_burned: fee,
            registration,
        });
        Ok(())
    }
}
