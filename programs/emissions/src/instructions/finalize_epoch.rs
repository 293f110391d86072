use crate::{error::EmissionsError, events::EpochFinalized, seeds, state::EmissionSchedule};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, MintTo, TokenInterface};
use proof_verifier::state::{EpochReport, ReportStatus};

/// Accounts: `network`, `schedule` (mut), `report` (proof_verifier's `EpochReport` of
/// `network` and `epoch`), `reward_mint` (mut), `mint_authority`, `vault`, `oracle_rewards`
/// and `treasury` (mut, the schedule's), `token_program`, `usage` (fee_settlement's
/// `EpochUsage` of `network` and `epoch`; required when the schedule re-mints burns).
///
/// Permissionless and once per epoch, each epoch right after the previous one (no gaps):
/// mints the schedule's amount for `epoch` through the circuit breaker, the operators' share
/// into the vault (claimed against the report's root), the oracles' and treasury's shares to
/// their accounts. With burn-and-mint on, the epoch's amount grows by the capped share of the
/// tokens burned for credits in the epoch (`usage`), split the same way.
///
/// Checked without PDA derivations (they cost 1,500 CU each): the schedule is this
/// program's account and only `initialize` creates one, for a checked network, so
/// `schedule.network == network` proves the network; a report is proof_verifier's account
/// (owner and discriminator) and proof_verifier creates one only at `[REPORT, network,
/// epoch]` with both written in it, so its `network` and `epoch` fields prove which it is;
/// the mint and token accounts are the schedule's (`has_one`), and the token program checks
/// the mint authority's signature.
#[derive(Accounts)]
#[instruction(epoch: u64)]
pub struct FinalizeEpoch<'info> {
    /// CHECK: node_registry's `Network`; proven by `schedule.network` (see above).
    pub network: UncheckedAccount<'info>,
    #[account(
        mut,
        has_one = network @ EmissionsError::WrongNetwork,
        has_one = reward_mint @ EmissionsError::WrongMint,
        has_one = vault @ EmissionsError::WrongMint,
        has_one = oracle_rewards @ EmissionsError::WrongMint,
        has_one = treasury @ EmissionsError::WrongMint,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(
        constraint = report.network == network.key() @ EmissionsError::WrongNetwork,
        constraint = report.epoch == epoch @ EmissionsError::WrongReport,
    )]
    pub report: Box<Account<'info, EpochReport>>,
    /// CHECK: the schedule's reward mint (`has_one`), owned by `token_program`.
    #[account(mut, owner = token_program.key() @ EmissionsError::WrongMint)]
    pub reward_mint: UncheckedAccount<'info>,
    /// CHECK: the PDA `[AUTHORITY, network]`, the mint's authority: it signs the mints, so
    /// any other account fails them.
    pub mint_authority: UncheckedAccount<'info>,
    /// CHECK: the schedule's vault (`has_one`).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the schedule's oracle-share account (`has_one`).
    #[account(mut)]
    pub oracle_rewards: UncheckedAccount<'info>,
    /// CHECK: the schedule's treasury account (`has_one`).
    #[account(mut)]
    pub treasury: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    /// CHECK: fee_settlement's account (owner, discriminator) whose `network` and `epoch`
    /// fields are this epoch's: fee_settlement creates one only at `[USAGE, network, epoch]`
    /// and writes it only during that epoch, which has ended once its report is final.
    pub usage: Option<UncheckedAccount<'info>>,
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
        // The mint's authority (COption tag, then the key), read in place: a named error
        // instead of the token program's.
        let mint = self.reward_mint.try_borrow_data()?;
        let authority = mint
            .get(0..36)
            .filter(|b| b[0..4] == [1, 0, 0, 0])
            .map(|b| Pubkey::new_from_array(b[4..36].try_into().unwrap_or_default()));
        require!(
            authority == Some(self.mint_authority.key()),
            EmissionsError::WrongMintAuthority
        );
        Ok(())
    }

    /// Tokens burned for credits in `epoch`, as its usage record says (0 with BME off).
    fn tokens_burned(&self, epoch: u64) -> Result<u64> {
        if self.schedule.bme_share_bps == 0 {
            return Ok(0);
        }
        use fee_settlement::state::EpochUsage;
        let usage = self
            .usage
            .as_ref()
            .ok_or(EmissionsError::MissingEpochUsage)?;
        require_keys_eq!(
            *usage.owner,
            fee_settlement::ID,
            EmissionsError::WrongEpochUsage
        );
        let data = usage.try_borrow_data()?;
        let field = |at: usize| -> Option<&[u8]> { data.get(at..at + 8) };
        let network = data.get(EpochUsage::NETWORK_AT..EpochUsage::NETWORK_AT + 32);
        let ok = data.len() == EpochUsage::SPACE
            && data.get(..8) == Some(EpochUsage::DISCRIMINATOR)
            && network == Some(self.network.key().as_ref())
            && field(EpochUsage::EPOCH_AT) == Some(&epoch.to_le_bytes()[..]);
        require!(ok, EmissionsError::WrongEpochUsage);
        let tokens = field(EpochUsage::TOKENS_BURNED_AT)
            .and_then(|b| b.try_into().ok())
            .map(u64::from_le_bytes)
            .ok_or(EmissionsError::WrongEpochUsage)?;
        Ok(tokens)
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
        let reminted = a.schedule.remint_for(a.tokens_burned(epoch)?);
        let total = amount
            .checked_add(reminted)
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        let now = Clock::get()?.unix_timestamp;
        a.schedule.consume_breaker(now, total)?;
        let (operators, oracles, treasury) = a.schedule.split(total)?;
        a.mint(a.vault.to_account_info(), operators)?;
        a.mint(a.oracle_rewards.to_account_info(), oracles)?;
        a.mint(a.treasury.to_account_info(), treasury)?;
        let root = a.report.root;
        let s = &mut a.schedule;
        s.emitted_total = s
            .emitted_total
            .checked_add(amount)
            .ok_or(EmissionsError::ArithmeticOverflow)?;
        s.reminted_total = s
            .reminted_total
            .checked_add(reminted)
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
            reminted,
            to_operators: operators,
            to_oracles: oracles,
            to_treasury: treasury,
            emitted_total: s.emitted_total,
        });
        Ok(())
    }
}
