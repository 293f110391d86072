use crate::{
    error::EmissionsError,
    events::RewardsClaimed,
    hasher::Syscall,
    seeds,
    state::{ClaimRecord, EmissionSchedule},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, Mint, TokenAccount, TokenInterface, TransferChecked};
use depin_core::merkle::{reward_leaf, verify, MAX_PROOF_DEPTH};
use node_registry::state::{Network, Node};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimArgs {
    /// A recently finalised epoch whose root the proof leads to.
    pub epoch: u64,
    /// The node's lifetime total in that epoch's tree.
    pub cumulative_amount: u64,
    /// Siblings from the leaf up (at most 32).
    pub proof: Vec<[u8; 32]>,
}

/// Accounts: `payer` (signer, anyone: pays the claim record's rent once), `network`,
/// `schedule`, `node` (node_registry `Node` of `network`), `claim` (PDA `[CLAIM, node]`,
/// created at the first claim), `owner_rewards` (mut, a reward-mint token account owned by
/// the node's **current** owner), `vault` (mut), `reward_mint`, `mint_authority`,
/// `token_program`, `system_program`.
///
/// Pays `cumulative_amount − claimed` from the vault. Any of the last 8 finalised roots is
/// accepted: cumulative amounts only grow, so an older root pays less, never more.
#[derive(Accounts)]
pub struct Claim<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    #[account(
        seeds = [node_registry::seeds::NETWORK, network.name.as_bytes()],
        bump = network.bump,
        seeds::program = node_registry::ID,
    )]
    pub network: Box<Account<'info, Network>>,
    #[account(
        seeds = [seeds::SCHEDULE, network.key().as_ref()],
        bump = schedule.bump,
        has_one = reward_mint @ EmissionsError::WrongMint,
        has_one = vault @ EmissionsError::WrongMint,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(
        seeds = [node_registry::seeds::NODE, network.key().as_ref(), node.device_key.as_ref()],
        bump = node.bump,
        seeds::program = node_registry::ID,
    )]
    pub node: Box<Account<'info, Node>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = ClaimRecord::SPACE,
        seeds = [seeds::CLAIM, node.key().as_ref()],
        bump,
    )]
    pub claim: Box<Account<'info, ClaimRecord>>,
    #[account(
        mut,
        token::mint = reward_mint,
        token::token_program = token_program,
        constraint = owner_rewards.owner == node.owner @ EmissionsError::NotNodeOwnerAccount,
    )]
    pub owner_rewards: Box<InterfaceAccount<'info, TokenAccount>>,
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    pub reward_mint: Box<InterfaceAccount<'info, Mint>>,
    /// CHECK: the vault's owner PDA (seeds checked); signs the transfer.
    #[account(seeds = [seeds::AUTHORITY, network.key().as_ref()], bump = schedule.authority_bump)]
    pub mint_authority: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

impl Claim<'_> {
    pub fn validate(&self, args: &ClaimArgs) -> Result<()> {
        let root = self
            .schedule
            .root_for(args.epoch)
            .ok_or(EmissionsError::RootNotRecent)?;
        require!(
            args.proof.len() <= MAX_PROOF_DEPTH,
            EmissionsError::InvalidProof
        );
        let leaf = reward_leaf::<Syscall>(&self.node.key().to_bytes(), args.cumulative_amount);
        require!(
            verify::<Syscall>(&root, &leaf, &args.proof),
            EmissionsError::InvalidProof
        );
        require!(
            args.cumulative_amount > self.claim.claimed,
            EmissionsError::NothingToClaim
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        let a = ctx.accounts;
        let pay = args
            .cumulative_amount
            .checked_sub(a.claim.claimed)
            .ok_or(EmissionsError::NothingToClaim)?;
        let network = a.network.key();
        let signer: &[&[u8]] = &[
            seeds::AUTHORITY,
            network.as_ref(),
            &[a.schedule.authority_bump],
        ];
        token_interface::transfer_checked(
            CpiContext::new_with_signer(
                a.token_program.key(),
                TransferChecked {
                    from: a.vault.to_account_info(),
                    mint: a.reward_mint.to_account_info(),
                    to: a.owner_rewards.to_account_info(),
                    authority: a.mint_authority.to_account_info(),
                },
                &[signer],
            ),
            pay,
            a.reward_mint.decimals,
        )?;
        let node = a.node.key();
        let claim = &mut a.claim;
        claim.node = node;
        claim.claimed = args.cumulative_amount;
        claim.last_epoch = args.epoch;
        claim.bump = ctx.bumps.claim;
        crate::events::emit(RewardsClaimed {
            network,
            node,
            owner: a.node.owner,
            epoch: args.epoch,
            cumulative_amount: args.cumulative_amount,
            paid: pay,
        });
        Ok(())
    }
}
