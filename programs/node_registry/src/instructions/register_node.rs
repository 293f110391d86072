//! `register_node`: the owner's wallet registers a device in one transaction.
//!
//! Transaction shape (indexes relative to this instruction, which sits at `i`):
//! - `i - 2`: ed25519 precompile, maker's attestation key over
//!   `depin_core::attestation::maker_attestation_message(network, device_key)`
//! - `i - 1`: ed25519 precompile, the device key over
//!   `depin_core::attestation::device_consent_message(network, owner, nonce)`
//! - `i`: this instruction. Anything may come before `i - 2` (compute budget, etc.).
//!
//! Both precompile instructions must use the canonical single-signature layout with all
//! data inside themselves; the runtime verified the signatures, this checks key and bytes.
use super::{fees::CreditsAccounts, signatures};
use crate::{
    error::RegistryError,
    events::NodeRegistered,
    seeds,
    state::{Capacity, Maker, Network, Node, NodeStatus, MAX_CONSENT_SKEW_S},
};
use anchor_lang::prelude::*;
use anchor_lang::solana_program::program::{invoke, invoke_signed};
use anchor_lang::solana_program::system_instruction;
use anchor_spl::token_interface::TokenInterface;
use depin_core::attestation::{
    consent_nonce_is_fresh, device_consent_message, maker_attestation_message,
};
use depin_core::instructions_sysvar::current_index;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct RegisterNodeArgs {
    pub device_key: Pubkey,
    /// Signing time of the device consent, unix seconds.
    pub nonce: u64,
    pub capacity: Capacity,
}

/// Accounts: `owner` (signer, pays rent and the fee, becomes the node owner), `network`
/// (mut), `maker` (mut, of `network`), `node` (new PDA `[NODE, network, device_key]`),
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
            self.node.data_is_empty() && self.node.owner == &System::id(),
            RegistryError::NodeAlreadyRegistered
        );
        require!(!self.network.paused, RegistryError::NetworkPaused);
        args.capacity.validate()?;
        let now = Clock::get()?.unix_timestamp;
        require!(
            consent_nonce_is_fresh(
                args.nonce,
                now,
                self.network.attestation_window_s,
                MAX_CONSENT_SKEW_S
            ),
            RegistryError::StaleDeviceConsent
        );
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
        let data = self.instructions.try_borrow_data()?;
        let here = current_index(&data).ok_or(RegistryError::MissingSignatureInstruction)?;
        let maker_at = here
            .checked_sub(2)
            .ok_or(RegistryError::MissingSignatureInstruction)?;
        let network = self.network.key().to_bytes();
        let device = args.device_key.to_bytes();

        let maker_sig = signatures::signed_message_at(&data, maker_at)?;
        require!(
            *maker_sig.public_key == self.maker.attestation_key.to_bytes(),
            RegistryError::WrongMakerKey
        );
        require!(
            maker_sig.message == maker_attestation_message(&network, &device),
            RegistryError::WrongMakerMessage
        );

        let device_sig = signatures::signed_message_at(&data, maker_at + 1)?;
        require!(
            *device_sig.public_key == device,
            RegistryError::WrongDeviceKey
        );
        let expected = device_consent_message(&network, &self.owner.key().to_bytes(), args.nonce);
        require!(
            device_sig.message == expected,
            RegistryError::WrongDeviceMessage
        );
        Ok(())
    }

    /// Creates the node account (rent-exempt, owned by this program), signed by its seeds.
    /// An address someone already sent lamports to is topped up, allocated and assigned
    /// instead, so pre-funding cannot block a registration.
    fn create_node_account(&self, device_key: &Pubkey, bump: u8) -> Result<()> {
        let rent = Rent::get()?.minimum_balance(Node::SPACE);
        let network = self.network.key();
        let signer: &[&[u8]] = &[seeds::NODE, network.as_ref(), device_key.as_ref(), &[bump]];
        let (owner, node) = (self.owner.to_account_info(), self.node.to_account_info());
        let space = Node::SPACE as u64;
        let current = node.lamports();
        if current == 0 {
            let ix =
                system_instruction::create_account(owner.key, node.key, rent, space, &crate::ID);
            invoke_signed(&ix, &[owner, node], &[signer])?;
        } else {
            if rent > current {
                let ix = system_instruction::transfer(owner.key, node.key, rent - current);
                invoke(&ix, &[owner, node.clone()])?;
            }
            invoke_signed(
                &system_instruction::allocate(node.key, space),
                std::slice::from_ref(&node),
                &[signer],
            )?;
            invoke_signed(
                &system_instruction::assign(node.key, &crate::ID),
                &[node],
                &[signer],
            )?;
        }
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: RegisterNodeArgs) -> Result<()> {
        let accounts = ctx.accounts;
        accounts.maker.record_attestation()?;
        let fee = accounts.network.onboarding_fee_credits;
        accounts.credits().burn(fee)?;
        accounts.create_node_account(&args.device_key, ctx.bumps.node)?;
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
            registered_at: Clock::get()?.unix_timestamp,
            location_changes: 0,
            bump: ctx.bumps.node,
        };
        node.try_serialize(&mut &mut accounts.node.try_borrow_mut_data()?[..])?;
        emit!(NodeRegistered {
            network: network.key(),
            node: accounts.node.key(),
            device_key: args.device_key,
            owner: accounts.owner.key(),
            maker: accounts.maker.key(),
            capacity: args.capacity,
            fee_burned: fee,
        });
        Ok(())
    }
}
