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
    /// Burn-and-mint: each epoch re-mints `bme_share_bps` of the tokens fee_settlement burned
    /// for credits in it, at most `bme_cap_per_epoch` (0 bps: off).
    pub bme_share_bps: u16,
    pub bme_cap_per_epoch: u64,
    /// Re-minted by all finalised epochs (not counted in `emitted_total`, so the curve and
    /// max supply are the schedule's alone; re-mints only replace burned tokens).
    pub reminted_total: u64,
}

/// What `claim` reads of a schedule, straight from the account's bytes: deserialising all
/// 583 bytes costs about 3,000 CU on SBF. Every field before `recent_count` has a fixed
/// size (`Decay` is a tag and a u32 in both variants), so the offsets are constants; a test
/// checks them against Borsh.
pub struct ScheduleView<'a> {
    data: &'a [u8],
}

impl<'a> ScheduleView<'a> {
    pub const NETWORK: usize = 8;
    pub const REWARD_MINT: usize = 40;
    pub const VAULT: usize = 72;
    pub const RECENT: usize = 259;
    pub const RECENT_COUNT: usize = Self::RECENT + RECENT_ROOTS * 40;
    pub const AUTHORITY_BUMP: usize = Self::RECENT_COUNT + 2;

    /// `data` must be an `EmissionSchedule` account's (this program's owner checked by the
    /// caller): the discriminator and size are checked here.
    pub fn new(data: &'a [u8]) -> Result<Self> {
        require!(
            data.len() == EmissionSchedule::SPACE
                && data.get(..8) == Some(EmissionSchedule::DISCRIMINATOR),
            anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch
        );
        Ok(ScheduleView { data })
    }

    fn key(&self, at: usize) -> Pubkey {
        let mut b = [0u8; 32];
        b.copy_from_slice(&self.data[at..at + 32]);
        Pubkey::new_from_array(b)
    }

    pub fn network(&self) -> Pubkey {
        self.key(Self::NETWORK)
    }
    pub fn reward_mint(&self) -> Pubkey {
        self.key(Self::REWARD_MINT)
    }
    pub fn vault(&self) -> Pubkey {
        self.key(Self::VAULT)
    }
    pub fn authority_bump(&self) -> u8 {
        self.data[Self::AUTHORITY_BUMP]
    }

    /// The root recorded for `epoch`, if it is among the recent ones.
    pub fn root_for(&self, epoch: u64) -> Option<[u8; 32]> {
        let count = usize::from(self.data[Self::RECENT_COUNT]).min(RECENT_ROOTS);
        let want = epoch.to_le_bytes();
        (0..count).find_map(|i| {
            let at = Self::RECENT + i * 40;
            (self.data[at..at + 8] == want).then(|| {
                let mut root = [0u8; 32];
                root.copy_from_slice(&self.data[at + 8..at + 40]);
                root
            })
        })
    }
}

impl EmissionSchedule {
    pub const SPACE: usize = 8 + EmissionSchedule::INIT_SPACE;

    /// What `finalize_epoch` re-mints for an epoch whose credit purchases burned `tokens`.
    pub fn remint_for(&self, tokens_burned: u64) -> u64 {
        depin_core::price::bme_remint(tokens_burned, self.bme_share_bps, self.bme_cap_per_epoch)
    }

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

/// What a compressed node's owner has been paid, and who that owner is as last proven from
/// node_registry's tree. PDA `[seeds::CLAIM, node]`, where `node` is the node's address
/// `[NODE, network, device_key]` under node_registry (no account lives there in compressed
/// mode; reward leaves name nodes by that address in both modes).
#[account]
#[derive(InitSpace, Debug)]
pub struct CompressedClaim {
    pub node: Pubkey,
    pub network: Pubkey,
    pub device_key: Pubkey,
    /// Cumulative amount paid out so far.
    pub claimed: u64,
    pub last_epoch: u64,
    /// The node's owner and standing in the leaf proven last, its index, and the tree's
    /// sequence number then: a claim pays this owner only if the changelog shows no write
    /// to the leaf since.
    pub owner: Pubkey,
    pub active: bool,
    pub leaf_index: u32,
    pub proven_seq: u64,
    pub bump: u8,
}

impl CompressedClaim {
    pub const SPACE: usize = 8 + CompressedClaim::INIT_SPACE;
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn schedule_view_offsets_match_borsh() {
        let key = |b: u8| Pubkey::new_from_array([b; 32]);
        let mut recent = [RecentRoot {
            epoch: 0,
            root: [0; 32],
        }; RECENT_ROOTS];
        for (i, r) in recent.iter_mut().enumerate() {
            *r = RecentRoot {
                epoch: 100 + i as u64,
                root: [i as u8 + 1; 32],
            };
        }
        for decay in [
            Decay::Halving { interval_epochs: 7 },
            Decay::PerEpochPpm { ppm: 9 },
        ] {
            let s = EmissionSchedule {
                network: key(1),
                reward_mint: key(2),
                vault: key(3),
                oracle_rewards: key(4),
                treasury: key(5),
                initial_per_epoch: u64::MAX,
                decay,
                tail_per_epoch: 6,
                max_supply: 7,
                operators_bps: 8,
                oracles_bps: 9,
                treasury_bps: 10,
                emitted_total: 11,
                next_epoch: 12,
                epochs_finalized: 13,
                breaker_window_s: 14,
                breaker_threshold: 15,
                breaker_current: 16,
                breaker_last_ts: -17,
                recent,
                recent_count: 5,
                bump: 250,
                authority_bump: 251,
                vault_bump: 252,
                bme_share_bps: 253,
                bme_cap_per_epoch: 254,
                reminted_total: 255,
            };
            let mut data = vec![];
            s.try_serialize(&mut data).unwrap();
            assert_eq!(data.len(), EmissionSchedule::SPACE);
            let v = ScheduleView::new(&data).unwrap();
            assert_eq!(v.network(), s.network);
            assert_eq!(v.reward_mint(), s.reward_mint);
            assert_eq!(v.vault(), s.vault);
            assert_eq!(v.authority_bump(), s.authority_bump);
            for e in 95..115 {
                assert_eq!(v.root_for(e), s.root_for(e), "epoch {e}");
            }
            assert!(v.root_for(104).is_some() && v.root_for(105).is_none());
            assert!(ScheduleView::new(&data[..data.len() - 1]).is_err());
            let mut other = data.clone();
            other[0] ^= 1;
            assert!(ScheduleView::new(&other).is_err());
        }
    }
}
