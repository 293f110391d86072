//! register_node: the happy path and every way a registration can be wrong.
use anchor_lang::prelude::Pubkey;
use depin::attest::{self, SignedStatement};
use depin::ix;
use depin::registry::Registration;
use depin_tests::*;
use node_registry::state::{Capacity, NodeStatus};
use node_registry::RegistryError as E;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const ED25519: Pubkey = node_registry::instructions::signatures::ED25519_PROGRAM_ID;
const COMPUTE_BUDGET: Pubkey = anchor_lang::pubkey!("ComputeBudget111111111111111111111111111111");

fn set_compute_limit(units: u32) -> Instruction {
    let mut data = vec![2u8];
    data.extend_from_slice(&units.to_le_bytes());
    Instruction {
        program_id: COMPUTE_BUDGET,
        accounts: vec![],
        data,
    }
}

/// Accounts a refused registration must leave untouched.
fn watch(w: &World, owner: &Owner, device: &Pubkey) -> Vec<Pubkey> {
    vec![
        w.network,
        w.makers[0].address,
        w.node_address(device),
        owner.credits,
        w.credits_mint,
        owner.pubkey(),
    ]
}

/// The three instructions of `r` for `owner`.
fn ixs(w: &World, owner: &Owner, r: &Registration) -> Vec<Instruction> {
    w.reg()
        .register_node_instructions(&owner.pubkey(), r)
        .unwrap()
}

/// The `register_node` instruction for `r`, claiming `device_key` and `nonce` (which a
/// test may set apart from what was signed).
fn register_ix(
    w: &World,
    owner: &Owner,
    r: &Registration,
    device_key: Pubkey,
    nonce: u64,
) -> Instruction {
    let credits = w
        .reg()
        .credits_accounts(&w.network_state(), &owner.pubkey(), None)
        .unwrap();
    let args = node_registry::RegisterNodeArgs {
        device_key,
        nonce,
        capacity: r.capacity,
        max_fee_credits: ONBOARDING_FEE,
    };
    ix::register_node(&owner.pubkey(), &r.network, &r.maker, credits, args)
}

/// A fresh device's registration, edited by `change`, must fail with `code` and change nothing.
fn refuse_registration(
    w: &World,
    owner: &Owner,
    code: u32,
    change: impl FnOnce(&mut Registration, &Keypair),
) {
    let device = w.device();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    change(&mut r, &device);
    refuse(w, owner, &device.pubkey(), code, ixs(w, owner, &r));
}

fn refuse(w: &World, owner: &Owner, device: &Pubkey, code: u32, ixs: Vec<Instruction>) {
    let watch = watch(w, owner, device);
    w.assert_refused(&watch, &[owner.pubkey()], code, || {
        w.send(&ixs, &owner.keypair, &[])
    });
}

#[test]
fn registers_a_node_and_burns_the_fee() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let (node, _) = w.reg().register_node(&owner.keypair, &r).unwrap();

    let n = w.node_state(&node);
    assert_eq!(n.owner, owner.pubkey());
    assert_eq!(n.device_key, device.pubkey());
    assert_eq!(n.maker, w.makers[0].address);
    assert_eq!(n.status, NodeStatus::Active);
    assert_eq!(n.location, 0);
    assert_eq!(
        n.capacity,
        Capacity::Gpu {
            gpus: 8,
            vram_gib: 80,
            fp16_tflops: 989
        }
    );
    assert_eq!(n.registered_at as u64, w.now());
    assert_eq!(
        node,
        Pubkey::find_program_address(
            &[b"node", w.network.as_ref(), device.pubkey().as_ref()],
            &node_registry::ID
        )
        .0
    );
    assert_eq!(
        n.bump,
        Pubkey::find_program_address(
            &[b"node", w.network.as_ref(), device.pubkey().as_ref()],
            &node_registry::ID
        )
        .1
    );
    assert_eq!(w.credits_of(&owner), 5_000 - ONBOARDING_FEE);
    assert_eq!(w.network_state().node_count, 1);
    assert_eq!(w.maker_state(&w.makers[0].address).nodes_attested, 1);

    let acc = w.account(&node).unwrap();
    assert!(
        acc.data.len() <= 160,
        "node account is {} bytes",
        acc.data.len()
    );
    assert_eq!(acc.owner, node_registry::ID);
}

