//! create_network, update_network, the two-step authority rotation, and maker management.
use anchor_lang::prelude::Pubkey;
use depin::attest;
use depin::ix;
use depin_tests::*;
use node_registry::state::{DeviceCapUpdate, OperatorUpdate};
use node_registry::{
    AddMakerArgs, CreateNetworkArgs, RegistryError as E, UpdateMakerArgs, UpdateNetworkArgs,
};
use solana_signer::Signer;

fn create_args(name: &str, window: u32) -> CreateNetworkArgs {
    CreateNetworkArgs {
        name: name.into(),
        onboarding_fee_credits: 1,
        location_fee_credits: 1,
        attestation_window_s: window,
    }
}

#[test]
fn creates_a_network() {
    let w = World::new();
    let n = w.network_state();
    assert_eq!(n.name, "test-net");
    assert_eq!(n.authority, w.operator.pubkey());
    assert_eq!(n.pending_authority, None);
    assert_eq!(n.token_mint, w.token_mint);
    assert_eq!(n.credits_mint, w.credits_mint);
    assert_eq!(n.onboarding_fee_credits, ONBOARDING_FEE);
    assert_eq!(n.location_fee_credits, LOCATION_FEE);
    assert_eq!(n.attestation_window_s, WINDOW_S);
    assert_eq!(n.maker_count, 2);
    assert_eq!(n.node_count, 0);
    assert!(!n.paused);
    let (address, bump) =
        Pubkey::find_program_address(&[b"network", b"test-net"], &node_registry::ID);
    assert_eq!((w.network, n.bump), (address, bump));
}

#[test]
fn bad_network_names_are_refused() {
    let w = World::new();
    let payer = w.operator.pubkey();
    for name in ["Upper", "with space", "", &"x".repeat(33)] {
        let target = depin::pda::network(name).0;
        let ix = ix::create_network(
            &payer,
            &w.token_mint,
            &w.credits_mint,
            create_args(name, 3600),
        );
        w.assert_refused(&[target], &[payer], code(E::InvalidNetworkName), || {
            w.send(&[ix], &w.operator, &[])
        });
    }
}

#[test]
fn bad_attestation_window_is_refused() {
    let w = World::new();
    let payer = w.operator.pubkey();
    for window in [0, 59, 30 * 24 * 3600 + 1] {
        let target = depin::pda::network("windowed").0;
        let ix = ix::create_network(
            &payer,
            &w.token_mint,
            &w.credits_mint,
            create_args("windowed", window),
        );
        w.assert_refused(
            &[target],
            &[payer],
            code(E::InvalidAttestationWindow),
            || w.send(&[ix], &w.operator, &[]),
        );
    }
}

#[test]
fn a_taken_name_is_refused() {
    let w = World::new();
    let someone = w.owner(0);
    let ix = ix::create_network(
        &someone.pubkey(),
        &w.token_mint,
        &w.credits_mint,
        create_args("test-net", 3600),
    );
    w.assert_refused(
        &[w.network],
        &[someone.pubkey()],
        code(E::NetworkAlreadyExists),
        || w.send(&[ix], &someone.keypair, &[]),
    );
    assert_eq!(w.network_state().authority, w.operator.pubkey());
}

