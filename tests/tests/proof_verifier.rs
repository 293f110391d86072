//! proof_verifier: oracle sets, M-of-N epoch reports (signatures in one transaction or
//! approvals over several), disputes, voiding, finalisation and receipt spot checks.
use anchor_lang::prelude::Pubkey;
use depin::verifier::{self as v, ReportContent, Verifier};
use depin_tests::*;
use node_registry::state::NodeStatus;
use proof_verifier::{
    OracleSetArgs, ProofError as P, ReceiptArgs, ReportStatus, UpdateOracleSetArgs,
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const EPOCH_S: u32 = 3_600;
const CHALLENGE_S: u32 = 600;

fn pcode(e: P) -> u32 {
    u32::from(e)
}

/// A world with three funded oracles, threshold 2, and ten ended epochs.
struct Oracles {
    w: World,
    keys: Vec<Keypair>,
}

impl Oracles {
    fn new() -> Self {
        let w = World::new();
        let keys: Vec<Keypair> = (0..3).map(|_| w.device()).collect();
        for k in &keys {
            w.fund(&k.pubkey(), 1_000_000_000);
        }
        let genesis = w.now() as i64 - 10 * i64::from(EPOCH_S);
        Verifier::new(&w.net)
            .init_oracle_set(
                &w.operator,
                &w.network,
                OracleSetArgs {
                    oracles: keys.iter().map(|k| k.pubkey()).collect(),
                    threshold: 2,
                    genesis_ts: genesis,
                    epoch_length_s: EPOCH_S,
                    challenge_period_s: CHALLENGE_S,
                },
            )
            .unwrap();
        Oracles { w, keys }
    }

    fn v(&self) -> Verifier<'_> {
        Verifier::new(&self.w.net)
    }

    fn content(&self, epoch: u64, root_byte: u8) -> ReportContent {
        ReportContent {
            round: 0,
            epoch,
            root: [root_byte; 32],
            total_work: 1_000,
            node_count: 7,
        }
    }

    fn report_address(&self, epoch: u64) -> Pubkey {
        v::report_address(&self.w.network, epoch)
    }

    fn report(&self, epoch: u64) -> proof_verifier::EpochReport {
        v::report(&self.w.net, &self.w.network, epoch).unwrap()
    }

    /// `ixs` sent by oracle `by` must fail with `code` and change neither the report nor
    /// the oracle set.
    fn refuse(&self, by: &Keypair, epoch: u64, code: u32, ixs: Vec<Instruction>) {
        let watch = [
            self.report_address(epoch),
            v::oracle_set_address(&self.w.network),
        ];
        self.w
            .assert_refused(&watch, &[by.pubkey()], code, || self.w.send(&ixs, by, &[]));
    }
}

#[test]
fn two_of_three_in_one_transaction_then_final_after_the_challenge_period() {
    let o = Oracles::new();
    let c = o.content(3, 0xAB);
    let out = o
        .v()
        .submit_report(&o.keys[0], &o.w.network, c, &[&o.keys[1]])
        .unwrap();
    let r = o.report(3);
    assert_eq!(
        (
            r.root,
            r.total_work,
            r.node_count,
            r.approval_count,
            r.approvals,
            r.status
        ),
        (c.root, 1_000, 7, 2, 0b011, ReportStatus::Pending)
    );
    assert_eq!(r.threshold_reached_at as u64, o.w.now());
    assert!(out.logs.iter().any(|l| l.starts_with("Program data: ")));
    // still in the challenge period
    let fin = vec![v::finalize_report(&o.w.network, 3)];
    o.refuse(&o.keys[2], 3, pcode(P::ChallengePeriodActive), fin.clone());
    o.w.net.advance_time(i64::from(CHALLENGE_S)).unwrap();
    // anyone may finalise
    let stranger = o.w.owner(0);
    o.w.send(&fin, &stranger.keypair, &[]).unwrap();
    let r = o.report(3);
    assert_eq!(r.status, ReportStatus::Final);
    // a second time is refused
    o.w.net.advance_time(1).unwrap();
    o.refuse(&o.keys[2], 3, pcode(P::ReportNotPending), fin);
    // and the epoch cannot be reported again
    let again = v::submit_report_instructions(&o.keys[2].pubkey(), &o.w.network, c, &[]);
    o.refuse(&o.keys[2], 3, pcode(P::ReportAlreadyExists), again);
}

