//! PDA seeds, in one place.

/// `[SCHEDULE, network]` → [`crate::state::EmissionSchedule`]
pub const SCHEDULE: &[u8] = b"schedule";
/// `[AUTHORITY, network]`: mint authority of the reward mint and owner of the vault.
pub const AUTHORITY: &[u8] = b"authority";
/// `[VAULT, network]`: the token account operators' rewards are paid from.
pub const VAULT: &[u8] = b"vault";
/// `[CLAIM, node]` → [`crate::state::ClaimRecord`]
pub const CLAIM: &[u8] = b"claim";