#[test]
fn mints_must_be_mints() {
    let w = World::new();
    let payer = w.operator.pubkey();
    let target = depin::pda::network("nomint").0;
    let not_a_mint = w.owner(0).pubkey();
    let ix = ix::create_network(
        &payer,
        &not_a_mint,
        &w.credits_mint,
        create_args("nomint", 3600),
    );
    w.assert_refused(
        &[target],
        &[payer],
        anchor(AnchorError::AccountOwnedByWrongProgram),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn update_network_by_authority_only() {
    let w = World::new();
    let stranger = w.owner(0);
    let mut args = UpdateNetworkArgs {
        onboarding_fee_credits: Some(7),
        ..Default::default()
    };
    let ix = ix::update_network(&stranger.pubkey(), &w.network, args.clone());
    w.assert_refused(
        &[w.network],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );
    let mut bad = args.clone();
    bad.attestation_window_s = Some(10);
    let ix = ix::update_network(&w.operator.pubkey(), &w.network, bad);
    w.assert_refused(
        &[w.network],
        &[w.operator.pubkey()],
        code(E::InvalidAttestationWindow),
        || w.send(&[ix], &w.operator, &[]),
    );
    let op = Pubkey::new_unique();
    args.operator = Some(OperatorUpdate::Set(op));
    args.paused = Some(true);
    w.reg()
        .update_network(&w.operator, &w.network, args)
        .unwrap();
    let n = w.network_state();
    assert_eq!(
        (n.onboarding_fee_credits, n.operator, n.paused),
        (7, Some(op), true)
    );
}

/// A harmless change: the location fee set to what it already is.
fn touch_fee() -> UpdateNetworkArgs {
    UpdateNetworkArgs {
        location_fee_credits: Some(LOCATION_FEE),
        ..Default::default()
    }
}

#[test]
fn update_network_changes_only_the_fields_given() {
    let w = World::new();
    let op = Pubkey::new_unique();
    w.configure(|a| {
        a.paused = Some(true);
        a.operator = Some(OperatorUpdate::Set(op));
    });
    // a client that only wants a new fee cannot unpause or drop the operator by accident
    w.configure(|a| a.onboarding_fee_credits = Some(42));
    let n = w.network_state();
    assert_eq!(
        (
            n.onboarding_fee_credits,
            n.location_fee_credits,
            n.attestation_window_s,
            n.operator,
            n.paused
        ),
        (42, LOCATION_FEE, WINDOW_S, Some(op), true)
    );
    w.configure(|a| a.operator = Some(OperatorUpdate::Remove));
    w.configure(|a| a.paused = Some(false));
    let n = w.network_state();
    assert_eq!(
        (n.operator, n.paused, n.onboarding_fee_credits),
        (None, false, 42)
    );
    // an update that changes nothing is refused by name
    let ix = ix::update_network(
        &w.operator.pubkey(),
        &w.network,
        UpdateNetworkArgs::default(),
    );
    w.assert_refused(
        &[w.network],
        &[w.operator.pubkey()],
        code(E::NothingToUpdate),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn authority_changes_only_when_accepted() {
    let w = World::new();
    let next = w.owner(0);
    let stranger = w.owner(0);

    // proposing is for the authority only
    let ix = ix::propose_authority(&stranger.pubkey(), &w.network, Some(stranger.pubkey()));
    w.assert_refused(
        &[w.network],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );

    // nothing pending yet
    let ix = ix::accept_authority(&next.pubkey(), &w.network);
    w.assert_refused(
        &[w.network],
        &[next.pubkey()],
        code(E::NoPendingAuthority),
        || w.send(&[ix], &next.keypair, &[]),
    );

    w.reg()
        .propose_authority(&w.operator, &w.network, Some(next.pubkey()))
        .unwrap();
    assert_eq!(w.network_state().pending_authority, Some(next.pubkey()));

    // until accepted the old authority rules and the proposed key has no power
    let ix = ix::update_network(&next.pubkey(), &w.network, touch_fee());
    w.assert_refused(
        &[w.network],
        &[next.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &next.keypair, &[]),
    );
    w.reg()
        .update_network(&w.operator, &w.network, touch_fee())
        .unwrap();

    // only the proposed key can accept
    let ix = ix::accept_authority(&stranger.pubkey(), &w.network);
    w.assert_refused(
        &[w.network],
        &[stranger.pubkey()],
        code(E::NotPendingAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );

    w.reg().accept_authority(&next.keypair, &w.network).unwrap();
    let n = w.network_state();
    assert_eq!((n.authority, n.pending_authority), (next.pubkey(), None));
    let ix = ix::update_network(&w.operator.pubkey(), &w.network, touch_fee());
    w.assert_refused(
        &[w.network],
        &[w.operator.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &w.operator, &[]),
    );
    w.reg()
        .update_network(&next.keypair, &w.network, touch_fee())
        .unwrap();
}

#[test]
fn a_proposal_can_be_cancelled() {
    let w = World::new();
    let next = w.owner(0);
    w.reg()
        .propose_authority(&w.operator, &w.network, Some(next.pubkey()))
        .unwrap();
    w.reg()
        .propose_authority(&w.operator, &w.network, None)
        .unwrap();
    let ix = ix::accept_authority(&next.pubkey(), &w.network);
    w.assert_refused(
        &[w.network],
        &[next.pubkey()],
        code(E::NoPendingAuthority),
        || w.send(&[ix], &next.keypair, &[]),
    );
}

#[test]
fn adds_makers() {
    let w = World::new();
    let m = w.maker_state(&w.makers[1].address);
    assert_eq!(m.network, w.network);
    assert_eq!(m.maker_key, w.makers[1].maker_key.pubkey());
    assert_eq!(m.attestation_key, w.makers[1].attestation.pubkey());
    assert!(m.active);
    assert_eq!(m.nodes_attested, 0);
    let listed = depin::accounts::makers_of(&w.net, &w.network).unwrap();
    assert_eq!(listed.len(), 2);
}

#[test]
fn add_maker_by_authority_only_and_once() {
    let w = World::new();
    let stranger = w.owner(0);
    let key = w.device().pubkey();
    let args = AddMakerArgs {
        maker_key: key,
        attestation_key: key,
        device_cap: None,
    };
    let maker = depin::pda::maker(&w.network, &key).0;
    let ix = ix::add_maker(&stranger.pubkey(), &w.network, args.clone());
    w.assert_refused(
        &[w.network, maker],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );

    let existing = AddMakerArgs {
        maker_key: w.makers[0].maker_key.pubkey(),
        attestation_key: w.device().pubkey(),
        device_cap: Some(1),
    };
    let ix = ix::add_maker(&w.operator.pubkey(), &w.network, existing);
    w.assert_refused(
        &[w.network, w.makers[0].address],
        &[w.operator.pubkey()],
        code(E::MakerAlreadyExists),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn another_networks_authority_cannot_touch_makers() {
    let w = World::new();
    let rival = w.owner(0);
    let (rival_net, _) = w
        .reg()
        .create_network(
            &rival.keypair,
            &w.token_mint,
            &w.credits_mint,
            create_args("rival", 3600),
        )
        .unwrap();
    // rival authority, rival network, our maker
    let ix = ix::revoke_maker(&rival.pubkey(), &rival_net, &w.makers[0].address);
    w.assert_refused(
        &[w.makers[0].address, rival_net],
        &[rival.pubkey()],
        code(E::WrongNetwork),
        || w.send(&[ix], &rival.keypair, &[]),
    );
    let args = UpdateMakerArgs {
        device_cap: Some(DeviceCapUpdate::Limit(1)),
        ..Default::default()
    };
    let ix = ix::update_maker(
        &rival.pubkey(),
        &rival_net,
        &w.makers[0].address,
        &w.makers[0].attestation.pubkey(),
        args,
    );
    w.assert_refused(
        &[w.makers[0].address],
        &[rival.pubkey()],
        code(E::WrongNetwork),
        || w.send(&[ix], &rival.keypair, &[]),
    );
    w.reg()
        .revoke_maker(&w.operator, &w.network, &w.makers[1].address)
        .unwrap();
    let ix = ix::reactivate_maker(&rival.pubkey(), &rival_net, &w.makers[1].address);
    w.assert_refused(
        &[w.makers[1].address],
        &[rival.pubkey()],
        code(E::WrongNetwork),
        || w.send(&[ix], &rival.keypair, &[]),
    );
    // rival authority naming our network
    let ix = ix::revoke_maker(&rival.pubkey(), &w.network, &w.makers[0].address);
    w.assert_refused(
        &[w.makers[0].address],
        &[rival.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &rival.keypair, &[]),
    );
}

#[test]
fn rotating_the_attestation_key_retires_the_old_one() {
    let w = World::new();
    let owner = w.owner(10_000);
    let new_key = w.device();
    let m = &w.makers[0];
    w.reg()
        .update_maker(
            &w.operator,
            &w.network,
            &m.address,
            UpdateMakerArgs {
                attestation_key: Some(new_key.pubkey()),
                device_cap: Some(DeviceCapUpdate::Limit(5)),
            },
        )
        .unwrap();
    let s = w.maker_state(&m.address);
    assert_eq!(
        (s.attestation_key, s.device_cap, s.active),
        (new_key.pubkey(), Some(5), true)
    );
    // the old key's record stays, retired; the new one names the maker
    let old_record = depin::pda::attestation_key(&w.network, &m.attestation.pubkey()).0;
    let old = depin::accounts::attestation_key(&w.net, &old_record).unwrap();
    assert_eq!((old.maker, old.retired), (m.address, true));
    let new_record = depin::pda::attestation_key(&w.network, &new_key.pubkey()).0;
    let rec = depin::accounts::attestation_key(&w.net, &new_record).unwrap();
    assert_eq!((rec.maker, rec.retired), (m.address, false));
    // a retired (perhaps leaked) key never serves another maker: its old attestations name
    // no maker and would become valid there
    let args = AddMakerArgs {
        maker_key: w.device().pubkey(),
        attestation_key: m.attestation.pubkey(),
        device_cap: None,
    };
    let other = depin::pda::maker(&w.network, &args.maker_key).0;
    let ix = ix::add_maker(&w.operator.pubkey(), &w.network, args);
    w.assert_refused(
        &[other, old_record, w.network],
        &[w.operator.pubkey()],
        code(E::AttestationKeyInUse),
        || w.send(&[ix], &w.operator, &[]),
    );
    // nor the same maker again (rotating back)
    let ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.network,
        &m.address,
        &new_key.pubkey(),
        UpdateMakerArgs {
            attestation_key: Some(m.attestation.pubkey()),
            ..Default::default()
        },
    );
    w.assert_refused(
        &[m.address, old_record, new_record],
        &[w.operator.pubkey()],
        code(E::AttestationKeyInUse),
        || w.send(&[ix], &w.operator, &[]),
    );

    let device = w.device();
    let r = w.registration(&owner.pubkey(), m, &device); // signed with the old key
    let ixs = w
        .reg()
        .register_node_instructions(&owner.pubkey(), &r)
        .unwrap();
    let node = w.node_address(&device.pubkey());
    w.assert_refused(
        &[node, m.address, owner.credits],
        &[owner.pubkey()],
        code(E::WrongMakerKey),
        || w.send(&ixs, &owner.keypair, &[]),
    );

    let mut r = r;
    r.maker_attestation =
        attest::sign_maker_attestation(&new_key, &w.network, &device.pubkey(), &TEST_CAPACITY);
    w.reg().register_node(&owner.keypair, &r).unwrap();
}

#[test]
fn attestation_keys_are_unique_per_network() {
    let w = World::new();
    let taken = w.makers[0].attestation.pubkey();
    // a new maker with another maker's key: revoking one would not stop the key
    let args = AddMakerArgs {
        maker_key: w.device().pubkey(),
        attestation_key: taken,
        device_cap: None,
    };
    let new_maker = depin::pda::maker(&w.network, &args.maker_key).0;
    let ix = ix::add_maker(&w.operator.pubkey(), &w.network, args);
    w.assert_refused(
        &[w.network, new_maker],
        &[w.operator.pubkey()],
        code(E::AttestationKeyInUse),
        || w.send(&[ix], &w.operator, &[]),
    );
    // rotating maker 1 onto maker 0's key
    let m1 = &w.makers[1];
    let ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.network,
        &m1.address,
        &m1.attestation.pubkey(),
        UpdateMakerArgs {
            attestation_key: Some(taken),
            ..Default::default()
        },
    );
    let m1_record = depin::pda::attestation_key(&w.network, &m1.attestation.pubkey()).0;
    w.assert_refused(
        &[m1.address, m1_record],
        &[w.operator.pubkey()],
        code(E::AttestationKeyInUse),
        || w.send(&[ix], &w.operator, &[]),
    );
    // the same key in another network is fine
    let other = w.create_network("other-keys").unwrap();
    w.reg()
        .add_maker(
            &w.operator,
            &other,
            AddMakerArgs {
                maker_key: w.device().pubkey(),
                attestation_key: taken,
                device_cap: None,
            },
        )
        .unwrap();
}

#[test]
fn key_rotation_needs_the_right_records() {
    let w = World::new();
    let m = &w.makers[0];
    let new_key = w.device().pubkey();
    let args = UpdateMakerArgs {
        attestation_key: Some(new_key),
        ..Default::default()
    };
    let old_record = depin::pda::attestation_key(&w.network, &m.attestation.pubkey()).0;
    let new_record = depin::pda::attestation_key(&w.network, &new_key).0;
    let watch = [m.address, old_record, new_record];
    // records missing
    let mut ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.network,
        &m.address,
        &m.attestation.pubkey(),
        args.clone(),
    );
    let good = ix.clone();
    ix.accounts[4].pubkey = node_registry::ID; // new_key_record: None
    w.assert_refused(
        &watch,
        &[w.operator.pubkey()],
        code(E::WrongAttestationKeyRecord),
        || w.send(&[ix], &w.operator, &[]),
    );
    // the new record at an address that is not the new key's
    let mut ix = good.clone();
    ix.accounts[4].pubkey = depin::pda::attestation_key(&w.network, &w.device().pubkey()).0;
    w.assert_refused(
        &watch,
        &[w.operator.pubkey()],
        code(E::WrongAttestationKeyRecord),
        || w.send(&[ix], &w.operator, &[]),
    );
    // another maker's record as the old one
    let mut ix = good.clone();
    ix.accounts[3].pubkey =
        depin::pda::attestation_key(&w.network, &w.makers[1].attestation.pubkey()).0;
    w.assert_refused(
        &watch,
        &[w.operator.pubkey()],
        code(E::WrongAttestationKeyRecord),
        || w.send(&[ix], &w.operator, &[]),
    );
    // records passed without a rotation
    let mut ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.network,
        &m.address,
        &m.attestation.pubkey(),
        UpdateMakerArgs {
            device_cap: Some(DeviceCapUpdate::Limit(3)),
            ..Default::default()
        },
    );
    ix.accounts[3] = good.accounts[3].clone();
    ix.accounts[4] = good.accounts[4].clone();
    w.assert_refused(
        &watch,
        &[w.operator.pubkey()],
        code(E::WrongAttestationKeyRecord),
        || w.send(&[ix], &w.operator, &[]),
    );
    // the new record's address pre-funded by someone: the rotation still goes through
    w.fund(&new_record, 10_000_000);
    w.send(&[good], &w.operator, &[]).unwrap();
    assert_eq!(w.maker_state(&m.address).attestation_key, new_key);
    let rec = depin::accounts::attestation_key(&w.net, &new_record).unwrap();
    assert_eq!(rec.maker, m.address);
}

#[test]
fn update_maker_by_authority_only() {
    let w = World::new();
    let stranger = w.owner(0);
    let args = UpdateMakerArgs {
        device_cap: Some(DeviceCapUpdate::Limit(3)),
        ..Default::default()
    };
    let ix = ix::update_maker(
        &stranger.pubkey(),
        &w.network,
        &w.makers[0].address,
        &w.makers[0].attestation.pubkey(),
        args,
    );
    w.assert_refused(
        &[w.makers[0].address],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );
}

#[test]
fn revoke_and_reactivate_a_maker() {
    let w = World::new();
    let m = &w.makers[0];
    let stranger = w.owner(0);
    let ix = ix::revoke_maker(&stranger.pubkey(), &w.network, &m.address);
    w.assert_refused(
        &[m.address],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );

    w.reg()
        .revoke_maker(&w.operator, &w.network, &m.address)
        .unwrap();
    assert!(!w.maker_state(&m.address).active);
    let ix = ix::revoke_maker(&w.operator.pubkey(), &w.network, &m.address);
    w.assert_refused(
        &[m.address],
        &[w.operator.pubkey()],
        code(E::MakerRevoked),
        || w.send(&[ix], &w.operator, &[]),
    );

    // an update is not a way back: the maker stays revoked
    w.reg()
        .update_maker(
            &w.operator,
            &w.network,
            &m.address,
            UpdateMakerArgs {
                device_cap: Some(DeviceCapUpdate::Limit(50)),
                ..Default::default()
            },
        )
        .unwrap();
    assert!(!w.maker_state(&m.address).active);
    let owner = w.owner(5_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), m, &device);
    let ixs = w
        .reg()
        .register_node_instructions(&owner.pubkey(), &r)
        .unwrap();
    w.assert_refused(
        &[m.address, w.node_address(&device.pubkey())],
        &[owner.pubkey()],
        code(E::MakerRevoked),
        || w.send(&ixs, &owner.keypair, &[]),
    );

    // reactivation is its own instruction, for the authority only
    let ix = ix::reactivate_maker(&stranger.pubkey(), &w.network, &m.address);
    w.assert_refused(
        &[m.address],
        &[stranger.pubkey()],
        code(E::NotNetworkAuthority),
        || w.send(&[ix], &stranger.keypair, &[]),
    );
    w.reg()
        .reactivate_maker(&w.operator, &w.network, &m.address)
        .unwrap();
    let s = w.maker_state(&m.address);
    assert_eq!((s.active, s.device_cap), (true, Some(50)));
    let ix = ix::reactivate_maker(&w.operator.pubkey(), &w.network, &m.address);
    w.assert_refused(
        &[m.address],
        &[w.operator.pubkey()],
        code(E::MakerAlreadyActive),
        || w.send(&[ix], &w.operator, &[]),
    );
    w.send(&ixs, &owner.keypair, &[]).unwrap();
}

#[test]
fn update_maker_changes_only_the_fields_given() {
    let w = World::new();
    let m = &w.makers[0];
    w.reg()
        .update_maker(
            &w.operator,
            &w.network,
            &m.address,
            UpdateMakerArgs {
                device_cap: Some(DeviceCapUpdate::Limit(9)),
                ..Default::default()
            },
        )
        .unwrap();
    let s = w.maker_state(&m.address);
    assert_eq!(
        (s.attestation_key, s.device_cap, s.active),
        (m.attestation.pubkey(), Some(9), true)
    );
    w.reg()
        .update_maker(
            &w.operator,
            &w.network,
            &m.address,
            UpdateMakerArgs {
                device_cap: Some(DeviceCapUpdate::Unlimited),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(w.maker_state(&m.address).device_cap, None);
    let ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.network,
        &m.address,
        &m.attestation.pubkey(),
        UpdateMakerArgs::default(),
    );
    w.assert_refused(
        &[m.address],
        &[w.operator.pubkey()],
        code(E::NothingToUpdate),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn network_address_must_be_a_network() {
    let w = World::new();
    // a Maker account passed where the Network goes
    let args = UpdateMakerArgs {
        device_cap: Some(DeviceCapUpdate::Limit(1)),
        ..Default::default()
    };
    let ix = ix::update_maker(
        &w.operator.pubkey(),
        &w.makers[1].address,
        &w.makers[0].address,
        &w.makers[0].attestation.pubkey(),
        args,
    );
    w.assert_refused(
        &[w.makers[0].address, w.makers[1].address],
        &[w.operator.pubkey()],
        anchor(AnchorError::AccountDiscriminatorMismatch),
        || w.send(&[ix], &w.operator, &[]),
    );
}
