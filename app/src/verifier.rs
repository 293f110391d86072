//! proof_verifier client: PDAs, instruction builders (from the program's Anchor-generated
//! `accounts::`/`instruction::` types), oracle signatures, and one call per instruction.
use crate::registry::Registry;
use crate::transport::TxOutcome;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{InstructionData, ToAccountMetas};
use anyhow::Result;
use depin_core::attestation::{epoch_report_message, work_receipt_message};
use proof_verifier::{
    accounts as acc, instruction as data, seeds, OracleSetArgs, ReceiptArgs, StorageChunkArgs,
    StorageCommitArgs, SubmitReportArgs, UpdateOracleSetArgs,
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;
const INSTRUCTIONS_SYSVAR: Pubkey = crate::ix::INSTRUCTIONS_SYSVAR;
const ED25519_PROGRAM: Pubkey = node_registry::instructions::signatures::ED25519_PROGRAM_ID;

pub fn oracle_set_address(network: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[seeds::ORACLES, network.as_ref()], &proof_verifier::ID).0
}

pub fn report_address(network: &Pubkey, epoch: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[seeds::REPORT, network.as_ref(), &epoch.to_le_bytes()],
        &proof_verifier::ID,
    )
    .0
}

/// `[CHALLENGES, network, epoch_le]`: an epoch's challenge seed (issue 14).
pub fn challenges_address(network: &Pubkey, epoch: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[seeds::CHALLENGES, network.as_ref(), &epoch.to_le_bytes()],
        &proof_verifier::ID,
    )
    .0
}

/// `[STORAGE, node]`: a storage node's committed data root (issue 14).
pub fn storage_commitment_address(node: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[seeds::STORAGE, node.as_ref()], &proof_verifier::ID).0
}

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: proof_verifier::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// What oracles sign for one epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReportContent {
    pub epoch: u64,
    /// Reports of this epoch voided so far (0 unless one was voided); see [`next_round`].
    pub round: u32,
    pub root: [u8; 32],
    pub total_work: u64,
    pub node_count: u32,
}

impl ReportContent {
    pub fn message(&self, network: &Pubkey) -> Vec<u8> {
        epoch_report_message(
            &network.to_bytes(),
            self.epoch,
            self.round,
            &self.root,
            self.total_work,
            self.node_count,
        )
        .to_vec()
    }
}

/// One ed25519 precompile instruction with every `signers`' signature over `message`
/// (depin-core's canonical shared layout).
pub fn shared_signature_instruction(signers: &[&Keypair], message: &[u8]) -> Instruction {
    let sigs: Vec<([u8; 32], [u8; 64])> = signers
        .iter()
        .map(|k| (k.pubkey().to_bytes(), k.sign_message(message).into()))
        .collect();
    Instruction {
        program_id: ED25519_PROGRAM,
        accounts: vec![],
        data: depin_core::ed25519::encode_shared(&sigs, message),
    }
}

pub fn init_oracle_set(authority: &Pubkey, network: &Pubkey, args: OracleSetArgs) -> Instruction {
    build(
        acc::InitOracleSet {
            authority: *authority,
            network: *network,
            oracle_set: oracle_set_address(network),
            system_program: SYSTEM_PROGRAM,
        },
        data::InitOracleSet { args },
    )
}

pub fn update_oracle_set(
    authority: &Pubkey,
    network: &Pubkey,
    args: UpdateOracleSetArgs,
) -> Instruction {
    build(
        acc::UpdateOracleSet {
            authority: *authority,
            network: *network,
            oracle_set: oracle_set_address(network),
        },
        data::UpdateOracleSet { args },
    )
}

/// `submit_report` alone; with `signatures > 0` it must follow the shared-signature
/// instruction (see [`submit_report_instructions`]).
pub fn submit_report(
    oracle: &Pubkey,
    network: &Pubkey,
    report: ReportContent,
    signatures: u8,
) -> Instruction {
    build(
        acc::SubmitReport {
            oracle: *oracle,
            network: *network,
            oracle_set: oracle_set_address(network),
            report: report_address(network, report.epoch),
            instructions: INSTRUCTIONS_SYSVAR,
            system_program: SYSTEM_PROGRAM,
        },
        data::SubmitReport {
            args: SubmitReportArgs {
                epoch: report.epoch,
                root: report.root,
                total_work: report.total_work,
                node_count: report.node_count,
                signatures,
            },
        },
    )
}

/// The submitter's instruction, preceded by the co-signers' signatures if there are any.
pub fn submit_report_instructions(
    oracle: &Pubkey,
    network: &Pubkey,
    report: ReportContent,
    cosigners: &[&Keypair],
) -> Vec<Instruction> {
    let mut ixs = vec![];
    if !cosigners.is_empty() {
        ixs.push(shared_signature_instruction(
            cosigners,
            &report.message(network),
        ));
    }
    ixs.push(submit_report(
        oracle,
        network,
        report,
        cosigners.len() as u8,
    ));
    ixs
}

