//! Maker attestations and device consents: the two ed25519 signatures `register_node` needs.
//!
//! A maker signs once per device (at manufacturing); the device signs when its owner
//! onboards it. Both travel as ed25519 precompile instructions right before `register_node`.
use anchor_lang::prelude::Pubkey;
use anchor_lang::AnchorSerialize;
use depin_core::attestation::{device_consent_message, maker_attestation_message};
use node_registry::state::Capacity;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;

/// A signature with the key and the exact bytes it covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedStatement {
    pub signer: Pubkey,
    pub message: Vec<u8>,
    pub signature: Signature,
}

impl SignedStatement {
    /// Whether the signature is valid for `signer` over `message`.
    pub fn verify(&self) -> bool {
        self.signature.verify(self.signer.as_ref(), &self.message)
    }

    /// The ed25519 precompile instruction that proves this statement on chain.
    pub fn to_instruction(&self) -> Instruction {
        let sig: [u8; 64] = self.signature.into();
        solana_ed25519_program::new_ed25519_instruction_with_signature(
            &self.message,
            &sig,
            &self.signer.to_bytes(),
        )
    }
}

/// The bytes a maker signs: network, device key and the device's class and capacity (the
/// Borsh encoding of [`Capacity`], as `register_node` re-encodes it on chain).
pub fn maker_statement(network: &Pubkey, device_key: &Pubkey, capacity: &Capacity) -> Vec<u8> {
    let capacity = capacity_bytes(capacity);
    maker_attestation_message(&network.to_bytes(), &device_key.to_bytes(), &capacity)
        .map(|m| m.as_bytes().to_vec())
        .unwrap_or_default()
}

/// The Borsh encoding of a capacity (what the maker attestation carries).
pub fn capacity_bytes(capacity: &Capacity) -> Vec<u8> {
    let mut out = Vec::with_capacity(16);
    // Writing into a Vec cannot fail.
    let _ = capacity.serialize(&mut out);
    out
}

pub fn device_statement(network: &Pubkey, owner: &Pubkey, nonce: u64) -> Vec<u8> {
    device_consent_message(&network.to_bytes(), &owner.to_bytes(), nonce).to_vec()
}

/// The maker's attestation key vouches for `device_key` in `network`, built with `capacity`.
pub fn sign_maker_attestation(
    attestation_key: &Keypair,
    network: &Pubkey,
    device_key: &Pubkey,
    capacity: &Capacity,
) -> SignedStatement {
    let message = maker_statement(network, device_key, capacity);
    SignedStatement {
        signer: attestation_key.pubkey(),
        signature: attestation_key.sign_message(&message),
        message,
    }
}

/// The device consents to registration under `owner`; `nonce` is the signing time.
pub fn sign_device_consent(
    device: &Keypair,
    network: &Pubkey,
    owner: &Pubkey,
    nonce: u64,
) -> SignedStatement {
    let message = device_statement(network, owner, nonce);
    SignedStatement {
        signer: device.pubkey(),
        signature: device.sign_message(&message),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precompile_instruction_is_canonical() {
        let maker = Keypair::new();
        let capacity = Capacity::Storage { bytes: 1 << 40 };
        let s = sign_maker_attestation(
            &maker,
            &Pubkey::new_unique(),
            &Pubkey::new_unique(),
            &capacity,
        );
        assert_eq!(s.message.len(), 75 + 9);
        assert_eq!(&s.message[75..], &capacity_bytes(&capacity)[..]);
        assert!(s.verify());
        let ix = s.to_instruction();
        let parsed = depin_core::ed25519::parse_single(&ix.data).unwrap();
        assert_eq!(parsed.public_key, &maker.pubkey().to_bytes());
        assert_eq!(parsed.message, &s.message[..]);
        let sig: [u8; 64] = s.signature.into();
        assert_eq!(
            ix.data,
            depin_core::ed25519::encode_single(&maker.pubkey().to_bytes(), &sig, &s.message)
        );
        let mut bad = s.clone();
        bad.message[20] ^= 1;
        assert!(!bad.verify());
    }
}
