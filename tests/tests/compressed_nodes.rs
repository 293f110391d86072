//! Compressed nodes after registration (issue 13), natively and on the SBF files: status,
//! location, transfer and decommissioning replace one leaf with its proof, `verify_node`
//! proves one. The signer is checked against the owner the leaf commits to, so a valid
//! proof does not let anyone else act, and a leaf with forged fields does not prove.
use depin::compressed;
use depin::ix;
use depin_tests::compressed::{CompressedWorld, TEST_SHAPE};
use depin_tests::*;
use node_registry::state::{CompressedChange, NodeProof, NodeStatus};
use node_registry::RegistryError as E;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// A valid H3 cell (resolution 8) and another.
const CELL: u64 = 0x8828308281fffff;
const OTHER_CELL: u64 = 0x882830828dfffff;

fn watched(c: &CompressedWorld, extra: &[solana_pubkey::Pubkey]) -> Vec<solana_pubkey::Pubkey> {
    let mut v = vec![c.tree_address(), c.network, c.credits_mint];
    v.extend_from_slice(extra);
    v
}

fn location_ix(
    c: &CompressedWorld,
    owner: &Owner,
    proof: NodeProof,
    cell: u64,
) -> solana_instruction::Instruction {
    ix::assert_compressed_location(
        &owner.pubkey(),
        &c.network,
        &c.tree_address(),
        c.credits(owner),
        cell,
        LOCATION_FEE,
        proof,
    )
}

#[test]
fn the_status_authority_suspends_and_reactivates() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let (device, _) = c.register(&owner);
    let d = device.pubkey();
    let tree = c.tree_address();
    let suspend = |p: NodeProof| {
        ix::set_compressed_node_status(
            &c.operator.pubkey(),
            &c.network,
            &tree,
            NodeStatus::Suspended,
            p,
        )
    };

    // the owner is not the status authority
    let ixn = ix::set_compressed_node_status(
        &owner.pubkey(),
        &c.network,
        &tree,
        NodeStatus::Suspended,
        c.node_proof(&d),
    );
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::NotStatusAuthority),
        || c.send(&[ixn], &owner.keypair, &[]),
    );
    // already active
    let ixn = ix::set_compressed_node_status(
        &c.operator.pubkey(),
        &c.network,
        &tree,
        NodeStatus::Active,
        c.node_proof(&d),
    );
    c.assert_refused(
        &watched(&c, &[]),
        &[c.operator.pubkey()],
        code(E::StatusUnchanged),
        || c.send(&[ixn], &c.operator, &[]),
    );

    let out = c
        .update(suspend(c.node_proof(&d)), &c.operator, &[])
        .unwrap();
    let ev = &compressed::updated_events(&out).unwrap()[0];
    assert_eq!(ev.change, CompressedChange::Status);
    assert_eq!(ev.node.status, NodeStatus::Suspended);
    assert_eq!(c.node(&d).status, NodeStatus::Suspended);
    assert_eq!(c.onchain_root(), c.tree.lock().unwrap().tree.root());

    // a proof claiming it is still active does not prove
    let mut forged = c.node_proof(&d);
    forged.node.status = NodeStatus::Active;
    let ixn = ix::set_compressed_node_status(
        &c.operator.pubkey(),
        &c.network,
        &tree,
        NodeStatus::Suspended,
        forged,
    );
    c.assert_refused(
        &watched(&c, &[]),
        &[c.operator.pubkey()],
        code(E::InvalidTreeProof),
        || c.send(&[ixn], &c.operator, &[]),
    );

    // a suspended node cannot move or change hands
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::NodeSuspended),
        || {
            c.send(
                &[location_ix(&c, &owner, c.node_proof(&d), CELL)],
                &owner.keypair,
                &[],
            )
        },
    );
    let buyer = Keypair::new();
    let ixn = ix::transfer_compressed_node(
        &owner.pubkey(),
        &buyer.pubkey(),
        &c.network,
        &tree,
        c.node_proof(&d),
    );
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::NodeSuspended),
        || c.send(&[ixn], &owner.keypair, &[&buyer]),
    );

    // the operator reinstates it
    let operator = Keypair::new();
    c.fund(&operator.pubkey(), 1_000_000_000);
    c.configure(|a| {
        a.operator = Some(node_registry::state::OperatorUpdate::Set(operator.pubkey()))
    });
    let ixn = ix::set_compressed_node_status(
        &operator.pubkey(),
        &c.network,
        &tree,
        NodeStatus::Active,
        c.node_proof(&d),
    );
    c.update(ixn, &operator, &[]).unwrap();
    assert_eq!(c.node(&d).status, NodeStatus::Active);
}