#[test]
fn three_signatures_in_one_transaction_fit_a_packet() {
    let o = Oracles::new();
    let c = o.content(8, 0x33);
    let ixs = v::submit_report_instructions(
        &o.keys[0].pubkey(),
        &o.w.network,
        c,
        &[&o.keys[1], &o.keys[2]],
    );
    let mut tx = o.w.reg().unsigned(&ixs, &o.keys[0].pubkey()).unwrap();
    depin::txcodec::sign(&mut tx, &o.keys[0]).unwrap();
    let size = depin::txcodec::size(&tx);
    assert!(size <= 1232, "3-signature attestation is {size} bytes");
    o.w.send(&ixs, &o.keys[0], &[]).unwrap();
    let r = o.report(8);
    assert_eq!((r.approval_count, r.approvals), (3, 0b111));
}

#[test]
fn approvals_accumulate_over_transactions() {
    let o = Oracles::new();
    let c = o.content(1, 7);
    o.v()
        .submit_report(&o.keys[2], &o.w.network, c, &[])
        .unwrap();
    assert_eq!(o.report(1).approval_count, 1);
    // fewer than M: never final
    o.w.net.advance_time(i64::from(CHALLENGE_S) + 1).unwrap();
    let fin = vec![v::finalize_report(&o.w.network, 1)];
    o.refuse(&o.keys[0], 1, pcode(P::NotEnoughApprovals), fin.clone());
    // an approval for another root does not count
    let other = v::approve_report(&o.keys[0].pubkey(), &o.w.network, 1, [8; 32]);
    o.refuse(&o.keys[0], 1, pcode(P::RootMismatch), vec![other]);
    // a stranger cannot approve
    let stranger = o.w.owner(0);
    let ix = v::approve_report(&stranger.pubkey(), &o.w.network, 1, c.root);
    o.refuse(&stranger.keypair, 1, pcode(P::NotAnOracle), vec![ix]);
    // the submitter cannot approve again
    let ix = v::approve_report(&o.keys[2].pubkey(), &o.w.network, 1, c.root);
    o.refuse(&o.keys[2], 1, pcode(P::AlreadyApproved), vec![ix]);
    o.v()
        .approve_report(&o.keys[0], &o.w.network, 1, c.root)
        .unwrap();
    let r = o.report(1);
    assert_eq!((r.approval_count, r.approvals), (2, 0b101));
    // the same oracle twice
    o.w.net.advance_time(1).unwrap();
    let ix = v::approve_report(&o.keys[0].pubkey(), &o.w.network, 1, c.root);
    o.refuse(&o.keys[0], 1, pcode(P::AlreadyApproved), vec![ix]);
    // the challenge period runs from the M-th approval
    o.refuse(&o.keys[0], 1, pcode(P::ChallengePeriodActive), fin.clone());
    o.w.net.advance_time(i64::from(CHALLENGE_S)).unwrap();
    o.w.send(&fin, &o.keys[1], &[]).unwrap();
    assert_eq!(o.report(1).status, ReportStatus::Final);
}

#[test]
fn a_report_for_an_epoch_that_has_not_ended_is_refused() {
    let o = Oracles::new();
    // genesis was ten epochs ago: epoch 9 ended just now, epoch 10 runs
    let ixs =
        v::submit_report_instructions(&o.keys[0].pubkey(), &o.w.network, o.content(10, 1), &[]);
    o.refuse(&o.keys[0], 10, pcode(P::EpochNotEnded), ixs);
    let ixs =
        v::submit_report_instructions(&o.keys[0].pubkey(), &o.w.network, o.content(9, 1), &[]);
    o.w.send(&ixs, &o.keys[0], &[]).unwrap();
}

