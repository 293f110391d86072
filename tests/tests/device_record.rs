//! The device's permanent record: a node's standing cannot be reset by decommissioning and
//! registering the device again.
use depin::ix;
use depin_tests::*;
use node_registry::state::{Device, NodeStatus};
use node_registry::RegistryError as E;
use solana_instruction::Instruction;
use solana_signer::Signer;

/// decommission + register of `device` by `owner` in one transaction, with a new consent.
fn decommission_and_register(
    w: &World,
    owner: &Owner,
    device: &solana_keypair::Keypair,
    nonce: u64,
) -> Vec<Instruction> {
    let node = w.node_address(&device.pubkey());
    let r = w.registration_with_nonce(&owner.pubkey(), &w.makers[0], device, nonce);
    let mut ixs = vec![ix::decommission_node(&owner.pubkey(), &w.network, &node)];
    ixs.extend(
        w.reg()
            .register_node_instructions(&owner.pubkey(), &r)
            .unwrap(),
    );
    ixs
}

/// The three instructions that register `device` for `owner` through `maker`, signed now.
fn register_ixs(
    w: &World,
    owner: &Owner,
    maker: &TestMaker,
    device: &solana_keypair::Keypair,
) -> Vec<Instruction> {
    let r = w.registration(&owner.pubkey(), maker, device);
    w.reg()
        .register_node_instructions(&owner.pubkey(), &r)
        .unwrap()
}

#[test]
fn first_registration_creates_the_record() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    w.reg().register_node(&owner.keypair, &r).unwrap();
    let d = w.device_state(&device.pubkey());
    assert_eq!(
        (
            d.device_key,
            d.maker,
            d.last_consent_nonce,
            d.status,
            d.registrations
        ),
        (
            device.pubkey(),
            w.makers[0].address,
            r.nonce,
            NodeStatus::Active,
            1
        )
    );
    assert_eq!(d.first_registered_at as u64, w.now());
    let acc = w.account(&w.device_address(&device.pubkey())).unwrap();
    assert_eq!(acc.owner, node_registry::ID);
    assert_eq!(acc.data.len(), Device::SPACE);
    assert_eq!(Device::SPACE, 94);
    let rent = anchor_lang::prelude::Rent::default().minimum_balance(Device::SPACE);
    assert_eq!(acc.lamports, rent);
}

