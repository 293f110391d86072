use crate::{
    error::EmissionsError,
    events::ScheduleInitialized,
    seeds,
    state::{Decay, EmissionSchedule, RecentRoot, BPS, RECENT_ROOTS},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};
use node_registry::state::Network;

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ScheduleArgs {
    pub initial_per_epoch: u64,
    pub decay: Decay,
    pub tail_per_epoch: u64,
    pub max_supply: u64,
    pub operators_bps: u16,
    pub oracles_bps: u16,
    pub treasury_bps: u16,
    /// The circuit breaker: at most about `breaker_threshold` minted per `breaker_window_s`.
    pub breaker_window_s: u64,
    pub breaker_threshold: u64,
    /// The first epoch to finalise (epochs before it are never minted).
    pub first_epoch: u64,
    /// Burn-and-mint: the share of each epoch's tokens burned for credits re-minted with the
    /// epoch's emission (0: off), and the most re-minted per epoch.
    pub bme_share_bps: u16,
    pub bme_cap_per_epoch: u64,
}

/// Accounts: `authority` (signer, node_registry network authority, pays rent), `network`,
/// `schedule` (new PDA `[SCHEDULE, network]`), `reward_mint` (SPL Token or Token-2022, mint
/// authority = `mint_authority`), `mint_authority` (PDA `[AUTHORITY, network]`), `vault` (new
/// token account PDA `[VAULT, network]` owned by `mint_authority`), `oracle_rewards` and
/// `treasury` (token accounts of the reward mint), `token_program`, `system_program`.
/// Whether a mint account's Token-2022 extensions (TLV after the 165-byte base and the
/// account-type byte) are at most metadata ones. A plain 82-byte mint has none.
fn only_metadata_extensions(data: &[u8]) -> bool {
    const BASE: usize = 165;
    const METADATA_POINTER: u16 = 18;
    const TOKEN_METADATA: u16 = 19;
    if data.len() <= 82 {
        return true;
    }
    if data.get(BASE) != Some(&1) {
        return false; // not a mint's account type
    }
    let mut at = BASE + 1;
    // bounded: each entry takes at least 4 bytes of an account of at most 10 MiB
    for _ in 0..64 {
        let (Some(t), Some(l)) = (data.get(at..at + 2), data.get(at + 2..at + 4)) else {
            return true; // end of the TLV area
        };
        let kind = u16::from_le_bytes([t[0], t[1]]);
        let len = usize::from(u16::from_le_bytes([l[0], l[1]]));
        if kind == 0 {
            return true; // uninitialised padding ends the list
        }
        if kind != METADATA_POINTER && kind != TOKEN_METADATA {
            return false;
        }
        at = at.saturating_add(4).saturating_add(len);
    }
    false
}

#[derive(Accounts)]
pub struct Initialize<'info> {
    #[account(mut)]
    pub authority: Signer<'info>,
    #[account(
        has_one = authority @ EmissionsError::NotNetworkAuthority,
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        init,
        payer = authority,
        space = EmissionSchedule::SPACE,
        seeds = [seeds::SCHEDULE, network.key().as_ref()],
        bump,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(mint::token_program = token_program)]
    pub reward_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: a PDA without data; signs mints and vault transfers.
    #[account(seeds = [seeds::AUTHORITY, network.key().as_ref()], bump)]
    pub mint_authority: UncheckedAccount<'info>,
    #[account(
        init,
        payer = authority,
        seeds = [seeds::VAULT, network.key().as_ref()],
        bump,
        token::mint = reward_mint,
        token::authority = mint_authority,
        token::token_program = token_program,
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(token::mint = reward_mint, token::token_program = token_program)]
    pub oracle_rewards: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(token::mint = reward_mint, token::token_program = token_program)]
    pub treasury: Box<InterfaceAccount<'info, TokenAccount>>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl Initialize<'_> {
    pub fn validate(&self, args: &ScheduleArgs) -> Result<()> {
        let total = u32::from(args.operators_bps)
            + u32::from(args.oracles_bps)
            + u32::from(args.treasury_bps);
        require!(total == u32::from(BPS), EmissionsError::InvalidSplits);
        require!(args.bme_share_bps <= BPS, EmissionsError::InvalidBme);
        // A threshold below one epoch's amount (with the most it may re-mint) would refuse
        // every such epoch for good.
        let most = args
            .initial_per_epoch
            .max(args.tail_per_epoch)
            .checked_add(if args.bme_share_bps > 0 {
                args.bme_cap_per_epoch
            } else {
                0
            })
            .ok_or(EmissionsError::InvalidBme)?;
        require!(
            args.breaker_window_s > 0 && args.breaker_threshold >= most,
            EmissionsError::InvalidBreaker
        );
        EmissionSchedule::core_of(args)
            .validate()
            .map_err(|_| error!(EmissionsError::InvalidSchedule))?;
        require!(
            self.reward_mint.mint_authority == Some(self.mint_authority.key()).into(),
            EmissionsError::WrongMintAuthority
        );
        // A freeze authority could freeze the vault; transfer fees, hooks, permanent
        // delegates, non-transferability and the like would make claims pay less, fail, or
        // be taken. Only metadata extensions are accepted.
        require!(
            self.reward_mint.freeze_authority.is_none(),
            EmissionsError::UnsafeRewardMint
        );
        require!(
            only_metadata_extensions(&self.reward_mint.to_account_info().try_borrow_data()?),
            EmissionsError::UnsafeRewardMint
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: ScheduleArgs) -> Result<()> {
        let a = ctx.accounts;
        let network = a.network.key();
        a.schedule.set_inner(EmissionSchedule {
            network,
            reward_mint: a.reward_mint.key(),
            vault: a.vault.key(),
            oracle_rewards: a.oracle_rewards.key(),
            treasury: a.treasury.key(),
            initial_per_epoch: args.initial_per_epoch,
            decay: args.decay,
            tail_per_epoch: args.tail_per_epoch,
            max_supply: args.max_supply,
            operators_bps: args.operators_bps,
            oracles_bps: args.oracles_bps,
            treasury_bps: args.treasury_bps,
            emitted_total: 0,
            next_epoch: args.first_epoch,
            epochs_finalized: 0,
            breaker_window_s: args.breaker_window_s,
            breaker_threshold: args.breaker_threshold,
            breaker_current: 0,
            breaker_last_ts: 0,
            recent: [RecentRoot {
                epoch: 0,
                root: [0; 32],
            }; RECENT_ROOTS],
            recent_count: 0,
            bump: ctx.bumps.schedule,
            authority_bump: ctx.bumps.mint_authority,
            vault_bump: ctx.bumps.vault,
            bme_share_bps: args.bme_share_bps,
            bme_cap_per_epoch: args.bme_cap_per_epoch,
            reminted_total: 0,
        });
        crate::events::emit(ScheduleInitialized {
            network,
            reward_mint: a.reward_mint.key(),
            vault: a.vault.key(),
            max_supply: args.max_supply,
        });
        Ok(())
    }
}
