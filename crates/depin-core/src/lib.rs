//! Pure logic shared by the depin-kit programs and the off-chain client.
//!
//! Everything here is `no_std`, allocation-free and panic-free so the same bytes are
//! produced on chain (SBF) and off chain (client, oracle, tests).
#![cfg_attr(not(feature = "std"), no_std)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod attestation;
pub mod ed25519;
pub mod emission;
pub mod h3;
pub mod instructions_sysvar;
pub mod limit;
pub mod merkle;
pub mod names;
pub mod node_tree;
pub mod price;
#[cfg(feature = "std")]
pub mod rewards;
pub mod sectors;
pub mod sha256;
pub mod split;
