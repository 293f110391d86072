//! emissions client: PDAs, instruction builders from the program's own types, and calls.
use crate::registry::Registry;
use crate::transport::{Transport, TxOutcome};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use anyhow::{Context, Result};
use emissions::{accounts as acc, instruction as data, seeds, ClaimArgs, ScheduleArgs};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;

fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &emissions::ID).0
}

pub fn schedule_address(network: &Pubkey) -> Pubkey {
    pda(&[seeds::SCHEDULE, network.as_ref()])
}

/// The reward mint's required mint authority (and the vault's owner).
pub fn authority_address(network: &Pubkey) -> Pubkey {
    pda(&[seeds::AUTHORITY, network.as_ref()])
}

pub fn vault_address(network: &Pubkey) -> Pubkey {
    pda(&[seeds::VAULT, network.as_ref()])
}

pub fn claim_address(node: &Pubkey) -> Pubkey {
    pda(&[seeds::CLAIM, node.as_ref()])
}

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: emissions::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// Where the non-operator shares go, and the token program of the reward mint.
#[derive(Debug, Clone, Copy)]
pub struct RewardAccounts {
    pub reward_mint: Pubkey,
    pub oracle_rewards: Pubkey,
    pub treasury: Pubkey,
    pub token_program: Pubkey,
}

pub fn initialize(
    authority: &Pubkey,
    network: &Pubkey,
    r: RewardAccounts,
    args: ScheduleArgs,
) -> Instruction {
    build(
        acc::Initialize {
            authority: *authority,
            network: *network,
            schedule: schedule_address(network),
            reward_mint: r.reward_mint,
            mint_authority: authority_address(network),
            vault: vault_address(network),
            oracle_rewards: r.oracle_rewards,
            treasury: r.treasury,
            token_program: r.token_program,
            system_program: SYSTEM_PROGRAM,
        },
        data::Initialize { args },
    )
}

pub fn finalize_epoch(network: &Pubkey, r: RewardAccounts, epoch: u64) -> Instruction {
    build(
        acc::FinalizeEpoch {
            network: *network,
            schedule: schedule_address(network),
            report: crate::verifier::report_address(network, epoch),
            reward_mint: r.reward_mint,
            mint_authority: authority_address(network),
            vault: vault_address(network),
            oracle_rewards: r.oracle_rewards,
            treasury: r.treasury,
            token_program: r.token_program,
        },
        data::FinalizeEpoch { epoch },
    )
}

/// A claim for `node` paid into `owner_rewards` (a reward-mint account of the node's owner).
pub fn claim(
    payer: &Pubkey,
    network: &Pubkey,
    node: &Pubkey,
    owner_rewards: &Pubkey,
    r: RewardAccounts,
    args: ClaimArgs,
) -> Instruction {
    build(
        acc::Claim {
            payer: *payer,
            network: *network,
            schedule: schedule_address(network),
            node: *node,
            claim: claim_address(node),
            owner_rewards: *owner_rewards,
            vault: vault_address(network),
            reward_mint: r.reward_mint,
            mint_authority: authority_address(network),
            token_program: r.token_program,
            system_program: SYSTEM_PROGRAM,
        },
        data::Claim { args },
    )
}

pub fn schedule(
    t: &(impl Transport + ?Sized),
    network: &Pubkey,
) -> Result<emissions::EmissionSchedule> {
    Ok(crate::accounts::require_of(
        t,
        "emission schedule",
        &schedule_address(network),
        &emissions::ID,
    )?)
}

/// The reward accounts a schedule names (read from chain).
pub fn reward_accounts(t: &(impl Transport + ?Sized), network: &Pubkey) -> Result<RewardAccounts> {
    let s = schedule(t, network)?;
    let mint = t
        .get_account(&s.reward_mint)?
        .with_context(|| format!("reward mint {} does not exist", s.reward_mint))?;
    Ok(RewardAccounts {
        reward_mint: s.reward_mint,
        oracle_rewards: s.oracle_rewards,
        treasury: s.treasury,
        token_program: mint.owner,
    })
}

/// One call per instruction.
pub struct Emissions<'t> {
    reg: Registry<'t>,
}

impl<'t> Emissions<'t> {
    pub fn new(transport: &'t dyn Transport) -> Self {
        Emissions {
            reg: Registry::new(transport),
        }
    }

    pub fn initialize(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        r: RewardAccounts,
        args: ScheduleArgs,
    ) -> Result<TxOutcome> {
        let ix = initialize(&authority.pubkey(), network, r, args);
        self.reg.send(&[ix], authority, &[])
    }

    pub fn finalize_epoch(
        &self,
        payer: &Keypair,
        network: &Pubkey,
        epoch: u64,
    ) -> Result<TxOutcome> {
        let r = reward_accounts(self.reg.transport, network)?;
        self.reg
            .send(&[finalize_epoch(network, r, epoch)], payer, &[])
    }

    /// Claims for `node` into its current owner's associated reward account (created if
    /// missing, paid by `payer`).
    pub fn claim(
        &self,
        payer: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
        args: ClaimArgs,
    ) -> Result<TxOutcome> {
        let r = reward_accounts(self.reg.transport, network)?;
        let owner = crate::accounts::node(self.reg.transport, node)?.owner;
        let ata = crate::pda::associated_token(&owner, &r.reward_mint, &r.token_program);
        let mut ixs = vec![];
        if self.reg.transport.get_account(&ata)?.is_none() {
            ixs.push(crate::tokens::create_associated_account(
                &payer.pubkey(),
                &owner,
                &r.reward_mint,
                &r.token_program,
            ));
        }
        ixs.push(claim(&payer.pubkey(), network, node, &ata, r, args));
        self.reg.send(&ixs, payer, &[])
    }
}
