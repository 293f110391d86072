pub mod claim;
pub mod finalize_epoch;
pub mod initialize;
pub mod open_claim;

pub use claim::*;
pub use finalize_epoch::*;
pub use initialize::*;
pub use open_claim::*;
