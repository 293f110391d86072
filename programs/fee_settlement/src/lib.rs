//! # fee_settlement
//!
//! Burn-and-mint equilibrium for a depin-kit network: customers burn the network's token at
//! a conservative USD price (Pyth, the network oracles' median, or the lower of both) for
//! non-transferable Token-2022 credits, then burn the credits for usage — directly or
//! through an escrow delegated to a router key and burned by the network's usage authority.
//! Every epoch's tokens burned, credits minted and credits burned are kept in an
//! `EpochUsage` record, which emissions' `finalize_epoch` reads to re-mint a capped share.
//! See `README.md` beside this crate.
#![allow(clippy::result_large_err)]
#![deny(clippy::unwrap_used, clippy::expect_used)]

use anchor_lang::prelude::*;

#[cfg(target_arch = "bpf")]
use depin_sbf_builtins as _;

pub mod credits;
pub mod error;
pub mod events;
pub mod instructions;
pub mod seeds;
pub mod state;
pub mod token_view;

pub use error::SettlementError;
pub use instructions::*;
pub use state::*;

declare_id!("H31ynAPF8gN9izE6pViSpPGt4JLDYKt9Dbm84dbpdcGJ");

#[program]
pub mod fee_settlement {
    use super::*;

    /// The network authority: creates the settlement and the oracle price feed; the credits
    /// mint must already be Token-2022, NonTransferable, with the settlement as authority.
    #[access_control(ctx.accounts.validate(&args))]
    pub fn initialize(ctx: Context<Initialize>, args: SettlementArgs) -> Result<()> {
        Initialize::handler(ctx, args)
    }

    /// The network authority: changes the price rules, the usage authority or the breaker.
    pub fn update_settlement(
        ctx: Context<UpdateSettlement>,
        args: UpdateSettlementArgs,
    ) -> Result<()> {
        UpdateSettlement::handler(ctx, args)
    }

    /// Anyone: creates an epoch's usage record.
    pub fn open_epoch_usage(ctx: Context<OpenEpochUsage>, epoch: u64) -> Result<()> {
        OpenEpochUsage::handler(ctx, epoch)
    }

    /// Anyone: creates the escrow for a router or consumer key.
    pub fn open_escrow(ctx: Context<OpenEscrow>) -> Result<()> {
        OpenEscrow::handler(ctx)
    }

    /// An oracle of the network's set: posts its USD price for the token.
    pub fn post_price(ctx: Context<PostPrice>, price: i64) -> Result<()> {
        PostPrice::handler(ctx, price)
    }

    /// Anyone: burns tokens for credits at the conservative price.
    pub fn mint_credits(ctx: Context<MintCredits>, args: MintCreditsArgs) -> Result<()> {
        MintCredits::handler(ctx, args)
    }

    /// A credits holder: moves credits into a router's escrow.
    pub fn delegate_credits(ctx: Context<DelegateCredits>, amount: u64) -> Result<()> {
        DelegateCredits::handler(ctx, amount)
    }

    /// A credits holder: burns credits for usage.
    pub fn burn_credits(ctx: Context<BurnCredits>, amount: u64) -> Result<()> {
        BurnCredits::handler(ctx, amount)
    }

    /// The usage authority: burns escrowed credits for usage.
    pub fn burn_delegated_credits(ctx: Context<BurnDelegatedCredits>, amount: u64) -> Result<()> {
        BurnDelegatedCredits::handler(ctx, amount)
    }
}
