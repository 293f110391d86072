//! PDA seeds, in one place.

/// `[NETWORK, name]` → [`crate::state::Network`]
pub const NETWORK: &[u8] = b"network";
/// `[MAKER, network, maker_key]` → [`crate::state::Maker`]
pub const MAKER: &[u8] = b"maker";
/// `[NODE, network, device_key]` → [`crate::state::Node`]
pub const NODE: &[u8] = b"node";
