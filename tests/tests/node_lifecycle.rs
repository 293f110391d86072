//! assert_location, transfer_node, set_node_status, decommission_node.
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
    ix::assert_location(&owner.pubkey(), &w.network, node, credits, cell)
}

fn set_paused(w: &World, paused: bool) {
    w.configure(|a| a.paused = paused);
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
    let (_, node) = w.register(&owner);
    let other = w.create_network("elsewhere").unwrap();
    let credits = w
        .reg()
        .credits_accounts(&w.network_state(), &owner.pubkey(), None)
        .unwrap();
    let ix = ix::assert_location(&owner.pubkey(), &other, &node, credits, SF);
    w.assert_refused(
        &[node, owner.credits],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    let ix = ix::transfer_node(&owner.pubkey(), &other, &node, Pubkey::new_unique());
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    let ix = ix::set_node_status(&w.operator.pubkey(), &other, &node, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[w.operator.pubkey()],
        anchor(AnchorError::ConstraintSeeds),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn transfers_a_node() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let buyer = w.owner(0);
    let (_, node) = w.register(&owner);
    w.reg()
        .transfer_node(&owner.keypair, &w.network, &node, buyer.pubkey())
        .unwrap();
    assert_eq!(w.node_state(&node).owner, buyer.pubkey());
    // the seller has no power left; the buyer does
    let ix = ix::transfer_node(&owner.pubkey(), &w.network, &node, owner.pubkey());
    w.assert_refused(&[node], &[owner.pubkey()], code(E::NotNodeOwner), || {
        w.send(&[ix], &owner.keypair, &[])
    });
    w.reg()
        .transfer_node(&buyer.keypair, &w.network, &node, owner.pubkey())
        .unwrap();
    assert_eq!(w.node_state(&node).owner, owner.pubkey());
}

#[test]
fn transfer_errors() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let (_, node) = w.register(&owner);
    let ix = ix::transfer_node(&owner.pubkey(), &w.network, &node, owner.pubkey());
    w.assert_refused(&[node], &[owner.pubkey()], code(E::SameOwner), || {
        w.send(&[ix], &owner.keypair, &[])
    });
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    let ix = ix::transfer_node(&owner.pubkey(), &w.network, &node, Pubkey::new_unique());
    w.assert_refused(&[node], &[owner.pubkey()], code(E::NodeSuspended), || {
        w.send(&[ix], &owner.keypair, &[])
    });
    w.reg()
        .set_node_status(&w.operator, &w.network, &node, NodeStatus::Active)
        .unwrap();
    set_paused(&w, true);
    let ix = ix::transfer_node(&owner.pubkey(), &w.network, &node, Pubkey::new_unique());
    w.assert_refused(&[node], &[owner.pubkey()], code(E::NetworkPaused), || {
        w.send(&[ix], &owner.keypair, &[])
    });
}

#[test]
fn status_is_set_by_authority_or_operator() {
    let w = World::new();
    let owner = w.owner(ONBOARDING_FEE);
    let operator = w.owner(0);
    let (_, node) = w.register(&owner);
    // the owner is not a status authority
    let ix = ix::set_node_status(&owner.pubkey(), &w.network, &node, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[owner.pubkey()],
        code(E::NotStatusAuthority),
        || w.send(&[ix], &owner.keypair, &[]),
    );
    // nor is the operator before it is delegated
    let ix = ix::set_node_status(&operator.pubkey(), &w.network, &node, NodeStatus::Suspended);
    w.assert_refused(
        &[node],
        &[operator.pubkey()],
        code(E::NotStatusAuthority),
        || w.send(&[ix], &operator.keypair, &[]),
    );

    w.configure(|a| a.operator = Some(operator.pubkey()));
    w.reg()
        .set_node_status(&operator.keypair, &w.network, &node, NodeStatus::Suspended)
        .unwrap();
    assert_eq!(w.node_state(&node).status, NodeStatus::Suspended);
    let ix = ix::set_node_status(&operator.pubkey(), &w.network, &node, NodeStatus::Suspended);
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
    let ix = ix::transfer_node(&owner.pubkey(), &w.network, &node, Pubkey::new_unique());
    w.assert_refused(&[node], &[owner.pubkey()], expect, || {
        w.send(&[ix], &owner.keypair, &[])
    });
    let ix = location_ix(&w, &owner, &node, SF);
    w.assert_refused(&[node], &[owner.pubkey()], expect, || {
        w.send(&[ix], &owner.keypair, &[])
    });
    let ix = ix::set_node_status(
        &w.operator.pubkey(),
        &w.network,
        &node,
        NodeStatus::Suspended,
    );
    w.assert_refused(&[node], &[w.operator.pubkey()], expect, || {
        w.send(&[ix], &w.operator, &[])
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
