use crate::{error::EmissionsError, events::EpochFinalized, seeds, state::EmissionSchedule};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, MintTo, TokenAccount, TokenInterface};
use node_registry::state::Network;
use proof_verifier::state::{EpochReport, ReportStatus};

/// Accounts: `network`, `schedule` (mut), `report` (proof_verifier's `EpochReport` of
/// `network` and `epoch`: owner and PDA checked), `reward_mint` (mut), `mint_authority`,
/// `vault`, `oracle_rewards` and `treasury` (mut, the schedule's), `token_program`.
///
/// Permissionless and once per epoch, each epoch right after the previous one (no gaps): mints the schedule's amount
/// for `epoch` through the circuit breaker, the operators' share into the vault (claimed
/// against the report's root), the oracles' and treasury's shares to their accounts.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct FinalizeEpoch<'info> {
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        mut,
        seeds = [seeds::SCHEDULE, network.key().as_ref()],
        bump = schedule.bump,
        has_one = reward_mint @ EmissionsError::WrongMint,
        has_one = vault @ EmissionsError::WrongMint,
        has_one = oracle_rewards @ EmissionsError::WrongMint,
        has_one = treasury @ EmissionsError::WrongMint,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(
        seeds = [proof_verifier::seeds::REPORT, network.key().as_ref(), &epoch.to_le_bytes()],
        bump = report.bump,
        seeds::program = proof_verifier::ID,
    )]
    pub report: Box<Account<'info, EpochReport>>,
    #[account(mut)]
    pub reward_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the PDA that is the mint's authority (seeds checked).
    #[account(seeds = [seeds::AUTHORITY, network.key().as_ref()], bump = schedule.authority_bump)]
    pub mint_authority: UncheckedAccount<'info>,
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub oracle_rewards: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> FinalizeEpoch<'info> {
    pub fn validate(&self, epoch: u64) -> Result<()> {
        require!(
            self.report.status == ReportStatus::Final,
            EmissionsError::ReportNotFinal
        );
        require!(
            epoch >= self.schedule.next_epoch,
            EmissionsError::EpochAlreadyFinalized
        );
        // Every root holds cumulative totals that assume all earlier epochs were minted.
        require!(
            epoch == self.schedule.next_epoch,
            EmissionsError::EpochOutOfOrder
        );
        Ok(())
    }

    fn mint(&self, to: AccountInfo<'info>, amount: u64) -> Result<()> {
        if amount == 0 {
            return Ok(());
        }
        let network = self.network.key();
        let signer: &[&[u8]] = &[
            seeds::AUTHORITY,
            network.as_ref(),
            &[self.schedule.authority_bump],
        ];
        token_interface::mint_to(
            CpiContext::new_with_signer(
                self.token_program.key(),
                MintTo {
                    mint: self.reward_mint.to_account_info(),
                    to,
                    authority: self.mint_authority.to_account_info(),
                },
                &[signer],
            ),
            amount,
        )
    }

    pub fn handler(ctx: Context<Self>, epoch: u64) -> Result<()> {
        let a = ctx.accounts;
        let amount = a
            .schedule
            .core()
            .amount_for_epoch(epoch, a.schedule.emitted_total);
        require!(amount > 0, EmissionsError::MaxSupplyReached);
        let now = Clock::get()?.unix_timestamp;
        a.schedule.consume_breaker(now, amount)?;
        let (operators, oracles, treasury) = a.schedule.split(amount)?;
        a.mint(a.vault.to_account_info(), operators)?;
        a.mint(a.oracle_rewards.to_account_info(), oracles)?;
        a.mint(a.treasury.to_account_info(), treasury)?;
        let root = a.report.root;
        let s = &mut a.schedule;
        s.emitted_total = s
            .emitted_total
            .checked_add(amount)
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        s.next_epoch = epoch
            .checked_add(1)
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        s.record_root(epoch, root);
        s.epochs_finalized = s
            .epochs_finalized
            .checked_add(1)
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        crate::events::emit(EpochFinalized {
            network: s.network,
            epoch,
            root,
            minted: amount,
            to_operators: operators,
            to_oracles: oracles,
            to_treasury: treasury,
            emitted_total: s.emitted_total,
        });
        Ok(())
    }
}
