pub mod claim;
pub mod claim_compressed;
pub mod finalize_epoch;
pub mod initialize;
pub mod open_claim;
pub mod prove_compressed_node;

pub use claim::*;
pub use claim_compressed::*;
pub use finalize_epoch::*;
pub use initialize::*;
pub use open_claim::*;
pub use prove_compressed_node::*;