#[test]
fn only_set_members_submit_and_sign() {
    let o = Oracles::new();
    let c = o.content(2, 3);
    let outsider = o.w.device();
    o.w.fund(&outsider.pubkey(), 1_000_000_000);
    // a submitter outside the set
    let ixs = v::submit_report_instructions(&outsider.pubkey(), &o.w.network, c, &[]);
    o.refuse(&outsider, 2, pcode(P::NotAnOracle), ixs);
    // a co-signer outside the set
    let ixs = v::submit_report_instructions(&o.keys[0].pubkey(), &o.w.network, c, &[&outsider]);
    o.refuse(&o.keys[0], 2, pcode(P::SignerNotInSet), ixs);
    // the same oracle twice in the signatures, or the submitter's own signature again
    let ixs = v::submit_report_instructions(
        &o.keys[0].pubkey(),
        &o.w.network,
        c,
        &[&o.keys[1], &o.keys[1]],
    );
    o.refuse(&o.keys[0], 2, pcode(P::DuplicateSignature), ixs);
    let ixs = v::submit_report_instructions(&o.keys[0].pubkey(), &o.w.network, c, &[&o.keys[0]]);
    o.refuse(&o.keys[0], 2, pcode(P::DuplicateSignature), ixs);
}

#[test]
fn signatures_must_cover_this_report_in_the_slot_before() {
    let o = Oracles::new();
    let c = o.content(4, 9);
    let submitter = o.keys[0].pubkey();
    // signed over another root
    let signed_other =
        v::shared_signature_instruction(&[&o.keys[1]], &o.content(4, 10).message(&o.w.network));
    let ixs = vec![
        signed_other,
        v::submit_report(&submitter, &o.w.network, c, 1),
    ];
    o.refuse(&o.keys[0], 4, pcode(P::WrongReportMessage), ixs);
    // signed for another network
    let other_net = o.w.create_network("other-oracles").unwrap();
    let signed = v::shared_signature_instruction(&[&o.keys[1]], &c.message(&other_net));
    let ixs = vec![signed, v::submit_report(&submitter, &o.w.network, c, 1)];
    o.refuse(&o.keys[0], 4, pcode(P::WrongReportMessage), ixs);
    // the signatures two slots before (another instruction between)
    let good = v::shared_signature_instruction(&[&o.keys[1]], &c.message(&o.w.network));
    let memo = depin::ix::transfer_lamports(&submitter, &submitter, 0);
    let ixs = vec![
        good.clone(),
        memo,
        v::submit_report(&submitter, &o.w.network, c, 1),
    ];
    o.refuse(&o.keys[0], 4, pcode(P::MissingSignatureInstruction), ixs);
    // more signatures declared than present
    let ixs = vec![
        good.clone(),
        v::submit_report(&submitter, &o.w.network, c, 2),
    ];
    o.refuse(&o.keys[0], 4, pcode(P::SignatureCountMismatch), ixs);
    // offsets pointing into another instruction: the runtime verifies a genuine signature
    // there, the data of the slot before claims another key
    let genuine = v::shared_signature_instruction(&[&o.keys[1]], &c.message(&o.w.network));
    let mut forged = genuine.data.clone();
    for at in [4usize, 8, 14] {
        forged[at..at + 2].copy_from_slice(&0u16.to_le_bytes());
    }
    forged[16..48].copy_from_slice(&o.keys[2].pubkey().to_bytes());
    let forged = Instruction {
        program_id: genuine.program_id,
        accounts: vec![],
        data: forged,
    };
    let ixs = vec![
        genuine,
        forged,
        v::submit_report(&submitter, &o.w.network, c, 1),
    ];
    o.refuse(&o.keys[0], 4, pcode(P::ForeignSignatureData), ixs);
    // the genuine shape goes through
    let ixs = vec![good, v::submit_report(&submitter, &o.w.network, c, 1)];
    o.w.send(&ixs, &o.keys[0], &[]).unwrap();
    assert_eq!(o.report(4).approval_count, 2);
}

