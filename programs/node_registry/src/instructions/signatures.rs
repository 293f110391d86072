//! Reading ed25519 precompile instructions of the running transaction.
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use depin_core::ed25519::{parse_single, LayoutError, SignedMessage};
use depin_core::instructions_sysvar::instruction_at;

pub const ED25519_PROGRAM_ID: Pubkey = pubkey!("Ed25519SigVerify111111111111111111111111111");
pub const INSTRUCTIONS_SYSVAR_ID: Pubkey = pubkey!("Sysvar1nstructions1111111111111111111111111");

/// The key and message of the single-signature ed25519 instruction at `index`. The runtime
/// has already verified the signature; this checks it signs bytes of its own instruction.
pub fn signed_message_at(sysvar_data: &[u8], index: u16) -> Result<SignedMessage<'_>> {
    let ix =
        instruction_at(sysvar_data, index).ok_or(RegistryError::MissingSignatureInstruction)?;
    require!(
        ix.program_id == ED25519_PROGRAM_ID.as_array(),
        RegistryError::MissingSignatureInstruction
    );
    parse_single(ix.data).map_err(|e| {
        match e {
            LayoutError::ForeignInstruction => RegistryError::ForeignSignatureData,
            _ => RegistryError::NonCanonicalSignatureInstruction,
        }
        .into()
    })
}
