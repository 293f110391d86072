//! Account layouts, with the vote rules as methods on the report.
use crate::error::ProofError;
use anchor_lang::prelude::*;

pub const MAX_ORACLES: usize = 16;
pub const MIN_EPOCH_LENGTH_S: u32 = 60;
pub const MAX_EPOCH_LENGTH_S: u32 = 366 * 24 * 3600;
pub const MAX_CHALLENGE_PERIOD_S: u32 = 30 * 24 * 3600;

/// The oracles of a network. PDA `[seeds::ORACLES, network]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct OracleSet {
    pub network: Pubkey,
    #[max_len(16)]
    pub oracles: Vec<Pubkey>,
    /// Approvals a report needs (M of the N oracles).
    pub threshold: u8,
    /// Epoch `e` runs from `genesis_ts + e · epoch_length_s` for `epoch_length_s`.
    pub genesis_ts: i64,
    pub epoch_length_s: u32,
    /// How long a report with M approvals stays open to disputes.
    pub challenge_period_s: u32,
    /// Raised on every change; a report only counts approvals of the set it was made under.
    pub version: u32,
    pub bump: u8,
}

impl OracleSet {
    pub const SPACE: usize = 8 + OracleSet::INIT_SPACE;

    /// 1 ≤ threshold ≤ N ≤ 16, all keys distinct.
    pub fn check_members(oracles: &[Pubkey], threshold: u8) -> Result<()> {
        require!(
            !oracles.is_empty()
                && oracles.len() <= MAX_ORACLES
                && threshold >= 1
                && usize::from(threshold) <= oracles.len(),
            ProofError::InvalidOracleSet
        );
        for (i, k) in oracles.iter().enumerate() {
            require!(!oracles[..i].contains(k), ProofError::DuplicateOracle);
        }
        Ok(())
    }

    pub fn check_timing(epoch_length_s: u32, challenge_period_s: u32) -> Result<()> {
        require!(
            (MIN_EPOCH_LENGTH_S..=MAX_EPOCH_LENGTH_S).contains(&epoch_length_s)
                && challenge_period_s <= MAX_CHALLENGE_PERIOD_S,
            ProofError::InvalidTiming
        );
        Ok(())
    }

    /// The position of `key` in the set.
    pub fn index_of(&self, key: &Pubkey) -> Option<usize> {
        self.oracles.iter().position(|k| k == key)
    }

    /// When epoch `epoch` starts (unix seconds).
    pub fn epoch_start(&self, epoch: u64) -> Result<i64> {
        let offset = epoch
            .checked_mul(u64::from(self.epoch_length_s))
            .and_then(|o| i64::try_from(o).ok())
            .ok_or(ProofError::ArithmeticOverflow)?;
        self.genesis_ts
            .checked_add(offset)
            .ok_or(error!(ProofError::ArithmeticOverflow))
    }

    /// When epoch `epoch` ends (unix seconds).
    pub fn epoch_end(&self, epoch: u64) -> Result<i64> {
        let next = epoch.checked_add(1).ok_or(ProofError::ArithmeticOverflow)?;
        let offset = next
            .checked_mul(u64::from(self.epoch_length_s))
            .and_then(|o| i64::try_from(o).ok())
            .ok_or(ProofError::ArithmeticOverflow)?;
        self.genesis_ts
            .checked_add(offset)
            .ok_or(error!(ProofError::ArithmeticOverflow))
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum ReportStatus {
    Pending,
    Final,
    Disputed,
    /// Voided by the authority after a dispute; the epoch may be reported again (next round).
    Voided,
}

/// One epoch's report. PDA `[seeds::REPORT, network, epoch_le]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochReport {
    pub network: Pubkey,
    pub epoch: u64,
    /// Merkle root of every node's cumulative reward (depin_core::merkle).
    pub root: [u8; 32],
    pub total_work: u64,
    pub node_count: u32,
    /// Bit `i` set: oracle `i` of the set (at `set_version`) approved.
    pub approvals: u16,
    pub approval_count: u8,
    pub set_version: u32,
    /// Reports of this epoch voided before this one; part of the signed message.
    pub round: u32,
    pub status: ReportStatus,
    /// The oracle that submitted it (and paid its rent).
    pub submitter: Pubkey,
    pub submitted_at: i64,
    /// When the threshold was reached (0 before): the challenge period runs from here.
    pub threshold_reached_at: i64,
    pub finalized_at: i64,
    pub bump: u8,
}

impl EpochReport {
    pub const SPACE: usize = 8 + EpochReport::INIT_SPACE;

