//! Every state change emits its event. Events travel in the program log ("Program data:"),
//! which only the SBF runtime records: natively compiled programs print their logs instead
//! (see docs/architecture.md), so in native mode this checks that no event appears and in
//! SBF mode that each one does, with the right contents.
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use depin::transport::embedded::RuntimeMode;
use depin::transport::TxOutcome;
use depin_tests::*;
use node_registry::events::*;
use node_registry::state::NodeStatus;
use node_registry::UpdateMakerArgs;
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
    let sbf = matches!(w.net.mode(), RuntimeMode::Sbf(_));
    let owner = w.owner(ONBOARDING_FEE + LOCATION_FEE);
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
        "transfer",
        reg.transfer_node(&owner.keypair, &w.network, &node, buyer.pubkey())
            .unwrap(),
    ));
    outcomes.push((
        "status",
        reg.set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
            .unwrap(),
    ));
    outcomes.push((
        "status2",
        reg.set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
            .unwrap(),
    ));
    outcomes.push((
        "decommission",
        reg.decommission_node(&buyer.keypair, &w.network, &node)
            .unwrap(),
    ));
    let m = &w.makers[1];
    let args = UpdateMakerArgs {
        attestation_key: m.attestation.pubkey(),
        device_cap: Some(9),
        active: true,
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
    let mut settings = w.network_settings();
    settings.location_fee_credits = 7;
    outcomes.push((
        "update_network",
        reg.update_network(&w.operator, &w.network, settings)
            .unwrap(),
    ));
    outcomes.push((
        "propose",
        reg.propose_authority(&w.operator, &w.network, Some(next.pubkey()))
            .unwrap(),
    ));
    outcomes.push((
        "accept",
        reg.accept_authority(&next.keypair, &w.network).unwrap(),
    ));

    if !sbf {
        for (what, o) in &outcomes {
            assert!(
                events(o).is_empty(),
                "{what}: native programs do not record logs"
            );
        }
        return;
    }
    let get = |k: &str| &outcomes.iter().find(|(w, _)| *w == k).unwrap().1;

    let e: NodeRegistered = one(get("register"));
    assert_eq!(
        (e.node, e.device_key, e.owner, e.maker),
        (node, device.pubkey(), owner.pubkey(), w.makers[0].address)
    );
    assert_eq!(
        (e.network, e.fee_burned, e.capacity),
        (w.network, ONBOARDING_FEE, r.capacity)
    );
    let e: LocationAsserted = one(get("location"));
    assert_eq!(
        (e.node, e.location, e.location_changes, e.fee_burned),
        (node, 0x8928308280fffff, 1, LOCATION_FEE)
    );
    let e: NodeTransferred = one(get("transfer"));
    assert_eq!((e.from, e.to), (owner.pubkey(), buyer.pubkey()));
    let e: NodeStatusChanged = one(get("status"));
    assert_eq!(
        (e.status, e.by),
        (NodeStatus::Suspended, w.operator.pubkey())
    );
    let e: NodeStatusChanged = one(get("status2"));
    assert_eq!(e.status, NodeStatus::Active);
    let e: NodeDecommissioned = one(get("decommission"));
    assert_eq!(
        (e.node, e.owner, e.device_key),
        (node, buyer.pubkey(), device.pubkey())
    );
    let e: MakerUpdated = one(get("update_maker"));
    assert_eq!(
        (e.maker, e.device_cap, e.active),
        (m.address, Some(9), true)
    );
    let e: MakerRevoked = one(get("revoke"));
    assert_eq!(e.maker, m.address);
    let e: NetworkUpdated = one(get("update_network"));
    assert_eq!(e.location_fee_credits, 7);
    let e: AuthorityProposed = one(get("propose"));
    assert_eq!(e.proposed, Some(next.pubkey()));
    let e: AuthorityAccepted = one(get("accept"));
    assert_eq!(
        (e.previous, e.authority),
        (w.operator.pubkey(), next.pubkey())
    );
}

#[test]
fn creation_events() {
    let w = World::new();
    if !matches!(w.net.mode(), RuntimeMode::Sbf(_)) {
        return assert!(events(
            &w.reg()
                .revoke_maker(&w.operator, &w.network, &w.makers[0].address)
                .unwrap()
        )
        .is_empty());
    }
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
