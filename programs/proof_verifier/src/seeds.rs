//! PDA seeds, in one place.

/// `[ORACLES, network]` → [`crate::state::OracleSet`]
pub const ORACLES: &[u8] = b"oracles";
/// `[REPORT, network, epoch_le]` → [`crate::state::EpochReport`]
pub const REPORT: &[u8] = b"report";
/// `[CHALLENGES, network, epoch_le]` → [`crate::state::EpochChallenges`]
pub const CHALLENGES: &[u8] = b"challenges";
/// `[STORAGE, node]` → [`crate::state::StorageCommitment`]
pub const STORAGE: &[u8] = b"storage";
