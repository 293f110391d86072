//! `claim_compressed`: pays a compressed node's owner its cumulative reward less what was
//! paid, like `claim`, to the owner its claim record holds from `prove_compressed_node`.
//! The tree's changelog must show no write to the node's leaf since that proof.
use super::claim::{ClaimArgs, Payout};
use crate::{error::EmissionsError, events::RewardsClaimed, state::CompressedClaim};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenInterface;

/// Accounts: `payer` (signer, anyone), `network`, `schedule`, `tree` (node_registry's tree
/// of `network`), `claim` (mut, the node's `CompressedClaim`), `owner_rewards` (mut, a
/// reward-mint account of the proven owner), `vault` (mut), `reward_mint`,
/// `mint_authority`, `token_program`.
#[derive(Accounts)]
pub struct ClaimCompressed<'info> {
    pub payer: Signer<'info>,
    /// CHECK: node_registry's `Network`; proven by `schedule.network`.
    pub network: UncheckedAccount<'info>,
    /// CHECK: this program's `EmissionSchedule`, read in place through `ScheduleView`.
    #[account(owner = crate::ID)]
    pub schedule: UncheckedAccount<'info>,
    /// CHECK: node_registry's tree account whose header names `network`.
    #[account(owner = node_registry::ID @ EmissionsError::WrongTree)]
    pub tree: UncheckedAccount<'info>,
    /// Only `prove_compressed_node` creates these, at `[CLAIM, node]`, with `node` and
    /// `network` written in.
    #[account(mut, constraint = claim.network == network.key() @ EmissionsError::WrongClaimRecord)]
    pub claim: Box<Account<'info, CompressedClaim>>,
    /// CHECK: a token account of the reward mint owned by the proven owner.
    #[account(mut)]
    pub owner_rewards: UncheckedAccount<'info>,
    /// CHECK: the schedule's vault.
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the schedule's reward mint.
    pub reward_mint: UncheckedAccount<'info>,
    /// CHECK: the vault's owner, the PDA `[AUTHORITY, network]`; signs the transfer.
    pub mint_authority: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
}

impl<'info> ClaimCompressed<'info> {
    fn payout(&self) -> Payout<'_, 'info> {
        Payout {
            network: self.network.as_ref(),
            schedule: self.schedule.as_ref(),
            owner_rewards: self.owner_rewards.as_ref(),
            vault: self.vault.as_ref(),
            reward_mint: self.reward_mint.as_ref(),
            mint_authority: self.mint_authority.as_ref(),
            token_program: &self.token_program,
        }
    }

    pub fn validate(&self, args: &ClaimArgs) -> Result<()> {
        let payout = self.payout();
        payout.check_schedule()?;
        let network = self.network.key();
        let unchanged = {
            let data = self.tree.try_borrow_data()?;
            node_registry::tree::unchanged_since(
                &data,
                &network,
                self.claim.leaf_index,
                self.claim.proven_seq,
            )
            .map_err(|_| error!(EmissionsError::WrongTree))?
        };
        require!(unchanged == Some(true), EmissionsError::NodeProofStale);
        require!(
            self.claim.owner != Pubkey::default(),
            EmissionsError::NodeDecommissioned
        );
        require!(self.claim.active, EmissionsError::NodeSuspended);
        payout.check_claim(&self.claim.node, &self.claim.owner, args)
    }

    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        let a = ctx.accounts;
        let paid = a.payout().pay(a.claim.claimed, &args)?;
        let claim = &mut a.claim;
        claim.claimed = args.cumulative_amount;
        claim.last_epoch = args.epoch;
        crate::events::emit(RewardsClaimed {
            network: a.network.key(),
            node: claim.node,
            owner: claim.owner,
            epoch: args.epoch,
            cumulative_amount: args.cumulative_amount,
            paid,
        });
        Ok(())
    }
}
