//! assert_location, the two-step transfer, set_node_status, decommission_node.
use anchor_lang::prelude::Pubkey;
use depin::ix;
use depin_tests::*;
use node_registry::state::NodeStatus;
use node_registry::RegistryError as E;
use solana_signer::Signer;

const SF: u64 = 0x8928308280fffff; // San Francisco, resolution 9
const NYC: u64 = 0x892a100d2c3ffff; // New York, resolution 9

fn location_ix(
    w: &World,
    owner: &Owner,
    node: &Pubkey,
    cell: u64,
) -> solana_instruction::Instruction {
    let credits = w
        .reg()
        .credits_accounts(&w.network_state(), &owner.pubkey(), None)
        .unwrap();
    ix::assert_location(
        &owner.pubkey(),
        &w.network,
        node,
        credits,
        cell,
        LOCATION_FEE,
    )
}

fn set_paused(w: &World, paused: bool) {
    w.configure(|a| a.paused = Some(paused));
}

#[test]
fn asserts_a_location_and_burns_the_fee() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE + 2 * LOCATION_FEE);
    let (_, node) = w.register(&owner);
    assert!(depin_core::h3::is_valid_cell(SF) && depin_core::h3::is_valid_cell(NYC));
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, SF)
        .unwrap();
    let n = w.node_state(&node);
    assert_eq!((n.location, n.location_changes), (SF, 1));
    assert_eq!(w.credits_of(&owner), LOCATION_FEE);
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, NYC)
        .unwrap();
    let n = w.node_state(&node);
    assert_eq!((n.location, n.location_changes), (NYC, 2));
    assert_eq!(w.credits_of(&owner), 0);
}

#[test]
fn location_errors() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE + LOCATION_FEE);
    let (_, node) = w.register(&owner);
    let watch = [node, owner.credits, w.credits_mint];
    let payer = [owner.pubkey()];
    for bad in [0u64, SF + 1, u64::MAX, 0x80f5fffffffffff] {
        let ix = location_ix(&w, &owner, &node, bad);
        w.assert_refused(&watch, &payer, code(E::InvalidLocation), || {
            w.send(&[ix], &owner.keypair, &[])
        });
    }
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, SF)
        .unwrap();
    let ix = location_ix(&w, &owner, &node, SF);
    w.assert_refused(&watch, &payer, code(E::LocationUnchanged), || {
        w.send(&[ix], &owner.keypair, &[])
    });
    // credits are gone now
    let ix = location_ix(&w, &owner, &node, NYC);
    w.assert_refused(&watch, &payer, code(E::InsufficientCredits), || {
        w.send(&[ix], &owner.keypair, &[])
    });
}

#[test]
fn only_the_owner_moves_a_node() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let thief = w.owner(10 * LOCATION_FEE);
    let (_, node) = w.register(&owner);
    let ix = location_ix(&w, &thief, &node, SF);
    w.assert_refused(
        &[node, thief.credits],
        &[thief.pubkey()],
        code(E::NotNodeOwner),
        || w.send(&[ix], &thief.keypair, &[]),
    );
}

#[test]
fn suspended_or_paused_nodes_do_not_move() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE + 10 * LOCATION_FEE);
    let (_, node) = w.register(&owner);
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    let ix = location_ix(&w, &owner, &node, SF);
    w.assert_refused(
        &[node, owner.credits],
        &[owner.pubkey()],
        code(E::NodeSuspended),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
        .unwrap();
    set_paused(&w, true);
    let ix = location_ix(&w, &owner, &node, SF);
    w.assert_refused(
        &[node, owner.credits],
        &[owner.pubkey()],
        code(E::NetworkPaused),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    set_paused(&w, false);
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, SF)
        .unwrap();
}

