use crate::{
    error::EmissionsError,
    events::RewardsClaimed,
    hasher::Syscall,
    seeds,
    state::{ClaimRecord, EmissionSchedule},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, TokenInterface, TransferChecked};
use depin_core::merkle::{reward_leaf, verify, MAX_PROOF_DEPTH};
use node_registry::state::{Node, NodeStatus};

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
/// accepted: cumulative amounts only grow, so an older root pays less, never more. A
/// suspended node's claims wait until it is reactivated.
///
/// What is checked, and why it is enough (most accounts are read in place, which keeps a
/// claim cheap): the schedule is this program's account (owner and discriminator), and
/// only `initialize` creates one, at `[SCHEDULE, network]` for a checked node_registry
/// network, so `schedule.network == network` proves the network without reading it; the
/// node's PDA under that network proves the node; the vault and mint are the schedule's; the
/// token account is checked for its mint and owner here and for everything else by the
/// token program.
#[derive(Accounts)]
pub struct Claim<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    /// CHECK: node_registry's `Network`; proven by `schedule.network` (see above).
    pub network: UncheckedAccount<'info>,
    #[account(
        has_one = network @ EmissionsError::WrongNetwork,
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
    /// The node's record, created by its first claim. Anchor's `init_if_needed` searches the
    /// PDA on every claim (1,500 CU per attempt); a hand-made check of an existing record
    /// would save that but would drop `ClaimRecord` from the IDL, which clients decode with.
    #[account(
        init_if_needed,
        payer = payer,
        space = ClaimRecord::SPACE,
        seeds = [seeds::CLAIM, node.key().as_ref()],
        bump,
    )]
    pub claim: Box<Account<'info, ClaimRecord>>,
    /// CHECK: a token account of the reward mint owned by the node's owner (read in place;
    /// the token program checks the rest).
    #[account(mut)]
    pub owner_rewards: UncheckedAccount<'info>,
    /// CHECK: the schedule's vault (`has_one`).
    #[account(mut)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: the schedule's reward mint (`has_one`); its decimals are read in place.
    pub reward_mint: UncheckedAccount<'info>,
    /// CHECK: must be the vault's owner, the PDA `[AUTHORITY, network]`; signs the transfer.
    pub mint_authority: UncheckedAccount<'info>,
    pub token_program: Interface<'info, TokenInterface>,
    pub system_program: Program<'info, System>,
}

/// Byte offsets shared by SPL Token and Token-2022 (the base layouts are the same).
const TOKEN_ACCOUNT_LEN: usize = 165;
const MINT_LEN: usize = 82;
const MINT_DECIMALS: usize = 44;

fn key_at(data: &[u8], at: usize) -> Option<Pubkey> {
    let b: [u8; 32] = data.get(at..at + 32)?.try_into().ok()?;
    Some(Pubkey::new_from_array(b))
}

/// (mint, owner) of a token account of `token_program`.
fn token_account_mint_owner(ai: &AccountInfo, token_program: &Pubkey) -> Result<(Pubkey, Pubkey)> {
    require_keys_eq!(
        *ai.owner,
        *token_program,
        EmissionsError::NotNodeOwnerAccount
    );
    let data = ai.try_borrow_data()?;
    require!(
        data.len() >= TOKEN_ACCOUNT_LEN,
        EmissionsError::NotNodeOwnerAccount
    );
    match (key_at(&data, 0), key_at(&data, 32)) {
        (Some(mint), Some(owner)) => Ok((mint, owner)),
        _ => err!(EmissionsError::NotNodeOwnerAccount),
    }
}

impl Claim<'_> {
    pub fn validate(&self, args: &ClaimArgs) -> Result<()> {
        // Suspension is the network's answer to fraud: what the node earned waits.
        require!(
            self.node.status == NodeStatus::Active,
            EmissionsError::NodeSuspended
        );
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
        let token_program = self.token_program.key();
        let (mint, owner) = token_account_mint_owner(&self.owner_rewards, &token_program)?;
        require_keys_eq!(mint, self.schedule.reward_mint, EmissionsError::WrongMint);
        require_keys_eq!(owner, self.node.owner, EmissionsError::NotNodeOwnerAccount);
        let (_, vault_owner) = token_account_mint_owner(&self.vault, &token_program)
            .map_err(|_| error!(EmissionsError::WrongMint))?;
        require_keys_eq!(
            vault_owner,
            self.mint_authority.key(),
            EmissionsError::WrongMintAuthority
        );
        Ok(())
    }

    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        let a = ctx.accounts;
        let claimed = a.claim.claimed;
        let pay = args
            .cumulative_amount
            .checked_sub(claimed)
            .filter(|p| *p > 0)
            .ok_or(EmissionsError::NothingToClaim)?;
        let decimals = {
            let mint = a.reward_mint.try_borrow_data()?;
            require_keys_eq!(
                *a.reward_mint.owner,
                a.token_program.key(),
                EmissionsError::WrongMint
            );
            require!(mint.len() >= MINT_LEN, EmissionsError::WrongMint);
            mint[MINT_DECIMALS]
        };
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
            decimals,
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
