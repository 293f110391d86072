//! `verify_receipt`: the device's ed25519 signature over
//! `depin_core::attestation::work_receipt_message` sits in the instruction right before this
//! one (canonical single-signature layout); the node must be an active node of `network`.
use super::signatures::{previous_shared, INSTRUCTIONS_SYSVAR_ID};
use crate::{error::ProofError, events::ReceiptVerified};
use anchor_lang::prelude::*;
use depin_core::attestation::work_receipt_message;
use node_registry::state::{Network, Node, NodeStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ReceiptArgs {
    pub epoch: u64,
    pub work_units: u64,
    pub nonce: u64,
}

/// Accounts: `network`, `node` (node_registry `Node` of `network`: owner and PDA checked),
/// `instructions` (sysvar). Changes nothing; the event is the audit record.
#[derive(Accounts)]
pub struct VerifyReceipt<'info> {
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
    /// CHECK: the address is the instructions sysvar; read with `depin_core`.
    #[account(address = INSTRUCTIONS_SYSVAR_ID)]
    pub instructions: UncheckedAccount<'info>,
}

impl VerifyReceipt<'_> {
    pub fn validate(&self, args: &ReceiptArgs) -> Result<()> {
        require!(
            self.node.status == NodeStatus::Active,
            ProofError::NodeNotActive
        );
        let data = self.instructions.try_borrow_data()?;
        let signed = previous_shared(&data)?;
        require!(signed.count == 1, ProofError::SignatureCountMismatch);
        let device = self.node.device_key.to_bytes();
        require!(signed.key(0) == Some(&device), ProofError::WrongDeviceKey);
        let expected = work_receipt_message(
            &self.network.key().to_bytes(),
            &device,
            args.epoch,
            args.work_units,
            args.nonce,
        );
        require!(signed.message == expected, ProofError::WrongReceiptMessage);
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: ReceiptArgs) -> Result<()> {
        crate::events::emit(ReceiptVerified {
            network: ctx.accounts.network.key(),
            node: ctx.accounts.node.key(),
            device_key: ctx.accounts.node.device_key,
            epoch: args.epoch,
            work_units: args.work_units,
            nonce: args.nonce,
        });
        Ok(())
    }
}