#[test]
fn a_node_of_another_network_is_refused() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE + LOCATION_FEE);
    let (device, node) = w.register(&owner);
    let other = w.create_network("elsewhere").unwrap();
    let credits = w
        .reg()
        .credits_accounts(&w.network_state(), &owner.pubkey(), None)
        .unwrap();
    let ix = ix::assert_location(&owner.pubkey(), &other, &node, credits, SF, LOCATION_FEE);
    w.assert_refused(
        &[node, owner.credits],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    // the other network's addresses for this device hold nothing
    let ix = ix::propose_transfer(
        &owner.pubkey(),
        &other,
        &device.pubkey(),
        Pubkey::new_unique(),
    );
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        anchor(AnchorError::AccountNotInitialized),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    // our device record and node passed with the other network
    let mut ix = ix::propose_transfer(
        &owner.pubkey(),
        &w.network,
        &device.pubkey(),
        Pubkey::new_unique(),
    );
    ix.accounts[1].pubkey = other;
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    let mut ix = ix::set_node_status(
        &w.operator.pubkey(),
        &w.network,
        &device.pubkey(),
        NodeStatus::Suspended,
    );
    ix.accounts[1].pubkey = other;
    w.assert_refused(
        &[node, w.device_address(&device.pubkey())],
        &[w.operator.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn transfers_a_node_in_two_steps() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE + LOCATION_FEE);
    let buyer = w.owner(0);
    let (device, node) = w.register(&owner);
    let offer = depin::pda::transfer_offer(&node).0;
    let owner_lamports = w.account(&owner.pubkey()).unwrap().lamports;
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, buyer.pubkey())
        .unwrap();
    let o = depin::accounts::transfer_offer(&w.net, &offer).unwrap();
    assert_eq!(
        (o.node, o.from, o.to),
        (node, owner.pubkey(), buyer.pubkey())
    );
    // until accepted the owner keeps control: the node is still theirs and they can use it
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
    w.reg()
        .assert_location(&owner.keypair, &w.network, &node, SF)
        .unwrap();
    // a stranger cannot accept, nor can the owner accept for the buyer
    let stranger = w.owner(0);
    let watch = [node, offer];
    for who in [&stranger, &owner] {
        let ix = ix::accept_transfer(&who.pubkey(), &w.network, &device.pubkey(), &owner.pubkey());
        w.assert_refused(&watch, &[who.pubkey()], code(E::NotTransferParty), || {
            w.send(&[ix], &who.keypair, &[])
        });
    }
    // the offer's rent must go back to the proposer, nobody else
    let ix = ix::accept_transfer(
        &buyer.pubkey(),
        &w.network,
        &device.pubkey(),
        &buyer.pubkey(),
    );
    w.assert_refused(
        &watch,
        &[buyer.pubkey()],
        code(E::StaleTransferOffer),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
    w.reg()
        .accept_transfer(&buyer.keypair, &w.network, &node)
        .unwrap();
    assert_eq!(w.node_state(&node).owner, buyer.pubkey());
    assert!(w.account(&offer).is_none(), "offer closed");
    // three signature fees (propose, location, the refused accept): the rent came back
    assert_eq!(
        w.account(&owner.pubkey()).unwrap().lamports,
        owner_lamports - 3 * 5_000,
        "the owner got the offer's rent back"
    );
    // the seller has no power left; the buyer does
    let ix = ix::propose_transfer(
        &owner.pubkey(),
        &w.network,
        &device.pubkey(),
        owner.pubkey(),
    );
    w.assert_refused(&[node], &[owner.pubkey()], code(E::NotNodeOwner), || {
        w.send(&[ix], &owner.keypair, &[])
    });
    w.reg()
        .transfer_node(&buyer.keypair, &owner.keypair, &w.network, &node)
        .unwrap();
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
}

#[test]
fn an_offer_can_be_cancelled_declined_or_replaced() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let (a, b, c) = (w.owner(0), w.owner(0), w.owner(0));
    let (device, node) = w.register(&owner);
    let offer = depin::pda::transfer_offer(&node).0;
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, a.pubkey())
        .unwrap();
    // only the proposer or the recipient may cancel
    let ix = ix::cancel_transfer(&c.pubkey(), &node, &owner.pubkey());
    w.assert_refused(
        &[offer, node],
        &[c.pubkey()],
        code(E::NotTransferParty),
        || w.send(&[ix], &c.keypair, &[]),
    );
    w.reg().cancel_transfer(&a.keypair, &node).unwrap(); // a declines
    assert!(w.account(&offer).is_none());
    let ix = ix::accept_transfer(&a.pubkey(), &w.network, &device.pubkey(), &owner.pubkey());
    w.assert_refused(
        &[node],
        &[a.pubkey()],
        anchor(AnchorError::AccountNotInitialized),
        || w.send(&[ix], &a.keypair, &[]),
    );
    // proposing again replaces the recipient: the first one can no longer accept
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, a.pubkey())
        .unwrap();
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, b.pubkey())
        .unwrap();
    let ix = ix::accept_transfer(&a.pubkey(), &w.network, &device.pubkey(), &owner.pubkey());
    w.assert_refused(
        &[node, offer],
        &[a.pubkey()],
        code(E::NotTransferParty),
        || w.send(&[ix], &a.keypair, &[]),
    );
    w.reg().cancel_transfer(&owner.keypair, &node).unwrap(); // the proposer withdraws
    assert!(w.account(&offer).is_none());
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
}

