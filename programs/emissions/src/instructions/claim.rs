use crate::{
    error::EmissionsError,
    events::RewardsClaimed,
    hasher::Syscall,
    seeds,
    state::{ClaimRecord, ScheduleView},
};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{self, TokenInterface, TransferChecked};
use depin_core::merkle::{reward_leaf, verify_packed};
use node_registry::state::{Node, NodeStatus};

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug)]
pub struct ClaimArgs {
    /// A recently finalised epoch whose root the proof leads to.
    pub epoch: u64,
    /// The node's lifetime total in that epoch's tree.
    pub cumulative_amount: u64,
    /// Siblings from the leaf up, 32 bytes each, concatenated (at most 32 siblings). Bytes
    /// rather than a list of arrays: Anchor decodes a list element by element, about 250 CU
    /// per sibling on SBF; bytes are one copy.
    pub proof: Vec<u8>,
}

/// Accounts: `payer` (signer, anyone: pays the fee), `network`, `schedule`, `node`
/// (node_registry `Node` of `network`), `claim` (the node's `ClaimRecord`, PDA
/// `[CLAIM, node]`, from `open_claim`), `owner_rewards` (mut, a reward-mint token account owned by
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
    /// CHECK: this program's `EmissionSchedule` (owner, discriminator, size), read in place
    /// through `ScheduleView`; its network, mint and vault must be the accounts given.
    #[account(owner = crate::ID)]
    pub schedule: UncheckedAccount<'info>,
    /// node_registry's `Node` (owner, discriminator); its PDA under `network` is checked in
    /// `validate`, after the schedule has proven the network.
    pub node: Box<Account<'info, Node>>,
    /// The node's record from `open_claim`. Checked by its `node` field, not by searching its
    /// PDA (1,500 CU per attempt): only `open_claim` creates records, at `[CLAIM, node]`.
    #[account(mut, has_one = node @ EmissionsError::WrongClaimRecord)]
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
pub(crate) fn token_account_mint_owner(
    ai: &AccountInfo,
    token_program: &Pubkey,
) -> Result<(Pubkey, Pubkey)> {
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

/// The accounts a payout reads or moves tokens through, shared by `claim` and
/// `claim_compressed`.
pub(crate) struct Payout<'a, 'info> {
    pub network: &'a AccountInfo<'info>,
    pub schedule: &'a AccountInfo<'info>,
    pub owner_rewards: &'a AccountInfo<'info>,
    pub vault: &'a AccountInfo<'info>,
    pub reward_mint: &'a AccountInfo<'info>,
    pub mint_authority: &'a AccountInfo<'info>,
    pub token_program: &'a Interface<'info, TokenInterface>,
}

impl Payout<'_, '_> {
    /// The schedule is the network's, with this mint and vault.
    pub fn check_schedule(&self) -> Result<()> {
        let data = self.schedule.try_borrow_data()?;
        let schedule = ScheduleView::new(&data)?;
        require_keys_eq!(
            schedule.network(),
            *self.network.key,
            EmissionsError::WrongNetwork
        );
        require_keys_eq!(
            schedule.reward_mint(),
            *self.reward_mint.key,
            EmissionsError::WrongMint
        );
        require_keys_eq!(schedule.vault(), *self.vault.key, EmissionsError::WrongMint);
        Ok(())
    }

    /// The reward proof leads from (`node`, cumulative amount) to a recent root; the
    /// receiving account holds the reward mint for `owner`; the vault is the authority's.
    pub fn check_claim(&self, node: &Pubkey, owner: &Pubkey, args: &ClaimArgs) -> Result<()> {
        let data = self.schedule.try_borrow_data()?;
        let schedule = ScheduleView::new(&data)?;
        let root = schedule
            .root_for(args.epoch)
            .ok_or(EmissionsError::RootNotRecent)?;
        let leaf = reward_leaf::<Syscall>(&node.to_bytes(), args.cumulative_amount);
        require!(
            verify_packed::<Syscall>(&root, &leaf, &args.proof),
            EmissionsError::InvalidProof
        );
        let token_program = self.token_program.key();
        let (mint, rewards_owner) = token_account_mint_owner(self.owner_rewards, &token_program)?;
        require_keys_eq!(mint, schedule.reward_mint(), EmissionsError::WrongMint);
        require_keys_eq!(rewards_owner, *owner, EmissionsError::NotNodeOwnerAccount);
        let (_, vault_owner) = token_account_mint_owner(self.vault, &token_program)
            .map_err(|_| error!(EmissionsError::WrongMint))?;
        require_keys_eq!(
            vault_owner,
            *self.mint_authority.key,
            EmissionsError::WrongMintAuthority
        );
        Ok(())
    }

    /// Pays `cumulative_amount − claimed` from the vault; returns what was paid.
    pub fn pay(&self, claimed: u64, args: &ClaimArgs) -> Result<u64> {
        let pay = args
            .cumulative_amount
            .checked_sub(claimed)
            .filter(|p| *p > 0)
            .ok_or(EmissionsError::NothingToClaim)?;
        let decimals = {
            let mint = self.reward_mint.try_borrow_data()?;
            require_keys_eq!(
                *self.reward_mint.owner,
                self.token_program.key(),
                EmissionsError::WrongMint
            );
            require!(mint.len() >= MINT_LEN, EmissionsError::WrongMint);
            mint[MINT_DECIMALS]
        };
        let authority_bump = ScheduleView::new(&self.schedule.try_borrow_data()?)?.authority_bump();
        let network = *self.network.key;
        let signer: &[&[u8]] = &[seeds::AUTHORITY, network.as_ref(), &[authority_bump]];
        token_interface::transfer_checked(
            CpiContext::new_with_signer(
                self.token_program.key(),
                TransferChecked {
                    from: self.vault.clone(),
                    mint: self.reward_mint.clone(),
                    to: self.owner_rewards.clone(),
                    authority: self.mint_authority.clone(),
                },
                &[signer],
            ),
            pay,
            decimals,
        )?;
        Ok(pay)
    }
}

impl<'info> Claim<'info> {
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
        // The node's PDA under the network the schedule proved.
        let node = Pubkey::create_program_address(
            &[
                node_registry::seeds::NODE,
                self.network.key().as_ref(),
                self.node.device_key.as_ref(),
                &[self.node.bump],
            ],
            &node_registry::ID,
        )
        .map_err(|_| error!(EmissionsError::WrongNetwork))?;
        require_keys_eq!(node, self.node.key(), EmissionsError::WrongNetwork);
        // Suspension is the network's answer to fraud: what the node earned waits.
        require!(
            self.node.status == NodeStatus::Active,
            EmissionsError::NodeSuspended
        );
        payout.check_claim(&node, &self.node.owner, args)
    }

    pub fn handler(ctx: Context<Self>, args: ClaimArgs) -> Result<()> {
        let a = ctx.accounts;
        let paid = a.payout().pay(a.claim.claimed, &args)?;
        let node = a.node.key();
        let claim = &mut a.claim;
        claim.node = node;
        claim.claimed = args.cumulative_amount;
        claim.last_epoch = args.epoch;
        crate::events::emit(RewardsClaimed {
            network: a.network.key(),
            node,
            owner: a.node.owner,
            epoch: args.epoch,
            cumulative_amount: args.cumulative_amount,
            paid,
        });
        Ok(())
    }
}