#[test]
fn only_the_owner_asserts_a_location_and_pays_for_it() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let stranger = c.owner(10_000);
    let (device, _) = c.register(&owner);
    let d = device.pubkey();

    // a stranger with a valid proof of the node
    c.assert_refused(
        &watched(&c, &[stranger.credits]),
        &[stranger.pubkey()],
        code(E::NotNodeOwner),
        || {
            c.send(
                &[location_ix(&c, &stranger, c.node_proof(&d), CELL)],
                &stranger.keypair,
                &[],
            )
        },
    );
    // a stranger who writes themself in as the owner: the leaf does not prove
    let mut forged = c.node_proof(&d);
    forged.node.owner = stranger.pubkey();
    c.assert_refused(
        &watched(&c, &[stranger.credits]),
        &[stranger.pubkey()],
        code(E::InvalidTreeProof),
        || {
            c.send(
                &[location_ix(&c, &stranger, forged, CELL)],
                &stranger.keypair,
                &[],
            )
        },
    );
    // not a cell
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::InvalidLocation),
        || {
            c.send(
                &[location_ix(&c, &owner, c.node_proof(&d), 12345)],
                &owner.keypair,
                &[],
            )
        },
    );
    // a fee above what the owner agreed to
    let low = ix::assert_compressed_location(
        &owner.pubkey(),
        &c.network,
        &c.tree_address(),
        c.credits(&owner),
        CELL,
        LOCATION_FEE - 1,
        c.node_proof(&d),
    );
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::FeeAboveMaximum),
        || c.send(&[low], &owner.keypair, &[]),
    );

    let credits = c.credits_of(&owner);
    let before = c.node_proof(&d);
    let out = c
        .update(
            location_ix(&c, &owner, c.node_proof(&d), CELL),
            &owner.keypair,
            &[],
        )
        .unwrap();
    let ev = &compressed::updated_events(&out).unwrap()[0];
    assert_eq!(
        ev.change,
        CompressedChange::Location {
            fee_burned: LOCATION_FEE
        }
    );
    assert_eq!(c.credits_of(&owner), credits - LOCATION_FEE);
    let node = c.node(&d);
    assert_eq!((node.location, node.location_changes), (CELL, 1));
    // the same cell again
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::LocationUnchanged),
        || {
            c.send(
                &[location_ix(&c, &owner, c.node_proof(&d), CELL)],
                &owner.keypair,
                &[],
            )
        },
    );
    // the proof from before the move: the changelog shows its leaf was rewritten since
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::LeafContentsModified),
        || {
            c.send(
                &[location_ix(&c, &owner, before.clone(), OTHER_CELL)],
                &owner.keypair,
                &[],
            )
        },
    );
    // the old fields at the current root do not prove
    let mut stale = c.node_proof(&d);
    stale.node = before.node;
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || {
            c.send(
                &[location_ix(&c, &owner, stale, OTHER_CELL)],
                &owner.keypair,
                &[],
            )
        },
    );
    c.update(
        location_ix(&c, &owner, c.node_proof(&d), OTHER_CELL),
        &owner.keypair,
        &[],
    )
    .unwrap();
    assert_eq!(c.node(&d).location_changes, 2);
}

