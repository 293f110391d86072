pub mod approve_report;
pub mod commit_storage;
pub mod dispute_report;
pub mod finalize_report;
pub mod init_oracle_set;
pub mod open_challenges;
pub mod submit_report;
pub mod update_oracle_set;
pub mod verify_receipt;
pub mod verify_storage_chunk;
pub mod void_report;

pub mod signatures;

pub use approve_report::*;
pub use commit_storage::*;
pub use dispute_report::*;
pub use finalize_report::*;
pub use init_oracle_set::*;
pub use open_challenges::*;
pub use submit_report::*;
pub use update_oracle_set::*;
pub use verify_receipt::*;
pub use verify_storage_chunk::*;
pub use void_report::*;