#[test]
fn a_disputed_report_is_voided_and_resubmitted() {
    let o = Oracles::new();
    let wrong = o.content(5, 0x01);
    o.v()
        .submit_report(&o.keys[0], &o.w.network, wrong, &[&o.keys[1]])
        .unwrap();
    // a stranger cannot dispute, an oracle can
    let stranger = o.w.owner(0);
    let ix = v::dispute_report(&stranger.pubkey(), &o.w.network, 5);
    o.refuse(
        &stranger.keypair,
        5,
        pcode(P::NotDisputeAuthority),
        vec![ix],
    );
    // voiding needs a dispute first
    let void = v::void_report(&o.w.operator.pubkey(), &o.w.network, 5);
    o.refuse(&o.w.operator, 5, pcode(P::ReportNotDisputed), vec![void]);
    o.v().dispute_report(&o.keys[2], &o.w.network, 5).unwrap();
    assert_eq!(o.report(5).status, ReportStatus::Disputed);
    // a disputed report never finalises, whatever the time
    o.w.net.advance_time(i64::from(CHALLENGE_S) * 10).unwrap();
    let fin = vec![v::finalize_report(&o.w.network, 5)];
    o.refuse(&o.keys[1], 5, pcode(P::ReportNotPending), fin.clone());
    // only the authority voids
    let ix = v::void_report(&o.keys[1].pubkey(), &o.w.network, 5);
    o.refuse(&o.keys[1], 5, pcode(P::NotNetworkAuthority), vec![ix]);
    o.v().void_report(&o.w.operator, &o.w.network, 5).unwrap();
    let r = o.report(5);
    assert_eq!((r.status, r.round), (ReportStatus::Voided, 1));
    // a voided report collects nothing more
    let ix = v::approve_report(&o.keys[2].pubkey(), &o.w.network, 5, wrong.root);
    o.refuse(&o.keys[2], 5, pcode(P::ReportNotPending), vec![ix]);
    // the voided root again with the signature gathered for it: the round differs
    let replay =
        v::submit_report_instructions(&o.keys[0].pubkey(), &o.w.network, wrong, &[&o.keys[1]]);
    o.refuse(&o.keys[0], 5, pcode(P::WrongReportMessage), replay);
    // the corrected report, signed for round 1
    let right = ReportContent {
        round: 1,
        ..o.content(5, 0x02)
    };
    let ixs =
        v::submit_report_instructions(&o.keys[1].pubkey(), &o.w.network, right, &[&o.keys[2]]);
    o.w.send(&ixs, &o.keys[1], &[]).unwrap();
    let r = o.report(5);
    assert_eq!(
        (r.status, r.round, r.approval_count, r.submitter),
        (ReportStatus::Pending, 1, 2, o.keys[1].pubkey())
    );
    // a second submission of the live round is refused
    let again = v::submit_report_instructions(&o.keys[2].pubkey(), &o.w.network, right, &[]);
    o.refuse(&o.keys[2], 5, pcode(P::ReportAlreadyExists), again);
    o.w.net.advance_time(i64::from(CHALLENGE_S)).unwrap();
    o.w.send(&fin, &o.keys[1], &[]).unwrap();
    let r = o.report(5);
    assert_eq!((r.status, r.root), (ReportStatus::Final, right.root));
    // the authority may dispute too, but not a final report
    let ix = v::dispute_report(&o.w.operator.pubkey(), &o.w.network, 5);
    o.refuse(&o.w.operator, 5, pcode(P::ReportNotPending), vec![ix]);
}

