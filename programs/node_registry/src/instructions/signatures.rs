//! Reading ed25519 precompile instructions of the running transaction.
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use depin_core::attestation::{
    device_consent_message, maker_attestation_message, MAX_CAPACITY_LEN,
};
use depin_core::ed25519::{parse_single, LayoutError, SignedMessage};
use depin_core::instructions_sysvar::{current_index, instruction_at};

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

/// Checks the two precompile instructions right before the running one: the maker's
/// attestation of (network, device key, capacity) by `attestation_key` at `i - 2`, and the
/// device's consent to (network, owner, nonce) at `i - 1`. See `register_node` for the
/// transaction shape; `register_compressed_node` takes the same.
///
/// `device_key`: the key the caller names (it must sign the consent), or `None` to take
/// the consent's signer as the device. Returns the device key.
pub fn verify_registration(
    instructions: &AccountInfo,
    network: &Pubkey,
    attestation_key: &Pubkey,
    device_key: Option<&Pubkey>,
    capacity: &crate::state::Capacity,
    owner: &Pubkey,
    nonce: u64,
) -> Result<Pubkey> {
    let data = instructions.try_borrow_data()?;
    let here = current_index(&data).ok_or(RegistryError::MissingSignatureInstruction)?;
    let maker_at = here
        .checked_sub(2)
        .ok_or(RegistryError::MissingSignatureInstruction)?;
    let network = network.to_bytes();
    let device = match device_key {
        Some(k) => k.to_bytes(),
        None => *signed_message_at(&data, maker_at + 1)?.public_key,
    };

    let maker_sig = signed_message_at(&data, maker_at)?;
    require!(
        *maker_sig.public_key == attestation_key.to_bytes(),
        RegistryError::WrongMakerKey
    );
    let mut capacity_bytes = [0u8; MAX_CAPACITY_LEN];
    let capacity_len = {
        let mut w = &mut capacity_bytes[..];
        capacity.serialize(&mut w)?;
        MAX_CAPACITY_LEN - w.len()
    };
    let expected = maker_attestation_message(&network, &device, &capacity_bytes[..capacity_len])
        .ok_or(RegistryError::InvalidCapacity)?;
    require!(
        maker_sig.message == expected.as_bytes(),
        RegistryError::WrongMakerMessage
    );

    let device_sig = signed_message_at(&data, maker_at + 1)?;
    require!(
        *device_sig.public_key == device,
        RegistryError::WrongDeviceKey
    );
    let expected = device_consent_message(&network, &owner.to_bytes(), nonce);
    require!(
        device_sig.message == expected,
        RegistryError::WrongDeviceMessage
    );
    Ok(Pubkey::new_from_array(device))
}
