//! SHA-256 for depin-core's merkle code: proof_verifier's (the `sol_sha256` syscall on
//! chain, the portable implementation natively).
pub use proof_verifier::hasher::Syscall;