#[test]
fn registration_transaction_fits_a_packet() {
    let w = World::new();
    let owner = w.owner(5_000);
    let r = w.registration(&owner.pubkey(), &w.makers[0], &w.device());
    let mut tx = w
        .reg()
        .unsigned(&ixs(&w, &owner, &r), &owner.pubkey())
        .unwrap();
    depin::txcodec::sign(&mut tx, &owner.keypair).unwrap();
    let size = depin::txcodec::size(&tx);
    assert!(size <= 1232, "register transaction is {size} bytes");
}

#[test]
fn works_with_classic_spl_token_credits() {
    let w = World::build("classic", depin::tokens::TOKEN_PROGRAM);
    let owner = w.owner(ONBOARDING_FEE);
    let (_, node) = w.register(&owner);
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
    assert_eq!(w.credits_of(&owner), 0);
}

#[test]
fn zero_fee_needs_no_credits() {
    let w = World::new();
    w.configure(|a| a.onboarding_fee_credits = Some(0));
    let owner = w.owner(0);
    let (_, node) = w.register(&owner);
    assert!(w.account(&node).is_some());
}

#[test]
fn duplicate_registration_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let (device, _) = w.register(&owner);
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let ixs = ixs(&w, &owner, &r);
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::NodeAlreadyRegistered),
        ixs,
    );
}

#[test]
fn unapproved_maker_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let stranger = Keypair::new();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.maker = depin::pda::maker(&w.network, &stranger.pubkey()).0;
    r.maker_attestation =
        attest::sign_maker_attestation(&stranger, &w.network, &device.pubkey(), &TEST_CAPACITY);
    let ixs = ixs(&w, &owner, &r);
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        anchor(AnchorError::AccountNotInitialized),
        ixs,
    );
}

#[test]
fn revoked_maker_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    w.reg()
        .revoke_maker(&w.operator, &w.network, &w.makers[0].address)
        .unwrap();
    refuse_registration(&w, &owner, code(E::MakerRevoked), |_, _| {});
}

#[test]
fn maker_cap_is_enforced() {
    let w = World::new();
    let capped = w.add_maker(Some(1)).unwrap();
    let owner = w.owner(50_000);
    let d1 = w.device();
    let (node, _) = w
        .reg()
        .register_node(
            &owner.keypair,
            &w.registration(&owner.pubkey(), &capped, &d1),
        )
        .unwrap();
    // one device decommissioned and registered again many times uses one place of the cap
    for round in 0..5 {
        w.reg()
            .decommission_node(&owner.keypair, &w.network, &node)
            .unwrap();
        w.net.advance_time(1).unwrap();
        let again = w.registration(&owner.pubkey(), &capped, &d1);
        w.reg()
            .register_node(&owner.keypair, &again)
            .unwrap_or_else(|e| panic!("round {round}: {e:#}"));
        assert_eq!(w.maker_state(&capped.address).nodes_attested, 1);
    }
    assert_eq!(w.device_state(&d1.pubkey()).registrations, 6);
    // a second device does not fit
    let d2 = w.device();
    let r = w.registration(&owner.pubkey(), &capped, &d2);
    let ixs = ixs(&w, &owner, &r);
    let watch = vec![
        w.network,
        capped.address,
        w.node_address(&d2.pubkey()),
        w.device_address(&d2.pubkey()),
        owner.credits,
    ];
    w.assert_refused(&watch, &[], code(E::MakerCapReached), || {
        w.send(&ixs, &owner.keypair, &[])
    });
}

#[test]
fn maker_signature_over_another_device_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    refuse_registration(&w, &owner, code(E::WrongMakerMessage), |r, _| {
        r.maker_attestation = attest::sign_maker_attestation(
            &w.makers[0].attestation,
            &w.network,
            &Pubkey::new_unique(),
            &TEST_CAPACITY,
        );
    });
}

#[test]
fn capacity_must_be_the_one_the_maker_signed() {
    let w = World::new();
    let owner = w.owner(5_000);
    // the owner claims more GPUs than the factory attested
    refuse_registration(&w, &owner, code(E::WrongMakerMessage), |r, _| {
        r.capacity = Capacity::Gpu {
            gpus: 1024,
            vram_gib: 80,
            fp16_tflops: u32::MAX,
        };
    });
    // another class with the same figures
    refuse_registration(&w, &owner, code(E::WrongMakerMessage), |r, _| {
        r.capacity = Capacity::Other { units: 8 };
    });
    // a maker that signs the big figures gets them registered (within the class bounds)
    let device = w.device();
    let big = Capacity::Gpu {
        gpus: 1024,
        vram_gib: 80,
        fp16_tflops: 2_000,
    };
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.capacity = big;
    r.maker_attestation = attest::sign_maker_attestation(
        &w.makers[0].attestation,
        &w.network,
        &device.pubkey(),
        &big,
    );
    let (node, _) = w.reg().register_node(&owner.keypair, &r).unwrap();
    assert_eq!(w.node_state(&node).capacity, big);
}

