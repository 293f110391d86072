//! A third-party program that claims a node's rewards through emissions' `cpi` feature, the
//! way a staking wrapper or a crank contract would: it forwards the claim and then checks
//! from the token account itself that the owner was paid. Only the test suite deploys it.
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;
use emissions::cpi::accounts::Claim as EmissionsClaim;
use emissions::ClaimArgs;

#[cfg(target_arch = "bpf")]
use depin_sbf_builtins as _;

declare_id!("8braTiDYZiBzNMftSqSn6jaSysut3NgLqijXNha8mEV1");

#[error_code]
pub enum RouterError {
    /// emissions returned but the owner's balance did not grow.
    #[msg("the claim paid nothing")]
    NothingPaid,
}

#[program]
pub mod depin_claim_router {
    use super::*;

    /// Accounts as emissions' `claim`, plus `emissions_program`; `args` passed through.
    pub fn claim_through(ctx: Context<ClaimThrough>, args: ClaimArgs) -> Result<()> {
        let before = ctx.accounts.owner_rewards.amount;
        let a = &ctx.accounts;
        let cpi = CpiContext::new(
            emissions::ID,
            EmissionsClaim {
                payer: a.payer.to_account_info(),
                network: a.network.to_account_info(),
                schedule: a.schedule.to_account_info(),
                node: a.node.to_account_info(),
                claim: a.claim.to_account_info(),
                owner_rewards: a.owner_rewards.to_account_info(),
                vault: a.vault.to_account_info(),
                reward_mint: a.reward_mint.to_account_info(),
                mint_authority: a.mint_authority.to_account_info(),
                token_program: a.token_program.to_account_info(),
                system_program: a.system_program.to_account_info(),
            },
        );
        emissions::cpi::claim(cpi, args)?;
        ctx.accounts.owner_rewards.reload()?;
        require!(
            ctx.accounts.owner_rewards.amount > before,
            RouterError::NothingPaid
        );
        Ok(())
    }
}

/// The accounts emissions checks; this program only forwards them.
#[derive(Accounts)]
pub struct ClaimThrough<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: checked by emissions.
    pub network: UncheckedAccount<'info>,
    /// CHECK: checked by emissions.
    pub schedule: UncheckedAccount<'info>,
    /// CHECK: checked by emissions.
    pub node: UncheckedAccount<'info>,
    /// CHECK: checked (and created) by emissions.
    #[account(mut)]
    pub claim: UncheckedAccount<'info>,
    #[account(mut)]
    pub owner_rewards: InterfaceAccount<'info, TokenAccount>,
    /// CHECK: checked by emissions.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: checked by emissions.
    pub reward_mint: UncheckedAccount<'info>,
    /// CHECK: checked by emissions.
    pub mint_authority: UncheckedAccount<'info>,
    /// CHECK: checked by emissions.
    pub token_program: UncheckedAccount<'info>,
    pub system_program: Program<'info, System>,
    /// CHECK: must be emissions; the CPI goes to `emissions::ID`.
    #[account(address = emissions::ID)]
    pub emissions_program: UncheckedAccount<'info>,
}