#[test]
fn oracle_sets_belong_to_the_network_authority() {
    let o = Oracles::new();
    let stranger = o.w.owner(0);
    let args = UpdateOracleSetArgs {
        oracles: vec![stranger.pubkey()],
        threshold: 1,
        challenge_period_s: 0,
    };
    let ix = v::update_oracle_set(&stranger.pubkey(), &o.w.network, args.clone());
    o.refuse(
        &stranger.keypair,
        0,
        pcode(P::NotNetworkAuthority),
        vec![ix],
    );
    // malformed sets
    let set = |oracles: Vec<Pubkey>, threshold| UpdateOracleSetArgs {
        oracles,
        threshold,
        challenge_period_s: 60,
    };
    let k: Vec<Pubkey> = (0..17).map(|_| Pubkey::new_unique()).collect();
    for (bad, code) in [
        (set(vec![], 1), P::InvalidOracleSet),
        (set(k[..3].to_vec(), 0), P::InvalidOracleSet),
        (set(k[..3].to_vec(), 4), P::InvalidOracleSet),
        (set(k.clone(), 2), P::InvalidOracleSet),
        (set(vec![k[0], k[1], k[0]], 2), P::DuplicateOracle),
        (
            UpdateOracleSetArgs {
                challenge_period_s: 31 * 24 * 3600,
                ..set(k[..2].to_vec(), 1)
            },
            P::InvalidTiming,
        ),
    ] {
        let ix = v::update_oracle_set(&o.w.operator.pubkey(), &o.w.network, bad);
        o.refuse(&o.w.operator, 0, pcode(code), vec![ix]);
    }
    // a second set for the same network cannot be created
    let again = v::init_oracle_set(
        &o.w.operator.pubkey(),
        &o.w.network,
        OracleSetArgs {
            oracles: vec![stranger.pubkey()],
            threshold: 1,
            genesis_ts: 0,
            epoch_length_s: EPOCH_S,
            challenge_period_s: 0,
        },
    );
    let err = o.w.send(&[again], &o.w.operator, &[]).unwrap_err();
    assert!(depin::registry::tx_failure(&err).is_some(), "{err:#}");
    // a report made under the old set stops collecting approvals after a change
    o.v()
        .submit_report(&o.keys[0], &o.w.network, o.content(6, 6), &[])
        .unwrap();
    o.v()
        .update_oracle_set(
            &o.w.operator,
            &o.w.network,
            UpdateOracleSetArgs {
                oracles: o.keys.iter().map(|k| k.pubkey()).collect(),
                threshold: 2,
                challenge_period_s: CHALLENGE_S,
            },
        )
        .unwrap();
    assert_eq!(v::oracle_set(&o.w.net, &o.w.network).unwrap().version, 2);
    let ix = v::approve_report(&o.keys[1].pubkey(), &o.w.network, 6, [6; 32]);
    o.refuse(&o.keys[1], 6, pcode(P::OracleSetChanged), vec![ix]);
}

#[test]
fn the_network_account_must_be_node_registrys() {
    let o = Oracles::new();
    // a Maker account (owned by node_registry, another type) in the network slot
    let mut ix = v::approve_report(&o.keys[0].pubkey(), &o.w.network, 1, [0; 32]);
    ix.accounts[1].pubkey = o.w.makers[0].address;
    o.refuse(
        &o.keys[0],
        1,
        anchor(AnchorError::AccountDiscriminatorMismatch),
        vec![ix],
    );
    // an account of another program
    let mut ix = v::approve_report(&o.keys[0].pubkey(), &o.w.network, 1, [0; 32]);
    ix.accounts[1].pubkey = o.w.credits_mint;
    o.refuse(
        &o.keys[0],
        1,
        anchor(AnchorError::AccountOwnedByWrongProgram),
        vec![ix],
    );
}

