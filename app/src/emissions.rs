//! emissions client: PDAs, instruction builders from the program's own types, and calls.
use crate::registry::Registry;
use crate::transport::{Transport, TxOutcome};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use anyhow::{Context, Result};
use emissions::state::ClaimRecord;
use emissions::{accounts as acc, instruction as data, seeds, ClaimArgs, ScheduleArgs};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeSet;

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

/// `usage`: fee_settlement's usage record of the epoch, required when the schedule re-mints
/// burns (see [`finalize_epoch_instructions`]).
pub fn finalize_epoch(
    network: &Pubkey,
    r: RewardAccounts,
    epoch: u64,
    usage: Option<Pubkey>,
) -> Instruction {
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
            usage,
        },
        data::FinalizeEpoch { epoch },
    )
}

/// Creates `node`'s claim record (before its first claim), paid by `payer`.
pub fn open_claim(payer: &Pubkey, node: &Pubkey) -> Instruction {
    build(
        acc::OpenClaim {
            payer: *payer,
            node: *node,
            claim: claim_address(node),
            system_program: SYSTEM_PROGRAM,
        },
        data::OpenClaim {},
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

/// Records a compressed node's owner and standing from `node` (a proof from the client's
/// tree) in its claim record at `[CLAIM, node address]`.
pub fn prove_compressed_node(
    payer: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    node: node_registry::state::NodeProof,
) -> Instruction {
    let address = crate::pda::node(network, &node.device_key).0;
    build(
        acc::ProveCompressedNode {
            payer: *payer,
            network: *network,
            tree: *tree,
            node_address: address,
            claim: claim_address(&address),
            system_program: SYSTEM_PROGRAM,
        },
        data::ProveCompressedNode { node },
    )
}

/// A claim for the compressed node of `device` (proven first with
/// [`prove_compressed_node`]), paid into `owner_rewards`.
pub fn claim_compressed(
    payer: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    device: &Pubkey,
    owner_rewards: &Pubkey,
    r: RewardAccounts,
    args: ClaimArgs,
) -> Instruction {
    let address = crate::pda::node(network, device).0;
    build(
        acc::ClaimCompressed {
            payer: *payer,
            network: *network,
            schedule: schedule_address(network),
            tree: *tree,
            claim: claim_address(&address),
            owner_rewards: *owner_rewards,
            vault: vault_address(network),
            reward_mint: r.reward_mint,
            mint_authority: authority_address(network),
            token_program: r.token_program,
        },
        data::ClaimCompressed { args },
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

/// `finalize_epoch` for `epoch`, with the epoch's usage record when the schedule re-mints
/// burns (opened first, paid by `payer`, if nobody used the epoch).
pub fn finalize_epoch_instructions(
    t: &dyn Transport,
    payer: &Pubkey,
    network: &Pubkey,
    epoch: u64,
) -> Result<Vec<Instruction>> {
    let s = schedule(t, network)?;
    let r = reward_accounts(t, network)?;
    let mut ixs = vec![];
    let usage = if s.bme_share_bps > 0 {
        ixs.extend(crate::settlement::open_usage_if_missing(
            t, payer, network, epoch,
        )?);
        Some(crate::settlement::usage_address(network, epoch))
    } else {
        None
    };
    ixs.push(finalize_epoch(network, r, epoch, usage));
    Ok(ixs)
}

/// Tokens fee_settlement burned for credits in `epoch` (0 without a usage record).
pub fn tokens_burned_in(t: &dyn Transport, network: &Pubkey, epoch: u64) -> Result<u64> {
    Ok(crate::settlement::usage(t, network, epoch)?
        .map(|u| u.tokens_burned_for_credits)
        .unwrap_or(0))
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
        let ixs = finalize_epoch_instructions(self.reg.transport, &payer.pubkey(), network, epoch)?;
        self.reg.send(&ixs, payer, &[])
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
        let mut created = BTreeSet::new();
        let ixs = claim_instructions(
            self.reg.transport,
            &payer.pubkey(),
            network,
            &r,
            node,
            args,
            &mut created,
        )?;
        self.reg.send(&ixs, payer, &[])
    }
}

/// A node's claim record, `None` before its first claim.
/// The claim record of `device`'s compressed node in `network`.
pub fn compressed_claim(
    t: &(impl Transport + ?Sized),
    network: &Pubkey,
    device: &Pubkey,
) -> Result<emissions::CompressedClaim> {
    let node = crate::pda::node(network, device).0;
    Ok(crate::accounts::require_of(
        t,
        "compressed claim record",
        &claim_address(&node),
        &emissions::ID,
    )?)
}

pub fn claim_record(t: &(impl Transport + ?Sized), node: &Pubkey) -> Result<Option<ClaimRecord>> {
    let address = claim_address(node);
    match t.get_account(&address)? {
        None => Ok(None),
        Some(a) if a.owner != emissions::ID => {
            anyhow::bail!(
                "claim record {address} is owned by {}, not emissions",
                a.owner
            )
        }
        Some(a) => Ok(Some(crate::accounts::decode(
            "claim record",
            &address,
            &a.data,
        )?)),
    }
}

/// The claim for `node` into its current owner's associated reward account, preceded by
/// the node's claim record (`open_claim`) and that token account where they do not exist
/// yet and are not in `created` (accounts an earlier instruction of the batch creates).
pub fn claim_instructions(
    t: &(impl Transport + ?Sized),
    payer: &Pubkey,
    network: &Pubkey,
    r: &RewardAccounts,
    node: &Pubkey,
    args: ClaimArgs,
    created: &mut BTreeSet<Pubkey>,
) -> Result<Vec<Instruction>> {
    let owner = crate::accounts::node(t, node)?.owner;
    let ata = crate::pda::associated_token(&owner, &r.reward_mint, &r.token_program);
    let mut ixs = vec![];
    let record = claim_address(node);
    if !created.contains(&record) && t.get_account(&record)?.is_none() {
        ixs.push(open_claim(payer, node));
        created.insert(record);
    }
    if !created.contains(&ata) && t.get_account(&ata)?.is_none() {
        ixs.push(crate::tokens::create_associated_account(
            payer,
            &owner,
            &r.reward_mint,
            &r.token_program,
        ));
        created.insert(ata);
    }
    ixs.push(claim(payer, network, node, &ata, *r, args));
    Ok(ixs)
}

/// Packs claims, in order, into as few transactions as fit the packet limit (1,232 bytes)
/// and the default compute limit.
pub fn pack_claims(
    t: &(impl Transport + ?Sized),
    payer: &Pubkey,
    network: &Pubkey,
    claims: Vec<(Pubkey, ClaimArgs)>,
) -> Result<Vec<Vec<Instruction>>> {
    const PACKET: usize = 1_232;
    // Conservative: a claim stays under 50,000 CU; the default transaction limit is 1.4 M.
    const MAX_PER_TX: usize = 24;
    let r = reward_accounts(t, network)?;
    let blockhash = t.latest_blockhash()?;
    let budget = t.compute_budget().instructions();
    let fits = |ixs: &[Instruction]| {
        let all: Vec<Instruction> = budget.iter().chain(ixs).cloned().collect();
        let msg = solana_message::Message::new_with_blockhash(&all, Some(payer), &blockhash);
        let tx = solana_transaction::Transaction::new_unsigned(msg);
        crate::txcodec::size(&tx) <= PACKET
    };
    let mut created = BTreeSet::new();
    let mut batches: Vec<Vec<Instruction>> = vec![];
    let mut current: Vec<Instruction> = vec![];
    let mut in_current = 0usize;
    for (node, args) in claims {
        let ixs = claim_instructions(t, payer, network, &r, &node, args, &mut created)?;
        let mut candidate = current.clone();
        candidate.extend(ixs.iter().cloned());
        if in_current < MAX_PER_TX && fits(&candidate) {
            current = candidate;
            in_current += 1;
            continue;
        }
        anyhow::ensure!(
            !current.is_empty(),
            "the claim for node {node} alone does not fit in a transaction"
        );
        batches.push(std::mem::take(&mut current));
        anyhow::ensure!(
            fits(&ixs),
            "the claim for node {node} alone does not fit in a transaction"
        );
        current = ixs;
        in_current = 1;
    }
    if !current.is_empty() {
        batches.push(current);
    }
    Ok(batches)
}