#[test]
fn decommissioning_closes_an_open_offer() {
    let w = World::new();
    let owner = w.owner(2 * ONBOARDING_FEE);
    let buyer = w.owner(0);
    let (device, node) = w.register(&owner);
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, buyer.pubkey())
        .unwrap();
    let offer = depin::pda::transfer_offer(&node).0;
    let offer_rent = w.account(&offer).unwrap().lamports;
    let before = w.account(&owner.pubkey()).unwrap().lamports;
    // the owner decommissions and registers the device again, in one transaction
    let r = w.registration_with_nonce(&owner.pubkey(), &w.makers[0], &device, w.now() + 1);
    let mut ixs = vec![ix::decommission_node(&owner.pubkey(), &w.network, &node)];
    ixs.extend(
        w.reg()
            .register_node_instructions(&owner.pubkey(), &r)
            .unwrap(),
    );
    w.send(&ixs, &owner.keypair, &[]).unwrap();
    assert_eq!(w.device_state(&device.pubkey()).registrations, 2);
    // the offer went with the old registration and its rent came back to the proposer (the
    // node's rent went out and in again): only the fee for three signatures (the owner's
    // and the two the precompile verifies) is spent
    assert!(w.account(&offer).is_none());
    let after = w.account(&owner.pubkey()).unwrap().lamports;
    assert_eq!(after + 3 * 5_000, before + offer_rent);
    let ix = ix::accept_transfer(
        &buyer.pubkey(),
        &w.network,
        &device.pubkey(),
        &owner.pubkey(),
    );
    w.assert_refused(
        &[node, offer],
        &[buyer.pubkey()],
        anchor(AnchorError::AccountNotInitialized),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
}