#[test]
fn fee_above_the_signed_maximum_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    // the owner signed for today's fee; the authority raises it before the transaction lands
    let device = w.device();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.max_fee_credits = Some(ONBOARDING_FEE);
    let ixs = ixs(&w, &owner, &r);
    w.configure(|a| a.onboarding_fee_credits = Some(ONBOARDING_FEE + 1));
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::FeeAboveMaximum),
        ixs.clone(),
    );
    // back at the agreed fee the same signed instructions go through
    w.configure(|a| a.onboarding_fee_credits = Some(ONBOARDING_FEE));
    w.send(&ixs, &owner.keypair, &[]).unwrap();
    assert_eq!(w.credits_of(&owner), 5_000 - ONBOARDING_FEE);
}

#[test]
fn maker_signature_from_another_key_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    // maker 1's key, while the instruction names maker 0
    refuse_registration(&w, &owner, code(E::WrongMakerKey), |r, device| {
        r.maker_attestation = attest::sign_maker_attestation(
            &w.makers[1].attestation,
            &w.network,
            &device.pubkey(),
            &TEST_CAPACITY,
        );
    });
}

#[test]
fn device_consent_from_another_network_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let other_network = w.create_network("other-net").unwrap();
    refuse_registration(&w, &owner, code(E::WrongDeviceMessage), |r, device| {
        r.device_consent =
            attest::sign_device_consent(device, &other_network, &owner.pubkey(), r.nonce);
    });
}

#[test]
fn device_consent_for_another_owner_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    refuse_registration(&w, &owner, code(E::WrongDeviceMessage), |r, device| {
        r.device_consent =
            attest::sign_device_consent(device, &w.network, &Pubkey::new_unique(), r.nonce);
    });
}

#[test]
fn device_consent_with_another_nonce_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    // the instruction claims a nonce one second earlier than the one signed
    ixs[2] = register_ix(&w, &owner, &r, device.pubkey(), r.nonce - 1);
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::WrongDeviceMessage),
        ixs,
    );
}

#[test]
fn device_key_must_match_the_consent_signer() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let impostor = Keypair::new();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    // maker attests `device`, but the consent is signed by another key
    r.device_consent = attest::sign_device_consent(&impostor, &w.network, &owner.pubkey(), r.nonce);
    let mut ixs = ixs(&w, &owner, &r);
    ixs[2] = register_ix(&w, &owner, &r, device.pubkey(), r.nonce);
    refuse(&w, &owner, &device.pubkey(), code(E::WrongDeviceKey), ixs);
}

#[test]
fn stale_or_future_consent_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    for nonce in [w.now() - u64::from(WINDOW_S) - 1, w.now() + 301] {
        let device = w.device();
        let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
        r.nonce = nonce;
        r.device_consent = attest::sign_device_consent(&device, &w.network, &owner.pubkey(), nonce);
        refuse(
            &w,
            &owner,
            &device.pubkey(),
            code(E::StaleDeviceConsent),
            ixs(&w, &owner, &r),
        );
    }
    // the edges of the window are accepted
    for nonce in [w.now() - u64::from(WINDOW_S), w.now() + 300] {
        let device = w.device();
        let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
        r.nonce = nonce;
        r.device_consent = attest::sign_device_consent(&device, &w.network, &owner.pubkey(), nonce);
        w.reg().register_node(&owner.keypair, &r).unwrap();
    }
}

#[test]
fn swapped_signature_slots_are_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    ixs.swap(0, 1);
    refuse(&w, &owner, &device.pubkey(), code(E::WrongMakerKey), ixs);
}

#[test]
fn an_instruction_between_signatures_and_register_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    // maker, compute budget, register: the device slot holds no ed25519 instruction
    ixs[1] = set_compute_limit(300_000);
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::MissingSignatureInstruction),
        ixs.clone(),
    );
    // maker, device, compute budget, register: the slots are off by one
    let mut shifted = self::ixs(&w, &owner, &r);
    shifted.insert(2, set_compute_limit(300_000));
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::WrongMakerKey),
        shifted,
    );
}