#[test]
fn a_suspension_survives_decommission_and_reregistration() {
    let w = World::new();
    let owner = w.owner(10 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    let record = w.device_address(&device.pubkey());
    // the attack: decommission and register again in one transaction, with a new consent
    let ixs = decommission_and_register(&w, &owner, &device, w.now() + 1);
    w.assert_refused(
        &[node, record, w.network, w.makers[0].address, owner.credits],
        &[owner.pubkey()],
        code(E::DeviceSuspended),
        || w.send(&ixs, &owner.keypair, &[]),
    );
    assert_eq!(w.node_state(&node).status, NodeStatus::Suspended);
    // two transactions: the node closes, the device stays out
    w.reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    w.net.advance_time(1).unwrap();
    let ixs = register_ixs(&w, &owner, &w.makers[0], &device);
    w.assert_refused(
        &[node, record, owner.credits],
        &[owner.pubkey()],
        code(E::DeviceSuspended),
        || w.send(&ixs, &owner.keypair, &[]),
    );
    assert_eq!(
        w.device_state(&device.pubkey()).status,
        NodeStatus::Suspended
    );
    // the owner cannot lift it; the status authority can, with no node in existence
    let lift = ix::set_node_status(
        &owner.pubkey(),
        &w.network,
        &device.pubkey(),
        NodeStatus::Active,
    );
    w.assert_refused(
        &[record],
        &[owner.pubkey()],
        code(E::NotStatusAuthority),
        || w.send(&[lift], &owner.keypair, &[]),
    );
    w.reg()
        .set_device_status(
            &w.operator,
            &w.network,
            &device.pubkey(),
            NodeStatus::Active,
        )
        .unwrap();
    assert!(
        w.account(&node).is_none(),
        "no node was created by reinstating"
    );
    w.send(&ixs, &owner.keypair, &[]).unwrap();
    assert_eq!(w.node_state(&node).status, NodeStatus::Active);
    assert_eq!(w.device_state(&device.pubkey()).registrations, 2);
}

#[test]
fn a_device_in_good_standing_reregisters_in_one_transaction() {
    let w = World::new();
    let owner = w.owner(10 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, 0x8928308280fffff)
        .unwrap();
    let ixs = decommission_and_register(&w, &owner, &device, w.now() + 1);
    w.send(&ixs, &owner.keypair, &[]).unwrap();
    let n = w.node_state(&node);
    assert_eq!(
        (n.location, n.status, n.owner),
        (0, NodeStatus::Active, owner.pubkey())
    );
    assert_eq!(w.network_state().node_count, 1);
    assert_eq!(w.maker_state(&w.makers[0].address).nodes_attested, 1);
}

#[test]
fn a_seller_cannot_take_the_device_back_with_an_old_consent() {
    let w = World::new();
    let seller = w.owner(5 * ONBOARDING_FEE);
    let buyer = w.owner(5 * ONBOARDING_FEE);
    let device = w.device();
    // the consent the seller kept from the first registration
    let r = w.registration(&seller.pubkey(), &w.makers[0], &device);
    let (node, _) = w.reg().register_node(&seller.keypair, &r).unwrap();
    w.reg()
        .transfer_node(&seller.keypair, &buyer.keypair, &w.network, &node)
        .unwrap();
    w.reg()
        .decommission_node(&buyer.keypair, &w.network, &node)
        .unwrap();
    // well inside the window the old consent is replayed
    w.net.advance_time(10).unwrap();
    let ixs = w
        .reg()
        .register_node_instructions(&seller.pubkey(), &r)
        .unwrap();
    let record = w.device_address(&device.pubkey());
    w.assert_refused(
        &[node, record, seller.credits, w.network],
        &[seller.pubkey()],
        code(E::ConsentAlreadyUsed),
        || w.send(&ixs, &seller.keypair, &[]),
    );
    // the buyer, who holds the device, registers it with a new consent
    let fresh = w.registration(&buyer.pubkey(), &w.makers[0], &device);
    w.reg().register_node(&buyer.keypair, &fresh).unwrap();
    assert_eq!(w.node_state(&node).owner, buyer.pubkey());
}

#[test]
fn a_device_stays_with_its_first_maker() {
    let w = World::new();
    let owner = w.owner(5 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner); // through maker 0
    w.reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    w.net.advance_time(1).unwrap();
    // maker 1 attests the same device key: it would count the device against its cap too
    let ixs = register_ixs(&w, &owner, &w.makers[1], &device);
    let record = w.device_address(&device.pubkey());
    w.assert_refused(
        &[node, record, w.makers[1].address, owner.credits],
        &[owner.pubkey()],
        code(E::DeviceMakerMismatch),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}

#[test]
fn reregistration_needs_an_active_maker() {
    let w = World::new();
    let owner = w.owner(5 * ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    w.reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    w.reg()
        .revoke_maker(&w.operator, &w.network, &w.makers[0].address)
        .unwrap();
    w.net.advance_time(1).unwrap();
    let ixs = register_ixs(&w, &owner, &w.makers[0], &device);
    w.assert_refused(
        &[node, w.device_address(&device.pubkey())],
        &[owner.pubkey()],
        code(E::MakerRevoked),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}

#[test]
fn the_record_address_must_be_the_devices() {
    let w = World::new();
    let owner = w.owner(5 * ONBOARDING_FEE);
    let (other_device, _) = w.register(&owner);
    let device = w.device();
    let mut ixs = register_ixs(&w, &owner, &w.makers[0], &device);
    // another device's (existing) record in the device slot
    let wrong = w.device_address(&other_device.pubkey());
    ixs[2].accounts[3].pubkey = wrong;
    w.assert_refused(
        &[wrong, w.node_address(&device.pubkey()), owner.credits],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&ixs, &owner.keypair, &[]),
    );
}

#[test]
fn status_of_an_unknown_device_is_refused() {
    let w = World::new();
    let stranger = w.device().pubkey();
    let ix = ix::set_node_status(
        &w.operator.pubkey(),
        &w.network,
        &stranger,
        NodeStatus::Suspended,
    );
    w.assert_refused(
        &[w.device_address(&stranger)],
        &[w.operator.pubkey()],
        anchor(AnchorError::AccountNotInitialized),
        || w.send(&[ix], &w.operator, &[]),
    );
}
