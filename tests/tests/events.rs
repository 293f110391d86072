//! Every state change emits its event. Events travel in the program log ("Program data:").
//! The SBF runtime records them itself; for natively compiled programs the embedded
//! transport captures `sol_log_data` (see `depin::transport::embedded`), so these tests
//! assert the same events in both modes.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use depin::transport::TxOutcome;
use depin_tests::*;
use node_registry::events::*;
use node_registry::state::{DeviceCapUpdate, NodeStatus};
use node_registry::{UpdateMakerArgs, UpdateNetworkArgs};
use solana_signer::Signer;

/// Event payloads (discriminator + borsh) found in a transaction's logs.
fn events(out: &TxOutcome) -> Vec<Vec<u8>> {
    out.logs
        .iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .collect()
}

fn one<E: AnchorDeserialize + Discriminator>(out: &TxOutcome) -> E {
    let found: Vec<E> = events(out)
        .iter()
        .filter(|d| d.starts_with(E::DISCRIMINATOR))
        .map(|d| E::deserialize(&mut &d[E::DISCRIMINATOR.len()..]).expect("event decodes"))
        .collect();
    assert_eq!(found.len(), 1, "expected exactly one event");
    found.into_iter().next().unwrap()
}

#[test]
fn every_state_change_emits_its_event() {
    let w = World::new();
    let owner = w.owner(2 * ONBOARDING_FEE + LOCATION_FEE);
    let buyer = w.owner(0);
    let next = w.owner(0);
    let reg = w.reg();
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);

    let mut outcomes: Vec<(&str, TxOutcome)> = vec![];
    let (node, o) = reg.register_node(&owner.keypair, &r).unwrap();
    outcomes.push(("register", o));
    outcomes.push((
        "location",
        reg.assert_location(&owner.keypair, &w.network, &node, 0x8928308280fffff)
            .unwrap(),
    ));
    outcomes.push((
        "propose",
        reg.propose_transfer(&owner.keypair, &w.network, &node, next.pubkey())
            .unwrap(),
    ));
    outcomes.push(("cancel", reg.cancel_transfer(&next.keypair, &node).unwrap()));
    reg.propose_transfer(&owner.keypair, &w.network, &node, buyer.pubkey())
        .unwrap();
    outcomes.push((
        "accept",
        reg.accept_transfer(&buyer.keypair, &w.network, &node)
            .unwrap(),
    ));
    outcomes.push((
        "status",
        reg.set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
            .unwrap(),
    ));
    outcomes.push((
        "decommission",
        reg.decommission_node(&buyer.keypair, &w.network, &node)
            .unwrap(),
    ));
    outcomes.push((
        "device_status",
        reg.set_device_status(
            &w.operator,
            &w.network,
            &device.pubkey(),
            NodeStatus::Active,
        )
        .unwrap(),
    ));
    w.net.advance_time(1).unwrap();
    let again = w.registration(&owner.pubkey(), &w.makers[0], &device);
    outcomes.push((
        "reregister",
        reg.register_node(&owner.keypair, &again).unwrap().1,
    ));
    let m = &w.makers[1];
    let args = UpdateMakerArgs {
        device_cap: Some(DeviceCapUpdate::Limit(9)),
        ..Default::default()
    };
    outcomes.push((
        "update_maker",
        reg.update_maker(&w.operator, &w.network, &m.address, args)
            .unwrap(),
    ));
    outcomes.push((
        "revoke",
        reg.revoke_maker(&w.operator, &w.network, &m.address)
            .unwrap(),
    ));
    outcomes.push((
        "reactivate",
        reg.reactivate_maker(&w.operator, &w.network, &m.address)
            .unwrap(),
    ));
    let settings = UpdateNetworkArgs {
        location_fee_credits: Some(7),
        ..Default::default()
    };
    outcomes.push((
        "update_network",
        reg.update_network(&w.operator, &w.network, settings)
            .unwrap(),
    ));
    outcomes.push((
        "propose_authority",
        reg.propose_authority(&w.operator, &w.network, Some(next.pubkey()))
            .unwrap(),
    ));
    outcomes.push((
        "accept_authority",
        reg.accept_authority(&next.keypair, &w.network).unwrap(),
    ));

    let get = |k: &str| &outcomes.iter().find(|(w, _)| *w == k).unwrap().1;

    let e: NodeRegistered = one(get("register"));
    assert_eq!(
        (e.node, e.device_key, e.owner, e.maker),
        (node, device.pubkey(), owner.pubkey(), w.makers[0].address)
    );
    assert_eq!(
        (e.network, e.fee_burned, e.capacity, e.registration),
        (w.network, ONBOARDING_FEE, r.capacity, 1)
    );
    let e: LocationAsserted = one(get("location"));
    assert_eq!(
        (e.node, e.location, e.location_changes, e.fee_burned),
        (node, 0x8928308280fffff, 1, LOCATION_FEE)
    );
    let e: NodeTransferProposed = one(get("propose"));
    assert_eq!(
        (e.node, e.from, e.to),
        (node, owner.pubkey(), next.pubkey())
    );
    let e: NodeTransferCancelled = one(get("cancel"));
    assert_eq!((e.node, e.by, e.to), (node, next.pubkey(), next.pubkey()));
    let e: NodeTransferred = one(get("accept"));
    assert_eq!((e.from, e.to), (owner.pubkey(), buyer.pubkey()));
    let e: NodeStatusChanged = one(get("status"));
    assert_eq!(
        (e.status, e.by, e.device_key, e.node_registered),
        (
            NodeStatus::Suspended,
            w.operator.pubkey(),
            device.pubkey(),
            true
        )
    );
    let e: NodeDecommissioned = one(get("decommission"));
    assert_eq!(
        (e.node, e.owner, e.device_key),
        (node, buyer.pubkey(), device.pubkey())
    );
    let e: NodeStatusChanged = one(get("device_status"));
    assert_eq!((e.status, e.node_registered), (NodeStatus::Active, false));
    let e: NodeRegistered = one(get("reregister"));
    assert_eq!((e.registration, e.owner), (2, owner.pubkey()));
    let e: MakerUpdated = one(get("update_maker"));
    assert_eq!(
        (e.maker, e.device_cap, e.active, e.attestation_key),
        (m.address, Some(9), true, m.attestation.pubkey())
    );
    let e: MakerRevoked = one(get("revoke"));
    assert_eq!(e.maker, m.address);
    let e: MakerReactivated = one(get("reactivate"));
    assert_eq!(e.maker, m.address);
    let e: NetworkUpdated = one(get("update_network"));
    assert_eq!(
        (e.location_fee_credits, e.onboarding_fee_credits, e.paused),
        (7, ONBOARDING_FEE, false)
    );
    let e: AuthorityProposed = one(get("propose_authority"));
    assert_eq!(e.proposed, Some(next.pubkey()));
    let e: AuthorityAccepted = one(get("accept_authority"));
    assert_eq!(
        (e.previous, e.authority),
        (w.operator.pubkey(), next.pubkey())
    );
}

