pub mod claim;
pub mod finalize_epoch;
pub mod initialize;

pub use claim::*;
pub use finalize_epoch::*;
pub use initialize::*;
