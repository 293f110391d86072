//! depin-kit client library: PDAs, instruction builders made from the programs' own Anchor
//! types, signing of maker and device attestations, a [`transport::Transport`] with an RPC
//! and an embedded (in-process runtime) implementation, and the `depin` CLI.
#![allow(clippy::result_large_err)]

pub mod accounts;
mod anchor_codes;
pub mod attest;
pub mod cli;
pub mod compressed;
pub mod config;
pub mod demo;
pub mod demo_sectors;
pub mod emissions;
pub mod errors;
pub mod indexer;
pub mod ix;
pub mod lookup;
pub mod oracle;
pub mod par;
pub mod pda;
pub mod registry;
pub mod rewards;
pub mod sectors;
pub mod settlement;
pub mod simulate;
pub mod tokens;
pub mod transport;
pub mod txcodec;
pub mod verifier;

pub use anchor_lang::prelude::Pubkey;
pub use node_registry;