/// A failed transaction's log can hold events of the instructions that ran before the
/// failing one; none of their changes happened. Indexers must check the status.
#[test]
fn events_of_a_failed_transaction_describe_nothing_that_happened() {
    let w = World::new();
    let before = w.network_state();
    let update = depin::ix::update_network(
        &w.operator.pubkey(),
        &w.network,
        UpdateNetworkArgs {
            location_fee_credits: Some(77),
            ..Default::default()
        },
    );
    let failing = depin::ix::update_network(
        &w.operator.pubkey(),
        &w.network,
        UpdateNetworkArgs::default(), // NothingToUpdate
    );
    let err = w.send(&[update, failing], &w.operator, &[]).unwrap_err();
    let f = depin::registry::tx_failure(&err).expect("a refused transaction");
    assert_eq!(f.instruction_index(), Some(1));
    let logged: Vec<NetworkUpdated> = f
        .logs
        .iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .filter(|d| d.starts_with(NetworkUpdated::DISCRIMINATOR))
        .map(|d| NetworkUpdated::deserialize(&mut &d[8..]).unwrap())
        .collect();
    assert_eq!(logged.len(), 1, "{:?}", f.logs);
    assert_eq!(logged[0].location_fee_credits, 77);
    assert_eq!(
        w.network_state().location_fee_credits,
        before.location_fee_credits
    );
}

#[test]
fn creation_events() {
    let w = World::new();
    let (network, o) = w
        .reg()
        .create_network(
            &w.operator,
            &w.token_mint,
            &w.credits_mint,
            node_registry::CreateNetworkArgs {
                name: "evented".into(),
                onboarding_fee_credits: 1,
                location_fee_credits: 2,
                attestation_window_s: 600,
            },
        )
        .unwrap();
    let e: NetworkCreated = one(&o);
    assert_eq!(
        (e.network, e.name.as_str(), e.authority, e.credits_mint),
        (network, "evented", w.operator.pubkey(), w.credits_mint)
    );
    let key = w.device().pubkey();
    let (maker, o) = w
        .reg()
        .add_maker(
            &w.operator,
            &network,
            node_registry::AddMakerArgs {
                maker_key: key,
                attestation_key: key,
                device_cap: None,
            },
        )
        .unwrap();
    let e: MakerAdded = one(&o);
    assert_eq!(
        (e.network, e.maker, e.maker_key, e.device_cap),
        (network, maker, key, None)
    );
}