#[test]
fn compute_budget_before_the_signatures_is_fine() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    ixs.insert(0, set_compute_limit(100_000));
    w.send(&ixs, &owner.keypair, &[]).unwrap();
    assert!(w.account(&w.node_address(&device.pubkey())).is_some());
}

#[test]
fn missing_signature_instructions_are_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let all = ixs(&w, &owner, &r);
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::MissingSignatureInstruction),
        vec![all[2].clone()],
    );
}

#[test]
fn signature_data_read_from_another_instruction_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    // Instruction 0: a genuine maker signature over some other device.
    let genuine = attest::sign_maker_attestation(
        &w.makers[0].attestation,
        &w.network,
        &Pubkey::new_unique(),
        &TEST_CAPACITY,
    );
    // Instruction 1: claims the maker attests our device, but its offsets point at
    // instruction 0, so the runtime verifies instruction 0's bytes and accepts.
    let forged_body = depin_core::ed25519::encode_single(
        &w.makers[0].attestation.pubkey().to_bytes(),
        &[0u8; 64],
        &attest::maker_statement(&w.network, &device.pubkey(), &TEST_CAPACITY),
    );
    let mut forged = forged_body.clone();
    for at in [4usize, 8, 14] {
        forged[at..at + 2].copy_from_slice(&0u16.to_le_bytes());
    }
    let genuine_len = genuine.message.len() as u16;
    forged[12..14].copy_from_slice(&genuine_len.to_le_bytes());
    let forged_ix = Instruction {
        program_id: ED25519,
        accounts: vec![],
        data: forged,
    };
    let all = ixs(&w, &owner, &r);
    let tx = vec![
        genuine.to_instruction(),
        forged_ix,
        all[1].clone(),
        all[2].clone(),
    ];
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::ForeignSignatureData),
        tx,
    );
}

#[test]
fn non_canonical_offsets_are_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    // A valid signature whose message sits 8 bytes further than canonical.
    let s = &r.maker_attestation;
    let sig: [u8; 64] = s.signature.into();
    let mut data = depin_core::ed25519::encode_single(&s.signer.to_bytes(), &sig, &[]);
    data.extend_from_slice(&[0xAA; 8]);
    data.extend_from_slice(&s.message);
    data[10..12].copy_from_slice(&120u16.to_le_bytes());
    data[12..14].copy_from_slice(&(s.message.len() as u16).to_le_bytes());
    let moved = Instruction {
        program_id: ED25519,
        accounts: vec![],
        data,
    };
    let mut ixs = ixs(&w, &owner, &r);
    ixs[0] = moved;
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::NonCanonicalSignatureInstruction),
        ixs,
    );
}

#[test]
fn two_signatures_in_one_precompile_instruction_are_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    // One precompile instruction verifying both statements; the program wants one each.
    let (m, d) = (&r.maker_attestation, &r.device_consent);
    let mut data = vec![2u8, 0];
    let header = 2 + 2 * 14;
    let m_at = header as u16;
    let d_at = m_at + 32 + 64 + m.message.len() as u16;
    for (at, s) in [(m_at, m), (d_at, d)] {
        for v in [
            at + 32,
            u16::MAX,
            at,
            u16::MAX,
            at + 96,
            s.message.len() as u16,
            u16::MAX,
        ] {
            data.extend_from_slice(&v.to_le_bytes());
        }
    }
    for s in [m, d] {
        let sig: [u8; 64] = s.signature.into();
        data.extend_from_slice(&s.signer.to_bytes());
        data.extend_from_slice(&sig);
        data.extend_from_slice(&s.message);
    }
    let both = Instruction {
        program_id: ED25519,
        accounts: vec![],
        data,
    };
    let all = ixs(&w, &owner, &r);
    let tx = vec![both.clone(), both, all[2].clone()];
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::NonCanonicalSignatureInstruction),
        tx,
    );
}

