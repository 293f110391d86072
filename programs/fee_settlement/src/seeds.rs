//! PDA seeds, in one place.

/// `[SETTLEMENT, network]` → [`crate::state::Settlement`]; also the credits mint's authority
/// and the owner of every escrow.
pub const SETTLEMENT: &[u8] = b"settlement";
/// `[ORACLE_PRICES, network]` → [`crate::state::OraclePrices`]
pub const ORACLE_PRICES: &[u8] = b"prices";
/// `[USAGE, network, epoch (u64 LE)]` → [`crate::state::EpochUsage`]
pub const USAGE: &[u8] = b"usage";
/// `[ESCROW, network, router]`: a credits token account owned by the settlement, holding
/// credits delegated to `router` (a consumer or router key) for burns by the usage authority.
pub const ESCROW: &[u8] = b"escrow";