#[test]
fn an_offer_belongs_to_its_node() {
    let w = World::new();
    let owner = w.owner(2 * ONBOARDING_FEE);
    let buyer = w.owner(0);
    let (d1, n1) = w.register(&owner);
    let (_d2, n2) = w.register(&owner);
    let offer2 = depin::pda::transfer_offer(&n2).0;
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &n2, buyer.pubkey())
        .unwrap();
    // node 1 with node 2's offer
    let mut ix = ix::accept_transfer(&buyer.pubkey(), &w.network, &d1.pubkey(), &owner.pubkey());
    ix.accounts[4].pubkey = offer2;
    w.assert_refused(
        &[n1, n2, offer2],
        &[buyer.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
    // the offer's rent to someone other than the proposer
    let stranger = w.owner(0);
    let ix = ix::cancel_transfer(&buyer.pubkey(), &n2, &stranger.pubkey());
    w.assert_refused(
        &[offer2, stranger.pubkey()],
        &[buyer.pubkey()],
        code(E::NotTransferParty),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
    // decommissioning node 1 with node 2's offer in the offer slot
    let mut ix = ix::decommission_node(&owner.pubkey(), &w.network, &n1);
    ix.accounts[3].pubkey = offer2;
    w.assert_refused(
        &[n1, offer2, w.network],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &owner.keypair, &[]),
    );
}

#[test]
fn transfer_errors() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let buyer = w.owner(0);
    let (device, node) = w.register(&owner);
    let d = device.pubkey();
    let offer = depin::pda::transfer_offer(&node).0;
    let ix = ix::propose_transfer(&owner.pubkey(), &w.network, &d, owner.pubkey());
    w.assert_refused(
        &[node, offer],
        &[owner.pubkey()],
        code(E::SameOwner),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    // an offer made before a suspension cannot be accepted during it
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, buyer.pubkey())
        .unwrap();
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    let ix = ix::propose_transfer(&owner.pubkey(), &w.network, &d, Pubkey::new_unique());
    w.assert_refused(
        &[node, offer],
        &[owner.pubkey()],
        code(E::NodeSuspended),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    let ix = ix::accept_transfer(&buyer.pubkey(), &w.network, &d, &owner.pubkey());
    w.assert_refused(
        &[node, offer],
        &[buyer.pubkey()],
        code(E::NodeSuspended),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
        .unwrap();
    set_paused(&w, true);
    let ix = ix::propose_transfer(&owner.pubkey(), &w.network, &d, Pubkey::new_unique());
    w.assert_refused(
        &[node, offer],
        &[owner.pubkey()],
        code(E::NetworkPaused),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    let ix = ix::accept_transfer(&buyer.pubkey(), &w.network, &d, &owner.pubkey());
    w.assert_refused(
        &[node, offer],
        &[buyer.pubkey()],
        code(E::NetworkPaused),
        || w.send(&[ix], &buyer.keypair, &[]),
    );
    set_paused(&w, false);
    // an off-curve recipient (the node's own address) can be offered but never signs:
    // the owner keeps the node and can withdraw the offer
    w.reg()
        .propose_transfer(&owner.keypair, &w.network, &node, node)
        .unwrap();
    w.reg().cancel_transfer(&owner.keypair, &node).unwrap();
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
}

#[test]
fn status_is_set_by_authority_or_operator() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let operator = w.owner(0);
    let (device, node) = w.register(&owner);
    let d = device.pubkey();
    // the owner is not a status authority
    let ix = ix::set_node_status(&owner.pubkey(), &w.network, &d, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        code(E::NotStatusAuthority),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    // nor is the operator before it is delegated
    let ix = ix::set_node_status(&operator.pubkey(), &w.network, &d, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[operator.pubkey()],
        code(E::NotStatusAuthority),
        || w.send(&[ix], &operator.keypair, &[]),
    );

    w.configure(|a| {
        a.operator = Some(node_registry::state::OperatorUpdate::Set(operator.pubkey()))
    });
    w.reg()
        .set_node_status(&operator.keypair, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    assert_eq!(w.node_state(&node).status, NodeStatus::Suspended);
    assert_eq!(w.device_state(&d).status, NodeStatus::Suspended);
    let ix = ix::set_node_status(&operator.pubkey(), &w.network, &d, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[operator.pubkey()],
        code(E::StatusUnchanged),
        || w.send(&[ix], &operator.keypair, &[]),
    );
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
        .unwrap();
    assert_eq!(w.node_state(&node).status, NodeStatus::Active);
    assert_eq!(w.device_state(&d).status, NodeStatus::Active);
}

#[test]
fn decommission_closes_and_refunds_the_owner() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let (device, node) = w.register(&owner);
    let rent = w.account(&node).unwrap().lamports;
    let before = w.account(&owner.pubkey()).unwrap().lamports;
    let out = w
        .reg()
        .decommission_node(&owner.keypair, &w.network, &node)
        .unwrap();
    let after = w.account(&owner.pubkey()).unwrap().lamports;
    assert!(w.account(&node).is_none());
    assert_eq!(
        after + 5_000,
        before + rent,
        "owner gets the rent back, less the signature fee"
    );
    assert_eq!(w.network_state().node_count, 0);
    let _ = out;

    // everything after that finds no node
    let expect = anchor(AnchorError::AccountNotInitialized);
    let ix = ix::propose_transfer(
        &owner.pubkey(),
        &w.network,
        &device.pubkey(),
        Pubkey::new_unique(),
    );
    w.assert_refused(&[node], &[owner.pubkey()], expect, || {
        w.send(&[ix], &owner.keypair, &[])
    });
    let ix = location_ix(&w, &owner, &node, SF);
    w.assert_refused(&[node], &[owner.pubkey()], expect, || {
        w.send(&[ix], &owner.keypair, &[])
    });
    let ix = ix::decommission_node(&owner.pubkey(), &w.network, &node);
    w.assert_refused(&[node, w.network], &[owner.pubkey()], expect, || {
        w.send(&[ix], &owner.keypair, &[])
    });
    assert_eq!(w.node_address(&device.pubkey()), node);
}

#[test]
fn only_the_owner_decommissions() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let other = w.owner(0);
    let (_, node) = w.register(&owner);
    let ix = ix::decommission_node(&other.pubkey(), &w.network, &node);
    w.assert_refused(
        &[node, w.network],
        &[other.pubkey()],
        code(E::NotNodeOwner),
        || w.send(&[ix], &other.keypair, &[]),
    );
    // the network authority cannot take the rent either
    let ix = ix::decommission_node(&w.operator.pubkey(), &w.network, &node);
    w.assert_refused(
        &[node, w.network],
        &[w.operator.pubkey()],
        code(E::NotNodeOwner),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn lists_nodes_by_network_and_owner() {
    let w = World::new();
    let a = w.owner(3 * ONBOARDING_FEE);
    let b = w.owner(ONBOARDING_FEE);
    for _ in 0..3 {
        w.register(&a);
    }
    w.register(&b);
    let all = depin::accounts::nodes_of(&w.net, &w.network).unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(all.iter().filter(|(_, n)| n.owner == a.pubkey()).count(), 3);
    assert_eq!(w.network_state().node_count, 4);
}