#[test]
fn a_bad_signature_fails_in_the_precompile() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut sig: [u8; 64] = r.device_consent.signature.into();
    sig[5] ^= 1;
    r.device_consent = SignedStatement {
        signature: sig.into(),
        ..r.device_consent.clone()
    };
    let ixs = ixs_unchecked(&w, &owner, &r);
    let watch = watch(&w, &owner, &device.pubkey());
    let before = w.snapshot(&watch);
    let err = w.send(&ixs, &owner.keypair, &[]).unwrap_err();
    let f = depin::registry::tx_failure(&err).unwrap();
    assert_eq!(f.instruction_index(), Some(1));
    assert_eq!(f.custom_code(), Some(PRECOMPILE_INVALID_SIGNATURE));
    let after = w.snapshot(&watch);
    assert_eq!(
        before[&w.node_address(&device.pubkey())],
        after[&w.node_address(&device.pubkey())]
    );
    assert_eq!(before[&owner.credits], after[&owner.credits]);
}

/// Like `ixs` but without the client's own signature checks (to reach the runtime).
fn ixs_unchecked(w: &World, owner: &Owner, r: &Registration) -> Vec<Instruction> {
    vec![
        r.maker_attestation.to_instruction(),
        r.device_consent.to_instruction(),
        register_ix(w, owner, r, r.device_consent.signer, r.nonce),
    ]
}

#[test]
fn insufficient_credits_are_refused() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE - 1);
    refuse_registration(&w, &owner, code(E::InsufficientCredits), |_, _| {});
}

#[test]
fn credits_mint_account_must_be_the_networks() {
    let w = World::new();
    let owner = w.owner(5_000);
    // the network's token mint passed where its credits mint goes: the address check
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    // accounts: owner, network, maker, device, node, credits_mint, owner_credits, ...
    ixs[2].accounts[5].pubkey = w.token_mint;
    let mut watch = watch(&w, &owner, &device.pubkey());
    watch.push(w.token_mint);
    w.assert_refused(&watch, &[owner.pubkey()], code(E::WrongCreditsMint), || {
        w.send(&ixs, &owner.keypair, &[])
    });
}

#[test]
fn credits_account_of_another_mint_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    // A second Token-2022 mint, so the account passes the owner-program and layout checks
    // and only the mint recorded inside its data is wrong.
    let other_mint = Keypair::new();
    w.reg()
        .create_credits_mint(&w.operator, &other_mint, &w.operator.pubkey(), 0)
        .unwrap();
    let other = w
        .reg()
        .mint_to_owner(
            &w.operator,
            &w.operator,
            &other_mint.pubkey(),
            &owner.pubkey(),
            5_000,
        )
        .unwrap();
    let device = w.device();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.owner_credits = Some(other);
    let ixs = ixs(&w, &owner, &r);
    let mut watch = watch(&w, &owner, &device.pubkey());
    watch.push(other);
    watch.push(other_mint.pubkey());
    w.assert_refused(
        &watch,
        &[owner.pubkey()],
        code(E::WrongCreditsAccountMint),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}

#[test]
fn credits_account_of_another_wallet_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let victim = w.owner(5_000);
    let device = w.device();
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.owner_credits = Some(victim.credits);
    let ixs = ixs(&w, &owner, &r);
    let mut watch = watch(&w, &owner, &device.pubkey());
    watch.push(victim.credits);
    w.assert_refused(&watch, &[owner.pubkey()], code(E::NotCreditsOwner), || {
        w.send(&ixs, &owner.keypair, &[])
    });
}

#[test]
fn invalid_capacity_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    for capacity in [
        Capacity::Gpu {
            gpus: 0,
            vram_gib: 80,
            fp16_tflops: 1,
        },
        Capacity::Storage { bytes: 0 },
        Capacity::Hotspot {
            radios: 17,
            antenna_gain_dbi_x10: 10,
            elevation_m: 1,
        },
        Capacity::Sensor {
            channels: 1,
            sample_interval_s: 0,
        },
        Capacity::Other { units: 0 },
    ] {
        let device = w.device();
        let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
        r.capacity = capacity;
        refuse(
            &w,
            &owner,
            &device.pubkey(),
            code(E::InvalidCapacity),
            ixs(&w, &owner, &r),
        );
    }
}

#[test]
fn paused_network_registers_nothing() {
    let w = World::new();
    w.configure(|a| a.paused = Some(true));
    let owner = w.owner(5_000);
    refuse_registration(&w, &owner, code(E::NetworkPaused), |_, _| {});
}