#[test]
fn a_transfer_needs_the_owner_and_the_recipient() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let buyer = c.owner(10_000);
    let stranger = c.owner(10_000);
    let (device, _) = c.register(&owner);
    let (other_device, _) = c.register(&owner);
    let d = device.pubkey();
    let tree = c.tree_address();
    let transfer = |from: &Owner, to: &Owner, p: NodeProof| {
        ix::transfer_compressed_node(&from.pubkey(), &to.pubkey(), &c.network, &tree, p)
    };

    // a stranger with a valid proof
    c.assert_refused(
        &watched(&c, &[]),
        &[stranger.pubkey()],
        code(E::NotNodeOwner),
        || {
            c.send(
                &[transfer(&stranger, &buyer, c.node_proof(&d))],
                &stranger.keypair,
                &[&buyer.keypair],
            )
        },
    );
    // a stranger with a valid proof of another leaf, rewritten to name this device
    let mut other = c.node_proof(&other_device.pubkey());
    other.device_key = d;
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || {
            c.send(
                &[transfer(&owner, &buyer, other)],
                &owner.keypair,
                &[&buyer.keypair],
            )
        },
    );
    // to the owner itself
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::SameOwner),
        || {
            c.send(
                &[transfer(&owner, &owner, c.node_proof(&d))],
                &owner.keypair,
                &[],
            )
        },
    );
    // the recipient must sign: without its signature the transaction cannot be made
    let mut unsigned = transfer(&owner, &buyer, c.node_proof(&d));
    assert!(unsigned.accounts[1].is_signer);
    unsigned.accounts[1].is_signer = false;
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        anchor(AnchorError::AccountNotSigner),
        || c.send(&[unsigned], &owner.keypair, &[]),
    );

    let before = c.node_proof(&d);
    let out = c
        .update(
            transfer(&owner, &buyer, c.node_proof(&d)),
            &owner.keypair,
            &[&buyer.keypair],
        )
        .unwrap();
    let ev = &compressed::updated_events(&out).unwrap()[0];
    assert_eq!(
        ev.change,
        CompressedChange::Transfer {
            from: owner.pubkey()
        }
    );
    let node = c.node(&d);
    assert_eq!(node.owner, buyer.pubkey());
    assert_eq!(node.capacity, TEST_CAPACITY);
    // the old owner, with the proof from before: the leaf changed since
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::LeafContentsModified),
        || {
            c.send(
                &[transfer(&owner, &stranger, before)],
                &owner.keypair,
                &[&stranger.keypair],
            )
        },
    );
    // and with a fresh proof it is no longer theirs
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::NotNodeOwner),
        || {
            c.send(
                &[transfer(&owner, &stranger, c.node_proof(&d))],
                &owner.keypair,
                &[&stranger.keypair],
            )
        },
    );
    // the new owner can move it on
    c.update(
        transfer(&buyer, &stranger, c.node_proof(&d)),
        &buyer.keypair,
        &[&stranger.keypair],
    )
    .unwrap();
    assert_eq!(c.node(&d).owner, stranger.pubkey());
}

