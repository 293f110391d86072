//! PDA seeds, in one place.

/// `[NETWORK, name]` → [`crate::state::Network`]
pub const NETWORK: &[u8] = b"network";
/// `[MAKER, network, maker_key]` → [`crate::state::Maker`]
pub const MAKER: &[u8] = b"maker";
/// `[NODE, network, device_key]` → [`crate::state::Node`]
pub const NODE: &[u8] = b"node";
/// `[DEVICE, network, device_key]` → [`crate::state::Device`] (never closed)
pub const DEVICE: &[u8] = b"device";
/// `[ATTESTATION_KEY, network, key]` → [`crate::state::AttestationKey`]
pub const ATTESTATION_KEY: &[u8] = b"attestation_key";
/// `[TRANSFER, node]` → [`crate::state::TransferOffer`]
pub const TRANSFER: &[u8] = b"transfer";