pub fn approve_report(
    oracle: &Pubkey,
    network: &Pubkey,
    epoch: u64,
    root: [u8; 32],
) -> Instruction {
    build(
        acc::ApproveReport {
            oracle: *oracle,
            network: *network,
            oracle_set: oracle_set_address(network),
            report: report_address(network, epoch),
        },
        data::ApproveReport { epoch, root },
    )
}

pub fn dispute_report(signer: &Pubkey, network: &Pubkey, epoch: u64) -> Instruction {
    build(
        acc::DisputeReport {
            signer: *signer,
            network: *network,
            oracle_set: oracle_set_address(network),
            report: report_address(network, epoch),
        },
        data::DisputeReport { epoch },
    )
}

pub fn void_report(authority: &Pubkey, network: &Pubkey, epoch: u64) -> Instruction {
    build(
        acc::VoidReport {
            authority: *authority,
            network: *network,
            report: report_address(network, epoch),
        },
        data::VoidReport { epoch },
    )
}

/// The round a new report for `epoch` must sign: the reports of it voided so far.
pub fn next_round(
    t: &(impl crate::transport::Transport + ?Sized),
    network: &Pubkey,
    epoch: u64,
) -> Result<u32> {
    match t.get_account(&report_address(network, epoch))? {
        None => Ok(0),
        Some(_) => Ok(report(t, network, epoch)?.round),
    }
}

pub fn finalize_report(network: &Pubkey, epoch: u64) -> Instruction {
    build(
        acc::FinalizeReport {
            network: *network,
            oracle_set: oracle_set_address(network),
            report: report_address(network, epoch),
        },
        data::FinalizeReport { epoch },
    )
}

/// `open_challenges`: records `epoch`'s challenge seed from the newest slot hash (anyone
/// pays).
pub fn open_challenges(payer: &Pubkey, network: &Pubkey, epoch: u64) -> Instruction {
    build(
        acc::OpenChallenges {
            payer: *payer,
            network: *network,
            oracle_set: oracle_set_address(network),
            challenges: challenges_address(network, epoch),
            slot_hashes: proof_verifier::SLOT_HASHES_ID,
            system_program: SYSTEM_PROGRAM,
        },
        data::OpenChallenges { epoch },
    )
}

/// `commit_storage` for the node of `device`, signed by its `owner`.
pub fn commit_storage(
    owner: &Pubkey,
    network: &Pubkey,
    device: &Pubkey,
    args: StorageCommitArgs,
) -> Instruction {
    let node = crate::pda::node(network, device).0;
    build(
        acc::CommitStorage {
            owner: *owner,
            network: *network,
            node,
            commitment: storage_commitment_address(&node),
            system_program: SYSTEM_PROGRAM,
        },
        data::CommitStorage { args },
    )
}

/// `verify_storage_chunk` for the node of `device`.
pub fn verify_storage_chunk(
    network: &Pubkey,
    device: &Pubkey,
    args: StorageChunkArgs,
) -> Instruction {
    let node = crate::pda::node(network, device).0;
    build(
        acc::VerifyStorageChunk {
            network: *network,
            node,
            commitment: storage_commitment_address(&node),
            challenges: challenges_address(network, args.epoch),
        },
        data::VerifyStorageChunk { args },
    )
}

/// A node's storage commitment, if it made one.
pub fn storage_commitment(
    t: &(impl crate::transport::Transport + ?Sized),
    node: &Pubkey,
) -> Result<Option<proof_verifier::StorageCommitment>> {
    Ok(crate::accounts::fetch_of(
        t,
        "storage commitment",
        &storage_commitment_address(node),
        &proof_verifier::ID,
    )?)
}

/// Every storage commitment of `network`'s nodes, in one query (discriminator and network).
pub fn storage_commitments_of(
    t: &(impl crate::transport::Transport + ?Sized),
    network: &Pubkey,
) -> Result<Vec<(Pubkey, proof_verifier::StorageCommitment)>> {
    use anchor_lang::{AccountDeserialize, Discriminator};
    let filters = [
        crate::transport::AccountFilter::Memcmp {
            offset: 0,
            bytes: proof_verifier::StorageCommitment::DISCRIMINATOR.to_vec(),
        },
        crate::transport::AccountFilter::Memcmp {
            offset: 8,
            bytes: network.to_bytes().to_vec(),
        },
    ];
    t.program_accounts(&proof_verifier::ID, &filters)?
        .into_iter()
        .map(|(k, a)| {
            let c = proof_verifier::StorageCommitment::try_deserialize(&mut a.data.as_slice())
                .map_err(|e| anyhow::anyhow!("storage commitment {k}: {e}"))?;
            Ok((k, c))
        })
        .collect()
}

/// An epoch's challenge seed, if its challenges are open.
pub fn challenges(
    t: &(impl crate::transport::Transport + ?Sized),
    network: &Pubkey,
    epoch: u64,
) -> Result<Option<proof_verifier::EpochChallenges>> {
    Ok(crate::accounts::fetch_of(
        t,
        "epoch challenges",
        &challenges_address(network, epoch),
        &proof_verifier::ID,
    )?)
}