#[test]
fn maker_of_another_network_is_refused() {
    let w = World::new();
    let owner = w.owner(5_000);
    let other = w.create_network("second").unwrap();
    let device = w.device();
    // signatures for `other`, maker of `w.network`, passed with network `other`
    let mut r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    r.network = other;
    r.maker_attestation = attest::sign_maker_attestation(
        &w.makers[0].attestation,
        &other,
        &device.pubkey(),
        &TEST_CAPACITY,
    );
    r.device_consent = attest::sign_device_consent(&device, &other, &owner.pubkey(), r.nonce);
    let ixs = ixs(&w, &owner, &r);
    let watch = vec![
        other,
        w.network,
        w.makers[0].address,
        depin::pda::node(&other, &device.pubkey()).0,
        owner.credits,
    ];
    w.assert_refused(&watch, &[], code(E::WrongNetwork), || {
        w.send(&ixs, &owner.keypair, &[])
    });
}

#[test]
fn owner_must_sign() {
    let w = World::new();
    let owner = w.owner(5_000);
    let payer = w.owner(0);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    ixs[2].accounts[0].is_signer = false; // owner
    let watch = watch(&w, &owner, &device.pubkey());
    w.assert_refused(
        &watch,
        &[payer.pubkey()],
        anchor(AnchorError::AccountNotSigner),
        || w.send(&ixs, &payer.keypair, &[]),
    );
}

#[test]
fn node_address_must_be_the_pda() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    let wrong = depin::pda::node(&w.network, &Pubkey::new_unique()).0;
    ixs[2].accounts[4].pubkey = wrong; // node
    let mut watch = watch(&w, &owner, &device.pubkey());
    watch.push(wrong);
    w.assert_refused(
        &watch,
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}

#[test]
fn instructions_sysvar_cannot_be_faked() {
    let w = World::new();
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let mut ixs = ixs(&w, &owner, &r);
    ixs[2].accounts[7].pubkey = Pubkey::new_unique(); // instructions sysvar
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        anchor(AnchorError::ConstraintAddress),
        ixs,
    );
}

#[test]
fn replayed_consent_after_decommission_is_refused() {
    let w = World::new();
    let owner = w.owner(10_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let (node, _) = w.reg().register_node(&owner.keypair, &r).unwrap();
    w.reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    let mut watch = watch(&w, &owner, &device.pubkey());
    watch.push(w.device_address(&device.pubkey()));
    // inside the window: the consent is fresh by the clock, but already used
    w.net.advance_time(60).unwrap();
    let ixs1 = ixs(&w, &owner, &r);
    w.assert_refused(
        &watch,
        &[owner.pubkey()],
        code(E::ConsentAlreadyUsed),
        || w.send(&ixs1, &owner.keypair, &[]),
    );
    // after the window: stale as well
    w.net.advance_time(i64::from(WINDOW_S)).unwrap();
    refuse(
        &w,
        &owner,
        &device.pubkey(),
        code(E::StaleDeviceConsent),
        ixs(&w, &owner, &r),
    );
    // a fresh consent registers the device again
    let fresh = w.registration(&owner.pubkey(), &w.makers[0], &device);
    w.reg().register_node(&owner.keypair, &fresh).unwrap();
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
    let d = w.device_state(&device.pubkey());
    assert_eq!((d.registrations, d.last_consent_nonce), (2, fresh.nonce));
}

#[test]
fn a_prefunded_node_address_still_registers() {
    let w = World::new();
    let owner = w.owner(10_000);
    let rent =
        anchor_lang::prelude::Rent::default().minimum_balance(node_registry::state::Node::SPACE);
    // someone sends lamports to future node addresses: less than the node's rent (but
    // enough for an empty account to exist), and more than it
    let empty = anchor_lang::prelude::Rent::default().minimum_balance(0);
    for prefund in [empty + 1, rent + 5_000] {
        let device = w.device();
        let node = w.node_address(&device.pubkey());
        w.fund(&node, prefund);
        // and the device record's address too
        w.fund(&w.device_address(&device.pubkey()), prefund);
        let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
        w.reg().register_node(&owner.keypair, &r).unwrap();
        let acc = w.account(&node).unwrap();
        assert_eq!(acc.owner, node_registry::ID);
        assert_eq!(acc.lamports, rent.max(prefund));
        assert_eq!(acc.data.len(), node_registry::state::Node::SPACE);
        assert_eq!(w.node_state(&node).device_key, device.pubkey());
        let record = w.account(&w.device_address(&device.pubkey())).unwrap();
        assert_eq!(record.owner, node_registry::ID);
        assert_eq!(record.data.len(), node_registry::state::Device::SPACE);
        assert_eq!(w.device_state(&device.pubkey()).registrations, 1);
    }
}
