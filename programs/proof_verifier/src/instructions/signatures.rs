//! Reading ed25519 precompile instructions of the running transaction.
use crate::error::ProofError;
use anchor_lang::prelude::*;
use depin_core::ed25519::{parse_shared, LayoutError, SharedMessage};
use depin_core::instructions_sysvar::{current_index, instruction_at};

pub use node_registry::instructions::signatures::{ED25519_PROGRAM_ID, INSTRUCTIONS_SYSVAR_ID};

fn layout_error(e: LayoutError) -> Error {
    match e {
        LayoutError::ForeignInstruction => ProofError::ForeignSignatureData,
        _ => ProofError::NonCanonicalSignatureInstruction,
    }
    .into()
}

/// The shared-message ed25519 instruction right before the running one. The runtime has
/// verified its signatures; [`parse_shared`] makes sure they cover its own bytes.
pub fn previous_shared(sysvar_data: &[u8]) -> Result<SharedMessage<'_>> {
    let here = current_index(sysvar_data).ok_or(ProofError::MissingSignatureInstruction)?;
    let at = here
        .checked_sub(1)
        .ok_or(ProofError::MissingSignatureInstruction)?;
    let ix = instruction_at(sysvar_data, at).ok_or(ProofError::MissingSignatureInstruction)?;
    require!(
        ix.program_id == ED25519_PROGRAM_ID.as_array(),
        ProofError::MissingSignatureInstruction
    );
    parse_shared(ix.data).map_err(layout_error)
}
