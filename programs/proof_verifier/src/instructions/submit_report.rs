//! `submit_report`: an oracle submits an epoch's reward root.
//!
//! Transaction shape: optionally, right before this instruction, one ed25519 precompile
//! instruction in the canonical shared layout (`depin_core::ed25519::parse_shared`) whose
//! `signatures` signatures are by other oracles of the set over
//! `depin_core::attestation::epoch_report_message(network, epoch, round, root, total_work,
//! node_count)`, `round` being the number of reports of this epoch voided so far. The submitter's transaction signature is its own approval, so with M − 1
//! precompile signatures a report reaches the threshold in one transaction; otherwise the
//! others approve later (`approve_report`).
use super::signatures::{previous_shared, INSTRUCTIONS_SYSVAR_ID};
use crate::{
    error::ProofError,
    events::ReportSubmitted,
    seeds,
    state::{EpochReport, OracleSet, ReportStatus},
};
use anchor_lang::prelude::*;
use depin_core::attestation::epoch_report_message;
use depin_core::ed25519::MAX_SHARED_SIGNATURES;
use node_registry::state::Network;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct SubmitReportArgs {
    pub epoch: u64,
    pub root: [u8; 32],
    pub total_work: u64,
    pub node_count: u32,
    /// Oracle signatures in the ed25519 instruction right before this one (0: none).
    pub signatures: u8,
}

/// Accounts: `oracle` (signer, an oracle of the set, pays rent), `network`, `oracle_set`,
/// `report` (new PDA `[REPORT, network, epoch_le]`), `instructions` (sysvar),
/// `system_program`.
#[derive(Accounts)]
#[instruction(args: SubmitReportArgs)]
pub struct SubmitReport<'info> {
    #[account(mut)]
    pub oracle: Signer<'info>,
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(seeds = [seeds::ORACLES, network.key().as_ref()], bump = oracle_set.bump)]
    pub oracle_set: Box<Account<'info, OracleSet>>,
    // `init_if_needed` + the check in `validate`: an existing report gets
    // `ReportAlreadyExists` unless it was voided; then this one is its next round.
    #[account(
        init_if_needed,
        payer = oracle,
        space = EpochReport::SPACE,
        seeds = [seeds::REPORT, network.key().as_ref(), &args.epoch.to_le_bytes()],
        bump,
    )]
    pub report: Box<Account<'info, EpochReport>>,
    /// CHECK: the address is the instructions sysvar; read with `depin_core`.
    #[account(address = INSTRUCTIONS_SYSVAR_ID)]
    pub instructions: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
}

impl SubmitReport<'_> {
    pub fn validate(&self, args: &SubmitReportArgs) -> Result<()> {
        require!(
            self.report.network == Pubkey::default() || self.report.status == ReportStatus::Voided,
            ProofError::ReportAlreadyExists
        );
        require!(
            self.oracle_set.index_of(&self.oracle.key()).is_some(),
            ProofError::NotAnOracle
        );
        let now = Clock::get()?.unix_timestamp;
        require!(
            now >= self.oracle_set.epoch_end(args.epoch)?,
            ProofError::EpochNotEnded
        );
        require!(
            usize::from(args.signatures) <= MAX_SHARED_SIGNATURES,
            ProofError::SignatureCountMismatch
        );
        Ok(())
    }

    /// Set positions of the oracles whose precompile signatures cover this report.
    fn cosigners(&self, args: &SubmitReportArgs) -> Result<[usize; MAX_SHARED_SIGNATURES]> {
        let mut out = [usize::MAX; MAX_SHARED_SIGNATURES];
        if args.signatures == 0 {
            return Ok(out);
        }
        let data = self.instructions.try_borrow_data()?;
        let shared = previous_shared(&data)?;
        require!(
            shared.count == usize::from(args.signatures),
            ProofError::SignatureCountMismatch
        );
        let expected = epoch_report_message(
            &self.network.key().to_bytes(),
            args.epoch,
            self.report.round,
            &args.root,
            args.total_work,
            args.node_count,
        );
        require!(shared.message == expected, ProofError::WrongReportMessage);
        let submitter = self.oracle.key().to_bytes();
        for (i, slot) in out.iter_mut().enumerate().take(shared.count) {
            let key = shared
                .key(i)
                .ok_or(ProofError::NonCanonicalSignatureInstruction)?;
            require!(*key != submitter, ProofError::DuplicateSignature);
            let index = self
                .oracle_set
                .index_of(&Pubkey::new_from_array(*key))
                .ok_or(ProofError::SignerNotInSet)?;
            *slot = index;
        }
        Ok(out)
    }

    pub fn handler(ctx: Context<Self>, args: SubmitReportArgs) -> Result<()> {
        let a = ctx.accounts;
        let cosigners = a.cosigners(&args)?;
        let now = Clock::get()?.unix_timestamp;
        let set = &a.oracle_set;
        let submitter_index = set
            .index_of(&a.oracle.key())
            .ok_or(ProofError::NotAnOracle)?;
        let report = &mut a.report;
        let round = report.round;
        report.set_inner(EpochReport {
            network: a.network.key(),
            epoch: args.epoch,
            root: args.root,
            total_work: args.total_work,
            node_count: args.node_count,
            approvals: 0,
            approval_count: 0,
            set_version: set.version,
            round,
            status: ReportStatus::Pending,
            submitter: a.oracle.key(),
            submitted_at: now,
            threshold_reached_at: 0,
            finalized_at: 0,
            bump: ctx.bumps.report,
        });
        report.approve(submitter_index, set.threshold, now)?;
        for index in cosigners.iter().take_while(|i| **i != usize::MAX) {
            report
                .approve(*index, set.threshold, now)
                .map_err(|_| error!(ProofError::DuplicateSignature))?;
        }
        crate::events::emit(ReportSubmitted {
            network: report.network,
            epoch: args.epoch,
            round: report.round,
            root: args.root,
            total_work: args.total_work,
            node_count: args.node_count,
            submitter: report.submitter,
            approvals: report.approval_count,
        });
        Ok(())
    }
}
