//! Account layouts; schedule rules as methods (the math itself is depin-core's).
use crate::error::EmissionsError;
use anchor_lang::prelude::*;
use depin_core::emission::{Decay as CoreDecay, Schedule};
use depin_core::limit::WindowedLimit;
use depin_core::split::bps_of;

pub const BPS: u16 = depin_core::split::BPS;
/// Finalised roots kept for claims: a proof against any of them pays (amounts only grow).
pub const RECENT_ROOTS: usize = 8;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Decay {
    /// Halves every `interval_epochs` epochs (0: never).
    Halving { interval_epochs: u32 },
    /// Falls by `ppm` parts per million each epoch (0: never).
    PerEpochPpm { ppm: u32 },
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub struct RecentRoot {
    pub epoch: u64,
    pub root: [u8; 32],
}

fn core(initial: u64, decay: Decay, tail: u64, max_supply: u64) -> Schedule {
    Schedule {
        initial_per_epoch: initial,
        decay: match decay {
            Decay::Halving { interval_epochs } => CoreDecay::Halving { interval_epochs },
            Decay::PerEpochPpm { ppm } => CoreDecay::PerEpochPpm { ppm },
        },
        tail_per_epoch: tail,
        max_supply,
    }
}

/// The network's emission schedule and its minting state. PDA `[seeds::SCHEDULE, network]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EmissionSchedule {
    pub network: Pubkey,
    pub reward_mint: Pubkey,
    pub vault: Pubkey,
    /// Token accounts receiving the oracles' and the treasury's shares.
    pub oracle_rewards: Pubkey,
    pub treasury: Pubkey,
    pub initial_per_epoch: u64,
    pub decay: Decay,
    pub tail_per_epoch: u64,
    pub max_supply: u64,
    pub operators_bps: u16,
    pub oracles_bps: u16,
    pub treasury_bps: u16,
    /// Minted by all finalised epochs.
    pub emitted_total: u64,
    /// The lowest epoch that may still be finalised (epochs finalise in increasing order).
    pub next_epoch: u64,
    pub epochs_finalized: u64,
    pub breaker_window_s: u64,
    pub breaker_threshold: u64,
    pub breaker_current: u64,
    pub breaker_last_ts: i64,
    /// Ring of the last finalised roots; `recent_count` of them are filled.
    pub recent: [RecentRoot; RECENT_ROOTS],
    pub recent_count: u8,
    pub bump: u8,
    pub authority_bump: u8,
    pub vault_bump: u8,
}

impl EmissionSchedule {
    pub const SPACE: usize = 8 + EmissionSchedule::INIT_SPACE;

    pub fn core(&self) -> Schedule {
        core(
            self.initial_per_epoch,
            self.decay,
            self.tail_per_epoch,
            self.max_supply,
        )
    }

    pub fn core_of(args: &crate::instructions::ScheduleArgs) -> Schedule {
        core(
            args.initial_per_epoch,
            args.decay,
            args.tail_per_epoch,
            args.max_supply,
        )
    }

    fn breaker(&self) -> WindowedLimit {
        WindowedLimit {
            window_s: self.breaker_window_s,
            threshold: self.breaker_threshold,
            current: self.breaker_current,
            last_ts: self.breaker_last_ts,
        }
    }

    /// Mints `amount` through the breaker (state updated only if it passes).
    pub fn consume_breaker(&mut self, now: i64, amount: u64) -> Result<()> {
        let mut b = self.breaker();
        b.consume(now, amount)
            .map_err(|_| error!(EmissionsError::CircuitBreakerTripped))?;
        self.breaker_current = b.current;
        self.breaker_last_ts = b.last_ts;
        Ok(())
    }

    /// The operators', oracles' and treasury's parts of `amount` (rounding to the treasury).
    pub fn split(&self, amount: u64) -> Result<(u64, u64, u64)> {
        let operators = bps_of(amount, self.operators_bps);
        let oracles = bps_of(amount, self.oracles_bps);
        let treasury = amount
            .checked_sub(operators)
            .and_then(|r| r.checked_sub(oracles))
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        Ok((operators, oracles, treasury))
    }

    pub fn record_root(&mut self, epoch: u64, root: [u8; 32]) {
        let at = (self.epochs_finalized % RECENT_ROOTS as u64) as usize;
        if let Some(slot) = self.recent.get_mut(at) {
            *slot = RecentRoot { epoch, root };
        }
        if usize::from(self.recent_count) < RECENT_ROOTS {
            self.recent_count += 1;
        }
    }

    pub fn root_for(&self, epoch: u64) -> Option<[u8; 32]> {
        self.recent
            .iter()
            .take(usize::from(self.recent_count))
            .find(|r| r.epoch == epoch)
            .map(|r| r.root)
    }
}

/// What a node's owner has been paid. PDA `[seeds::CLAIM, node]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct ClaimRecord {
    pub node: Pubkey,
    /// Cumulative amount paid out so far.
    pub claimed: u64,
    pub last_epoch: u64,
    pub bump: u8,
}

impl ClaimRecord {
    pub const SPACE: usize = 8 + ClaimRecord::INIT_SPACE;
}