#[test]
fn a_decommissioned_node_keeps_its_leaf_and_cannot_come_back_as_new() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let stranger = c.owner(10_000);
    let (device, _) = c.register(&owner);
    let d = device.pubkey();
    let tree = c.tree_address();
    c.update(
        location_ix(&c, &owner, c.node_proof(&d), CELL),
        &owner.keypair,
        &[],
    )
    .unwrap();

    let ixn =
        ix::decommission_compressed_node(&stranger.pubkey(), &c.network, &tree, c.node_proof(&d));
    c.assert_refused(
        &watched(&c, &[]),
        &[stranger.pubkey()],
        code(E::NotNodeOwner),
        || c.send(&[ixn], &stranger.keypair, &[]),
    );

    assert_eq!(c.network_state().node_count, 1);
    let ixn =
        ix::decommission_compressed_node(&owner.pubkey(), &c.network, &tree, c.node_proof(&d));
    let out = c.update(ixn, &owner.keypair, &[]).unwrap();
    assert_eq!(
        compressed::updated_events(&out).unwrap()[0].change,
        CompressedChange::Decommission
    );
    assert_eq!(c.network_state().node_count, 0);
    let node = c.node(&d);
    assert_eq!(node.owner, solana_pubkey::Pubkey::default());
    assert_eq!(node.location, 0);
    // the former owner cannot act on it any more
    let ixn =
        ix::decommission_compressed_node(&owner.pubkey(), &c.network, &tree, c.node_proof(&d));
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::NotNodeOwner),
        || c.send(&[ixn], &owner.keypair, &[]),
    );
    // nor register the device again as a new node: its key is in the tree
    assert!(c.tree.lock().unwrap().insertion(&d).is_err());
    let index = c.tree.lock().unwrap().tree.find(&d.to_bytes()).unwrap();
    let insertion = c.insertion_at(index);
    let again = c.registration_with(&owner, &c.makers[0], &device, insertion);
    c.assert_refused(
        &watched(&c, &[owner.credits]),
        &[owner.pubkey()],
        code(E::NodeAlreadyRegistered),
        || c.send_v0(&again, &owner.keypair),
    );
}

#[test]
fn verify_node_proves_a_node_and_nothing_else() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let (device, _) = c.register(&owner);
    let (second, _) = c.register(&owner);
    let d = device.pubkey();
    let tree = c.tree_address();
    let verify = |p: NodeProof| {
        c.send(
            &[ix::verify_node(&c.network, &tree, p)],
            &owner.keypair,
            &[],
        )
    };
    let out = verify(c.node_proof(&d)).unwrap();
    assert!(out.cpi_events.is_empty());

    let mut forged = c.node_proof(&d);
    forged.node.owner = c.operator.pubkey();
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || verify(forged),
    );
    // another node's leaf under this device's index
    let mut swapped = c.node_proof(&second.pubkey());
    swapped.index = c.node_proof(&d).index;
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || verify(swapped),
    );
    // the sentinel is not a node
    let mut sentinel = c.node_proof(&d);
    sentinel.device_key = solana_pubkey::Pubkey::default();
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::ReservedDeviceKey),
        || verify(sentinel),
    );
    let mut short = c.node_proof(&d);
    short.proof.pop();
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::WrongProofLength),
        || verify(short),
    );

    // a second compressed network: its tree does not hold this network's nodes
    let other = c.create_network("cmp-verify").unwrap();
    let other_tree = Keypair::new();
    let w2 = &c.w;
    let ixs = compressed::create_tree_instructions(
        &w2.operator.pubkey(),
        &w2.operator.pubkey(),
        &other,
        &other_tree.pubkey(),
        TEST_SHAPE,
    )
    .unwrap();
    c.send(&ixs, &c.operator, &[&other_tree]).unwrap();
    let p = c.node_proof(&d);
    // this network with the other tree
    let ixn = ix::verify_node(&c.network, &other_tree.pubkey(), p.clone());
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::WrongTree),
        || c.send(&[ixn], &owner.keypair, &[]),
    );
    // the other network with its own tree, and this network's leaf
    let ixn = ix::verify_node(&other, &other_tree.pubkey(), p.clone());
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || c.send(&[ixn], &owner.keypair, &[]),
    );
    // the other network naming this network's tree
    let ixn = ix::verify_node(&other, &tree, p);
    c.assert_refused(
        &watched(&c, &[]),
        &[owner.pubkey()],
        code(E::WrongTree),
        || c.send(&[ixn], &owner.keypair, &[]),
    );
    // a leaf update proven against another network's tree
    let ixn = ix::transfer_compressed_node(
        &owner.pubkey(),
        &c.operator.pubkey(),
        &other,
        &other_tree.pubkey(),
        c.node_proof(&d),
    );
    c.assert_refused(
        &watched(&c, &[other_tree.pubkey()]),
        &[owner.pubkey()],
        code(E::InvalidTreeProof),
        || c.send(&[ixn], &owner.keypair, &[&c.operator]),
    );
}