/// The device's signed receipt and the `verify_receipt` instruction that checks it.
pub fn verify_receipt_instructions(
    device: &Keypair,
    network: &Pubkey,
    args: ReceiptArgs,
) -> Vec<Instruction> {
    let message = work_receipt_message(
        &network.to_bytes(),
        &device.pubkey().to_bytes(),
        args.epoch,
        args.work_units,
        args.nonce,
    );
    let node = crate::pda::node(network, &device.pubkey()).0;
    vec![
        shared_signature_instruction(&[device], &message),
        build(
            acc::VerifyReceipt {
                network: *network,
                node,
                instructions: INSTRUCTIONS_SYSVAR,
            },
            data::VerifyReceipt { args },
        ),
    ]
}

/// Reading the verifier's accounts.
pub fn oracle_set(
    t: &(impl crate::transport::Transport + ?Sized),
    network: &Pubkey,
) -> Result<proof_verifier::OracleSet> {
    Ok(crate::accounts::require_of(
        t,
        "oracle set",
        &oracle_set_address(network),
        &proof_verifier::ID,
    )?)
}

pub fn report(
    t: &(impl crate::transport::Transport + ?Sized),
    network: &Pubkey,
    epoch: u64,
) -> Result<proof_verifier::EpochReport> {
    Ok(crate::accounts::require_of(
        t,
        "epoch report",
        &report_address(network, epoch),
        &proof_verifier::ID,
    )?)
}

/// One call per instruction, signed by the key that must sign it.
pub struct Verifier<'t> {
    reg: Registry<'t>,
}

impl<'t> Verifier<'t> {
    pub fn new(transport: &'t dyn crate::transport::Transport) -> Self {
        Verifier {
            reg: Registry::new(transport),
        }
    }

    pub fn init_oracle_set(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: OracleSetArgs,
    ) -> Result<TxOutcome> {
        let ix = init_oracle_set(&authority.pubkey(), network, args);
        self.reg.send(&[ix], authority, &[])
    }

    pub fn update_oracle_set(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: UpdateOracleSetArgs,
    ) -> Result<TxOutcome> {
        let ix = update_oracle_set(&authority.pubkey(), network, args);
        self.reg.send(&[ix], authority, &[])
    }

    pub fn submit_report(
        &self,
        oracle: &Keypair,
        network: &Pubkey,
        report: ReportContent,
        cosigners: &[&Keypair],
    ) -> Result<TxOutcome> {
        let report = ReportContent {
            round: next_round(self.reg.transport, network, report.epoch)?,
            ..report
        };
        let ixs = submit_report_instructions(&oracle.pubkey(), network, report, cosigners);
        self.reg.send(&ixs, oracle, &[])
    }

    pub fn approve_report(
        &self,
        oracle: &Keypair,
        network: &Pubkey,
        epoch: u64,
        root: [u8; 32],
    ) -> Result<TxOutcome> {
        let ix = approve_report(&oracle.pubkey(), network, epoch, root);
        self.reg.send(&[ix], oracle, &[])
    }

    pub fn dispute_report(
        &self,
        signer: &Keypair,
        network: &Pubkey,
        epoch: u64,
    ) -> Result<TxOutcome> {
        let ix = dispute_report(&signer.pubkey(), network, epoch);
        self.reg.send(&[ix], signer, &[])
    }

    pub fn void_report(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        epoch: u64,
    ) -> Result<TxOutcome> {
        let ix = void_report(&authority.pubkey(), network, epoch);
        self.reg.send(&[ix], authority, &[])
    }

    pub fn finalize_report(
        &self,
        payer: &Keypair,
        network: &Pubkey,
        epoch: u64,
    ) -> Result<TxOutcome> {
        self.reg
            .send(&[finalize_report(network, epoch)], payer, &[])
    }

    /// Opens `epoch`'s challenges (records its seed), paid by `payer`.
    pub fn open_challenges(
        &self,
        payer: &Keypair,
        network: &Pubkey,
        epoch: u64,
    ) -> Result<TxOutcome> {
        self.reg.send(
            &[open_challenges(&payer.pubkey(), network, epoch)],
            payer,
            &[],
        )
    }

    /// Commits the storage of `owner`'s node of `device`.
    pub fn commit_storage(
        &self,
        owner: &Keypair,
        network: &Pubkey,
        device: &Pubkey,
        args: StorageCommitArgs,
    ) -> Result<TxOutcome> {
        let ix = commit_storage(&owner.pubkey(), network, device, args);
        self.reg.send(&[ix], owner, &[])
    }

    /// Proves one challenged chunk of `device`'s node on chain, paid by `payer`.
    pub fn verify_storage_chunk(
        &self,
        payer: &Keypair,
        network: &Pubkey,
        device: &Pubkey,
        args: StorageChunkArgs,
    ) -> Result<TxOutcome> {
        self.reg
            .send(&[verify_storage_chunk(network, device, args)], payer, &[])
    }

    /// Verifies `device`'s receipt on chain, paid by `payer`.
    pub fn verify_receipt(
        &self,
        payer: &Keypair,
        device: &Keypair,
        network: &Pubkey,
        args: ReceiptArgs,
    ) -> Result<TxOutcome> {
        let ixs = verify_receipt_instructions(device, network, args);
        self.reg.send(&ixs, payer, &[])
    }
}