#[test]
fn receipts_of_active_nodes_verify() {
    let o = Oracles::new();
    let w = &o.w;
    let owner = w.owner(5 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    let args = ReceiptArgs {
        epoch: 2,
        work_units: 42,
        nonce: 1,
    };
    let out = o
        .v()
        .verify_receipt(&owner.keypair, &device, &w.network, args.clone())
        .unwrap();
    assert!(out.logs.iter().any(|l| l.starts_with("Program data: ")));
    let payer = [owner.pubkey()];
    // signed by another key for this node
    let impostor = w.device();
    let mut ixs = v::verify_receipt_instructions(&impostor, &w.network, args.clone());
    ixs[1].accounts[1].pubkey = node;
    w.assert_refused(&[node], &payer, pcode(P::WrongDeviceKey), || {
        w.send(&ixs, &owner.keypair, &[])
    });
    // the instruction claims other figures than were signed
    let mut ixs = v::verify_receipt_instructions(&device, &w.network, args.clone());
    let honest = ixs[1].clone();
    let mut claimed = args.clone();
    claimed.work_units = 4_200;
    ixs[1] = Instruction {
        data: anchor_lang::InstructionData::data(&proof_verifier::instruction::VerifyReceipt {
            args: claimed,
        }),
        ..honest
    };
    w.assert_refused(&[node], &payer, pcode(P::WrongReceiptMessage), || {
        w.send(&ixs, &owner.keypair, &[])
    });
    // a suspended node
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    let ixs = v::verify_receipt_instructions(&device, &w.network, args.clone());
    w.assert_refused(&[node], &payer, pcode(P::NodeNotActive), || {
        w.send(&ixs, &owner.keypair, &[])
    });
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
        .unwrap();
    // a node of another network
    let other = w.create_network("receipts-elsewhere").unwrap();
    let mut ixs = v::verify_receipt_instructions(&device, &w.network, args.clone());
    ixs[1].accounts[0].pubkey = other;
    w.assert_refused(
        &[node],
        &payer,
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&ixs, &owner.keypair, &[]),
    );
    // a decommissioned node, and a device never registered
    w.reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    for d in [&device, &w.device()] {
        let ixs = v::verify_receipt_instructions(d, &w.network, args.clone());
        w.assert_refused(
            &[node],
            &payer,
            anchor(AnchorError::AccountNotInitialized),
            || w.send(&ixs, &owner.keypair, &[]),
        );
    }
}

/// Found by the mutation check (scripts/mutants.py): a report approved under one oracle set
/// does not finalise after the set changed, however long it waits.
#[test]
fn a_report_of_an_older_oracle_set_does_not_finalise() {
    let o = Oracles::new();
    let c = o.content(3, 5);
    o.v()
        .submit_report(&o.keys[0], &o.w.network, c, &[&o.keys[1]])
        .unwrap();
    assert_eq!(o.report(3).approval_count, 2);
    o.v()
        .update_oracle_set(
            &o.w.operator,
            &o.w.network,
            UpdateOracleSetArgs {
                oracles: o.keys.iter().map(|k| k.pubkey()).collect(),
                threshold: 2,
                challenge_period_s: CHALLENGE_S,
            },
        )
        .unwrap();
    o.w.net.advance_time(i64::from(CHALLENGE_S) + 1).unwrap();
    let ix = v::finalize_report(&o.w.network, 3);
    o.refuse(&o.keys[2], 3, pcode(P::OracleSetChanged), vec![ix]);
    assert_eq!(o.report(3).status, ReportStatus::Pending);
}

/// Found by the mutation check: more co-signatures declared than a shared ed25519
/// instruction can hold, and a receipt instruction carrying two signatures.
#[test]
fn signature_counts_are_bounded_and_exact() {
    let o = Oracles::new();
    let c = o.content(5, 1);
    let good = v::shared_signature_instruction(&[&o.keys[1]], &c.message(&o.w.network));
    let too_many = depin_core::ed25519::MAX_SHARED_SIGNATURES as u8 + 1;
    let ixs = vec![
        good,
        v::submit_report(&o.keys[0].pubkey(), &o.w.network, c, too_many),
    ];
    o.refuse(&o.keys[0], 5, pcode(P::SignatureCountMismatch), ixs);

    let w = &o.w;
    let owner = w.owner(5 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    let args = ReceiptArgs {
        epoch: 2,
        work_units: 42,
        nonce: 1,
    };
    let message = depin_core::attestation::work_receipt_message(
        &w.network.to_bytes(),
        &device.pubkey().to_bytes(),
        args.epoch,
        args.work_units,
        args.nonce,
    );
    let mut ixs = v::verify_receipt_instructions(&device, &w.network, args);
    ixs[0] = v::shared_signature_instruction(&[&device, &o.keys[0]], &message);
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        pcode(P::SignatureCountMismatch),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}