    /// Counts oracle `index`'s approval once; records when the threshold is reached.
    pub fn approve(&mut self, index: usize, threshold: u8, now: i64) -> Result<()> {
        require!(
            self.status == ReportStatus::Pending,
            ProofError::ReportNotPending
        );
        let bit = 1u16
            .checked_shl(u32::try_from(index).map_err(|_| ProofError::ArithmeticOverflow)?)
            .ok_or(ProofError::ArithmeticOverflow)?;
        require!(self.approvals & bit == 0, ProofError::AlreadyApproved);
        self.approvals |= bit;
        self.approval_count = self
            .approval_count
            .checked_add(1)
            .ok_or(ProofError::ArithmeticOverflow)?;
        if self.approval_count == threshold {
            self.threshold_reached_at = now;
        }
        Ok(())
    }

    /// Final once M approvals stood unchallenged for the challenge period.
    pub fn finalize(&mut self, set: &OracleSet, now: i64) -> Result<()> {
        require!(
            self.status == ReportStatus::Pending,
            ProofError::ReportNotPending
        );
        require!(
            self.set_version == set.version,
            ProofError::OracleSetChanged
        );
        require!(
            self.approval_count >= set.threshold,
            ProofError::NotEnoughApprovals
        );
        let open_until = self
            .threshold_reached_at
            .checked_add(i64::from(set.challenge_period_s))
            .ok_or(ProofError::ArithmeticOverflow)?;
        require!(now >= open_until, ProofError::ChallengePeriodActive);
        self.status = ReportStatus::Final;
        self.finalized_at = now;
        Ok(())
    }

    /// Ends a disputed report; the next submission for the epoch starts round `round + 1`.
    pub fn void(&mut self) -> Result<()> {
        require!(
            self.status == ReportStatus::Disputed,
            ProofError::ReportNotDisputed
        );
        self.status = ReportStatus::Voided;
        self.round = self
            .round
            .checked_add(1)
            .ok_or(ProofError::ArithmeticOverflow)?;
        Ok(())
    }

    pub fn dispute(&mut self) -> Result<()> {
        require!(
            self.status == ReportStatus::Pending,
            ProofError::ReportNotPending
        );
        self.status = ReportStatus::Disputed;
        Ok(())
    }
}

/// An epoch's challenge seed (issue 14), recorded once the epoch has begun from the newest
/// slot hash the chain had then: challenges of every device and sector derive from it
/// (`depin_core::sectors`), so none can be known before it exists. PDA
/// `[seeds::CHALLENGES, network, epoch_le]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct EpochChallenges {
    pub network: Pubkey,
    pub epoch: u64,
    /// The slot whose hash was taken, and the hash (`SlotHashes`' newest entry).
    pub slot: u64,
    pub slot_hash: [u8; 32],
    /// `depin_core::sectors::epoch_seed(network, epoch, slot, slot_hash)`.
    pub seed: [u8; 32],
    pub opened_at: i64,
    pub bump: u8,
}

impl EpochChallenges {
    pub const SPACE: usize = 8 + EpochChallenges::INIT_SPACE;
}

/// A storage node's committed data (issue 14): the root of its chunk tree
/// (`depin_core::sectors::storage`), the data's size and chunk size. One per node, replaced
/// by each new commitment. PDA `[seeds::STORAGE, node]`.
///
/// A commitment counts for an epoch only if it was made no later than the slot whose hash
/// seeded the epoch's challenges: a node that saw the seed first could otherwise choose a
/// size that steers its challenges to the chunks it kept.
#[account]
#[derive(InitSpace, Debug)]
pub struct StorageCommitment {
    pub network: Pubkey,
    pub node: Pubkey,
    pub root: [u8; 32],
    pub size_bytes: u64,
    pub chunk_bytes: u32,
    /// Slot and chain time of this commitment.
    pub committed_slot: u64,
    pub committed_at: i64,
    /// Commitments this node has made, this one included.
    pub version: u32,
    pub bump: u8,
}

impl StorageCommitment {
    pub const SPACE: usize = 8 + StorageCommitment::INIT_SPACE;

    pub fn chunks(&self) -> u64 {
        depin_core::sectors::storage::chunk_count(self.size_bytes, self.chunk_bytes)
    }

    /// The tree's depth, fixed by the committed size.
    pub fn depth(&self) -> u32 {
        depin_core::sectors::storage::depth_for(self.chunks())
    }

    /// Whether this commitment predates `challenges`' seed, and so counts for that epoch.
    pub fn counts_for(&self, challenges: &EpochChallenges) -> bool {
        self.committed_slot <= challenges.slot
    }
}
