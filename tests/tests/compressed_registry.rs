//! Compressed registry mode (issue 13), natively and on the SBF files: a network's nodes as
//! leaves of a concurrent merkle tree owned by node_registry. Registration verifies the same
//! maker and device signatures as `register_node`, proves the device absent with its low
//! leaf, and keeps one leaf per device, also for registrations built on one root and landed
//! in one slot. Every refusal names its error and changes nothing.
use depin::compressed::{self, Insertion, TreeShape};
use depin::lookup;
use depin::transport::Transport;
use depin_core::node_tree::NodeLeaf;
use depin_tests::compressed::{create_tree, CompressedWorld, TEST_SHAPE};
use depin_tests::*;
use node_registry::state::{CompressedNode, NodeStatus, TreeLeaf};
use node_registry::tree::{account_len, TreeAccount, TREE_TAG};
use node_registry::RegistryError as E;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// The accounts a registration may change (the owner pays fees).
fn watched(c: &CompressedWorld, owner: &Owner) -> Vec<solana_pubkey::Pubkey> {
    vec![
        c.tree_address(),
        c.network,
        c.makers[0].address,
        c.credits_mint,
        owner.credits,
        owner.pubkey(),
    ]
}

#[test]
fn a_tree_is_created_and_registrations_land_as_leaves() {
    let c = CompressedWorld::new();
    let tree = c.tree_address();

    // the account: exact size, owned by the program, header naming the network
    let account = c.account(&tree).expect("tree account");
    assert_eq!(account.owner, node_registry::ID);
    assert_eq!(
        account.data.len(),
        account_len(TEST_SHAPE.depth, TEST_SHAPE.buffer, TEST_SHAPE.canopy).unwrap()
    );
    assert_eq!(
        account.data.len() as u64,
        TEST_SHAPE.account_bytes().unwrap(),
        "the client's layout formula and the program's size agree"
    );
    assert_eq!(&account.data[..8], &TREE_TAG);
    assert_eq!(&account.data[8..40], c.network.as_ref());
    assert_eq!(c.network_state().compressed_tree, Some(tree));
    let created = compressed::tree_created_events(&c.created).unwrap();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].tree, tree);
    assert_eq!(created[0].max_depth, TEST_SHAPE.depth);
    // the sentinel is in, and the client's tree agrees
    assert_eq!(created[0].root, c.tree.lock().unwrap().tree.root());
    assert_eq!(c.onchain_root(), created[0].root);

    let owner = c.owner(10_000);
    let mut devices = vec![];
    for n in 1..=6u64 {
        let credits = c.credits_of(&owner);
        let (device, ev) = c.register(&owner);
        assert_eq!(ev.leaf.device_key, device.pubkey());
        assert_eq!(ev.index, n as u32);
        assert_eq!(ev.node.owner, owner.pubkey());
        assert_eq!(ev.node.maker, c.makers[0].address);
        assert_eq!(ev.node.capacity, TEST_CAPACITY);
        assert_eq!(ev.node.status, NodeStatus::Active);
        assert_eq!(ev.leaf.data, ev.node.data_hash().unwrap());
        assert_eq!(ev.fee_burned, ONBOARDING_FEE);
        assert_eq!(c.credits_of(&owner), credits - ONBOARDING_FEE);
        assert_eq!(
            c.onchain_root(),
            ev.root,
            "the event's root is the account's"
        );
        assert_eq!(c.onchain_root(), c.tree.lock().unwrap().tree.root());
        assert_eq!(c.network_state().node_count, n);
        assert_eq!(c.maker_state(&c.makers[0].address).nodes_attested, n);
        devices.push(device.pubkey());
    }
    // the leaves are the sorted list of the devices, and the canopy is the client's
    let t = c.tree.lock().unwrap();
    devices.sort();
    let mut walked = vec![];
    let mut leaf = *t.tree.leaf(0).unwrap();
    while !leaf.is_end() {
        walked.push(solana_pubkey::Pubkey::new_from_array(leaf.next_device));
        leaf = *t.tree.leaf(leaf.next_index).unwrap();
    }
    assert_eq!(walked, devices);
    let account = c.account(&tree).unwrap();
    let canopy_at = account.data.len() - 32 * depin_core::node_tree::canopy_len(4);
    let canopy: Vec<[u8; 32]> = account.data[canopy_at..]
        .chunks(32)
        .map(|x| x.try_into().unwrap())
        .collect();
    // zero where never written: the empty subtree of that level
    let depth = TEST_SHAPE.depth as usize;
    let mut at = 0;
    let mut normalised = canopy.clone();
    for from_top in 1..=4usize {
        for n in &mut normalised[at..at + (1 << from_top)] {
            if *n == [0u8; 32] {
                *n = node_registry::tree::EMPTY_NODES[depth - from_top];
            }
        }
        at += 1 << from_top;
    }
    assert!(
        canopy.contains(&[0u8; 32]),
        "the right of the tree is never written"
    );
    assert_eq!(normalised, t.tree.canopy(4).unwrap());
}

#[test]
fn a_registration_fits_a_packet_as_v0_and_names_the_tree() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let device = c.device();
    let ixs = c.registration(&owner, &c.makers[0], &device);
    let tx = lookup::transaction(
        &owner.keypair,
        &[],
        &ixs,
        std::slice::from_ref(&c.table),
        c.net.latest_blockhash().unwrap(),
    )
    .unwrap();
    let v0 = lookup::size(&tx);
    let mut legacy = c.reg().unsigned(&ixs, &owner.pubkey()).unwrap();
    depin::txcodec::sign(&mut legacy, &owner.keypair).unwrap();
    let legacy = depin::txcodec::size(&legacy);
    eprintln!("register_compressed_node (depth 14, canopy 4): v0 {v0} bytes, legacy {legacy}");
    assert!(v0 <= 1_232, "{v0} bytes");
    assert!(
        legacy > 1_232,
        "legacy {legacy} bytes would not need the table"
    );
    c.net.send_versioned(&tx).unwrap();
}

#[test]
fn a_device_is_registered_once_in_any_order() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let other = c.owner(10_000);
    let (a, _) = c.register(&owner);
    let (_b, _) = c.register(&owner);

    // again, with proofs of every leaf as its "low leaf": refused by name, nothing changes
    let t_len = c.tree.lock().unwrap().tree.len() as u32;
    for index in 0..t_len {
        let insertion = c.insertion_at(index);
        let ixs = c.registration_with(&other, &c.makers[1], &a, insertion);
        let low = c.tree.lock().unwrap().tree.leaf(index).copied().unwrap();
        let expected =
            if low.device == a.pubkey().to_bytes() || low.next_device == a.pubkey().to_bytes() {
                E::NodeAlreadyRegistered
            } else {
                E::NotTheLowLeaf
            };
        c.assert_refused(
            &watched(&c, &other),
            &[other.pubkey()],
            code(expected),
            || c.send_v0(&ixs, &other.keypair),
        );
    }
    // the client refuses to build it at all
    assert!(c.tree.lock().unwrap().insertion(&a.pubkey()).is_err());
}

#[test]
fn the_same_device_twice_in_one_slot_lands_once() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let other = c.owner(10_000);
    c.register(&owner);
    let device = c.device();
    // both built on the same root, by two owners
    let first = c.registration(&owner, &c.makers[0], &device);
    let second = c.registration(&other, &c.makers[0], &device);
    let slot = c.net.slot().unwrap();
    let out = c.send_v0(&first, &owner.keypair).unwrap();
    c.assert_refused(
        &watched(&c, &other),
        &[other.pubkey()],
        code(E::LeafContentsModified),
        || c.send_v0(&second, &other.keypair),
    );
    assert_eq!(c.net.slot().unwrap(), slot, "both in one slot");
    c.apply(&out);
    // and with a fresh proof it is simply registered already
    let low = {
        let t = c.tree.lock().unwrap();
        let index = t.tree.find(&device.pubkey().to_bytes()).unwrap();
        (0..t.tree.len() as u32)
            .find(|i| t.tree.leaf(*i).unwrap().next_index == index)
            .unwrap()
    };
    let insertion = c.insertion_at(low);
    let again = c.registration_with(&other, &c.makers[0], &device, insertion);
    c.assert_refused(
        &watched(&c, &other),
        &[other.pubkey()],
        code(E::NodeAlreadyRegistered),
        || c.send_v0(&again, &other.keypair),
    );
}

#[test]
fn registrations_built_on_one_root_land_in_one_slot_or_fail_by_name() {
    let c = CompressedWorld::new();
    let owner = c.owner(100_000);
    for _ in 0..8 {
        c.register(&owner);
    }
    // fresh devices, grouped by the low leaf they need now
    let mut by_low: std::collections::BTreeMap<u32, Vec<Keypair>> = Default::default();
    while by_low.len() < 6 || by_low.values().all(|v| v.len() < 2) {
        let d = c.device();
        let low = c
            .tree
            .lock()
            .unwrap()
            .tree
            .low_leaf(&d.pubkey().to_bytes())
            .unwrap();
        by_low.entry(low).or_default().push(d);
    }
    let shared = *by_low.iter().find(|(_, v)| v.len() >= 2).unwrap().0;
    let mut batch = vec![];
    for (low, devices) in &by_low {
        let take = if *low == shared { 2 } else { 1 };
        for d in devices.iter().take(take) {
            batch.push((*low, d, c.registration(&owner, &c.makers[0], d)));
        }
    }
    let root = c.tree.lock().unwrap().tree.root();
    let slot = c.net.slot().unwrap();
    let mut landed = 0;
    let mut shared_seen = false;
    let mut retry = vec![];
    for (low, d, ixs) in &batch {
        match c.send_v0(ixs, &owner.keypair) {
            Ok(out) => {
                landed += 1;
                let ev = &compressed::written_events(&out).unwrap()[0];
                assert_eq!(ev.leaf.device_key, d.pubkey());
                // applied to the client's tree later, in landing order
                retry.push(out);
                if *low == shared {
                    assert!(
                        !shared_seen,
                        "only one registration on the shared low leaf lands"
                    );
                    shared_seen = true;
                }
            }
            Err(e) => {
                let f = depin::registry::tx_failure(&e).expect("refused");
                assert_eq!(f.custom_code(), Some(code(E::LeafContentsModified)), "{f}");
                assert_eq!(*low, shared, "only the shared low leaf conflicts");
            }
        }
    }
    assert_eq!(c.net.slot().unwrap(), slot, "all in one slot");
    assert_eq!(
        landed,
        batch.len() - 1,
        "every registration but the conflicting one landed"
    );
    for out in &retry {
        c.apply(out);
    }
    assert_ne!(c.onchain_root(), root);
    assert_eq!(c.onchain_root(), c.tree.lock().unwrap().tree.root());
    // the one that failed lands with a fresh proof
    let (_, d, _) = batch
        .iter()
        .find(|(_, d, _)| {
            c.tree
                .lock()
                .unwrap()
                .tree
                .find(&d.pubkey().to_bytes())
                .is_none()
        })
        .unwrap();
    let ixs = c.registration(&owner, &c.makers[0], d);
    let out = c.send_v0(&ixs, &owner.keypair).unwrap();
    c.apply(&out);
    assert_eq!(c.network_state().node_count, 8 + batch.len() as u64);
}

#[test]
fn stale_but_untouched_proofs_fast_forward_and_forged_ones_fail() {
    let c = CompressedWorld::new();
    let owner = c.owner(100_000);
    for _ in 0..4 {
        c.register(&owner);
    }
    // a proof built before other writes, of a low leaf they did not touch, still lands
    let device = c.device();
    let stale = c.tree.lock().unwrap().insertion(&device.pubkey()).unwrap();
    let mut others = 0;
    while others < 3 {
        let d = c.device();
        let low = c
            .tree
            .lock()
            .unwrap()
            .tree
            .low_leaf(&d.pubkey().to_bytes())
            .unwrap();
        if low == stale.low_index {
            continue;
        }
        let ixs = c.registration(&owner, &c.makers[0], &d);
        let out = c.send_v0(&ixs, &owner.keypair).unwrap();
        c.apply(&out);
        others += 1;
    }
    // forged variants of a proof at the current root first (a leaf written since a
    // proof's root is `LeafContentsModified` instead, as the same-slot tests show)
    let fresh = c.tree.lock().unwrap().insertion(&device.pubkey()).unwrap();
    assert_eq!(fresh.low_index, stale.low_index);
    assert_ne!(fresh.root, stale.root);
    let forged = |f: &dyn Fn(&mut Insertion)| {
        let mut i = fresh.clone();
        f(&mut i);
        c.registration_with(&owner, &c.makers[0], &device, i)
    };
    let cases: Vec<(&str, Vec<_>, E)> = vec![
        (
            "a sibling changed",
            forged(&|i| i.proof[3][0] ^= 1),
            E::InvalidTreeProof,
        ),
        (
            "the low leaf's data changed",
            forged(&|i| i.low_leaf.data[0] ^= 1),
            E::InvalidTreeProof,
        ),
        (
            "another leaf's index",
            forged(&|i| i.low_index = if i.low_index > 0 { i.low_index - 1 } else { 1 }),
            E::InvalidTreeProof,
        ),
        (
            "one sibling short",
            forged(&|i| {
                i.proof.pop();
            }),
            E::WrongProofLength,
        ),
        (
            "the canopy's levels included",
            forged(&|i| i.proof.push([0; 32])),
            E::WrongProofLength,
        ),
        (
            "a leaf that does not cover the device",
            forged(&|i| {
                i.low_leaf.next_device_key = solana_pubkey::Pubkey::new_from_array([0x01; 32])
            }),
            E::NotTheLowLeaf,
        ),
        (
            "an index past the last leaf",
            forged(&|i| i.low_index = 1 << 13),
            E::LeafIndexOutOfBounds,
        ),
    ];
    for (what, ixs, e) in cases {
        eprintln!("forged: {what}");
        c.assert_refused(&watched(&c, &owner), &[owner.pubkey()], code(e), || {
            c.send_v0(&ixs, &owner.keypair)
        });
    }
    let ixs = c.registration_with(&owner, &c.makers[0], &device, stale);
    let out = c.send_v0(&ixs, &owner.keypair).unwrap();
    c.apply(&out);
    assert_eq!(c.onchain_root(), c.tree.lock().unwrap().tree.root());
}

#[test]
fn signatures_are_checked_as_for_plain_nodes() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let device = c.device();
    let stranger = Keypair::new();
    // maker attestation by a key that is not the maker's
    let mut ixs = c.registration(&owner, &c.makers[0], &device);
    let forged = depin::attest::sign_maker_attestation(
        &stranger,
        &c.network,
        &device.pubkey(),
        &TEST_CAPACITY,
    );
    ixs[0] = forged.to_instruction();
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::WrongMakerKey),
        || c.send_v0(&ixs, &owner.keypair),
    );
    // device consent to another owner
    let mut ixs = c.registration(&owner, &c.makers[0], &device);
    let consent =
        depin::attest::sign_device_consent(&device, &c.network, &stranger.pubkey(), c.now());
    ixs[1] = consent.to_instruction();
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::WrongDeviceMessage),
        || c.send_v0(&ixs, &owner.keypair),
    );
    // no precompile instructions at all
    let ixs = c.registration(&owner, &c.makers[0], &device);
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::MissingSignatureInstruction),
        || c.send_v0(&ixs[2..], &owner.keypair),
    );
    // a revoked maker
    c.reg()
        .revoke_maker(&c.operator, &c.network, &c.makers[0].address)
        .unwrap();
    let ixs = c.registration(&owner, &c.makers[0], &device);
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::MakerRevoked),
        || c.send_v0(&ixs, &owner.keypair),
    );
}

#[test]
fn another_networks_tree_and_foreign_accounts_are_refused() {
    let c = CompressedWorld::new();
    let owner = c.owner(10_000);
    let device = c.device();

    // a second compressed network of the same runtime: its own tree
    let other_name = "cmp-other";
    let other_network = c.create_network(other_name).unwrap();
    let other_tree = Keypair::new();
    let ixs = compressed::create_tree_instructions(
        &c.operator.pubkey(),
        &c.operator.pubkey(),
        &other_network,
        &other_tree.pubkey(),
        TEST_SHAPE,
    )
    .unwrap();
    c.send(&ixs, &c.operator, &[&other_tree]).unwrap();

    // this network's registration naming the other network's tree
    let ixs = c.registration(&owner, &c.makers[0], &device);
    let mut swapped = ixs.clone();
    for a in &mut swapped[2].accounts {
        if a.pubkey == c.tree_address() {
            a.pubkey = other_tree.pubkey();
        }
    }
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::WrongTree),
        || c.send_v0(&swapped, &owner.keypair),
    );
    // an account not owned by node_registry in the tree's place
    let mut foreign = ixs.clone();
    for a in &mut foreign[2].accounts {
        if a.pubkey == c.tree_address() {
            a.pubkey = owner.credits;
        }
    }
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::WrongTreeOwner),
        || c.send_v0(&foreign, &owner.keypair),
    );
    // a plain registration on a compressed network
    let r = c.w.registration(&owner.pubkey(), &c.makers[0], &device);
    c.assert_refused(
        &watched(&c, &owner),
        &[owner.pubkey()],
        code(E::NetworkIsCompressed),
        || c.reg().register_node(&owner.keypair, &r),
    );
    // and it still lands as it should
    let out = c.send_v0(&ixs, &owner.keypair).unwrap();
    c.apply(&out);
}

#[test]
fn tree_creation_is_refused_by_name() {
    let w = World::new();
    let tree = Keypair::new();
    // a network that already has makers cannot change mode
    w.assert_refused(
        &[w.network],
        &[w.operator.pubkey()],
        code(E::RegistryModeLocked),
        || create_tree(&w, &tree, TEST_SHAPE),
    );
    // a compressed registration on a plain network
    let owner = w.owner(10_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let ixs = compressed::register_instructions(
        &owner.pubkey(),
        &r,
        &w.network,
        depin::ix::CreditsAccounts {
            credits_mint: w.credits_mint,
            owner_credits: owner.credits,
            token_program: w.credits_program,
        },
        ONBOARDING_FEE,
        Insertion {
            root: [0; 32],
            low_index: 0,
            low_leaf: TreeLeaf::from_leaf(&NodeLeaf::SENTINEL),
            proof: vec![],
        },
    )
    .unwrap();
    // the network account itself (owned by node_registry) in the tree's place
    w.assert_refused(
        &[w.network],
        &[owner.pubkey()],
        code(E::NetworkNotCompressed),
        || w.send(&ixs, &owner.keypair, &[]),
    );

    // on a fresh network without makers
    let fresh = w.create_network("cmp-fresh").unwrap();
    let create = |tree: &Keypair, shape: TreeShape, bytes: Option<usize>, signer: &Keypair| {
        let mut ixs = compressed::create_tree_instructions(
            &w.operator.pubkey(),
            &signer.pubkey(),
            &fresh,
            &tree.pubkey(),
            TEST_SHAPE,
        )
        .unwrap();
        if let Some(b) = bytes {
            ixs[0] = solana_system_interface::instruction::create_account(
                &w.operator.pubkey(),
                &tree.pubkey(),
                compressed::rent_exempt_lamports(b as u64),
                b as u64,
                &node_registry::ID,
            );
        }
        ixs[1] = depin::ix::create_compressed_tree(
            &signer.pubkey(),
            &fresh,
            &tree.pubkey(),
            node_registry::CreateCompressedTreeArgs {
                max_depth: shape.depth,
                max_buffer: shape.buffer,
                canopy_depth: shape.canopy,
            },
        );
        let mut signers = vec![tree];
        if signer.pubkey() != w.operator.pubkey() {
            signers.push(signer);
        }
        w.send(&ixs, &w.operator, &signers)
    };
    let size = account_len(14, 64, 4).unwrap();
    let cases: Vec<(&str, TreeShape, Option<usize>, bool, E)> = vec![
        (
            "an unsupported depth",
            TreeShape {
                depth: 15,
                ..TEST_SHAPE
            },
            None,
            false,
            E::UnsupportedTreeShape,
        ),
        (
            "an unsupported buffer",
            TreeShape {
                buffer: 128,
                ..TEST_SHAPE
            },
            None,
            false,
            E::UnsupportedTreeShape,
        ),
        (
            "a canopy as deep as the tree",
            TreeShape {
                canopy: 14,
                ..TEST_SHAPE
            },
            Some(size),
            false,
            E::UnsupportedTreeShape,
        ),
        (
            "an account one byte short",
            TEST_SHAPE,
            Some(size - 1),
            false,
            E::WrongTreeAccount,
        ),
        (
            "an account one byte long",
            TEST_SHAPE,
            Some(size + 1),
            false,
            E::WrongTreeAccount,
        ),
        (
            "a signer that is not the authority",
            TEST_SHAPE,
            None,
            true,
            E::NotNetworkAuthority,
        ),
    ];
    for (what, shape, bytes, stranger, e) in cases {
        eprintln!("create: {what}");
        let tree = Keypair::new();
        let signer = if stranger {
            Keypair::new()
        } else {
            w.operator.insecure_clone()
        };
        if stranger {
            w.fund(&signer.pubkey(), 1_000_000_000);
        }
        w.assert_refused(
            &[fresh, tree.pubkey()],
            &[w.operator.pubkey()],
            code(e),
            || create(&tree, shape, bytes, &signer),
        );
    }
    // a tree account owned by the system program (created but never assigned)
    let tree = Keypair::new();
    let mut ixs = compressed::create_tree_instructions(
        &w.operator.pubkey(),
        &w.operator.pubkey(),
        &fresh,
        &tree.pubkey(),
        TEST_SHAPE,
    )
    .unwrap();
    ixs[0] = solana_system_interface::instruction::create_account(
        &w.operator.pubkey(),
        &tree.pubkey(),
        compressed::rent_exempt_lamports(size as u64),
        size as u64,
        &solana_system_interface::program::ID,
    );
    w.assert_refused(
        &[fresh],
        &[w.operator.pubkey()],
        code(E::WrongTreeOwner),
        || w.send(&ixs, &w.operator, &[&tree]),
    );
    // it works once, then the mode is fixed (a second tree, or the same one again)
    let tree = Keypair::new();
    create(&tree, TEST_SHAPE, None, &w.operator).unwrap();
    let state = depin::accounts::network(&w.net, &fresh).unwrap();
    assert_eq!(state.compressed_tree, Some(tree.pubkey()));
    let second = Keypair::new();
    w.assert_refused(
        &[fresh],
        &[w.operator.pubkey()],
        code(E::RegistryModeLocked),
        || create(&second, TEST_SHAPE, None, &w.operator),
    );
    // an initialised tree cannot be initialised again, for another network
    let again = w.create_network("cmp-again").unwrap();
    let ix = depin::ix::create_compressed_tree(
        &w.operator.pubkey(),
        &again,
        &tree.pubkey(),
        node_registry::CreateCompressedTreeArgs {
            max_depth: 14,
            max_buffer: 64,
            canopy_depth: 4,
        },
    );
    w.assert_refused(
        &[again, tree.pubkey()],
        &[w.operator.pubkey()],
        code(E::TreeAlreadyInitialized),
        || w.send(&[ix], &w.operator, &[]),
    );
}

#[test]
fn the_data_hash_commits_to_every_field() {
    let node = CompressedNode {
        owner: solana_pubkey::Pubkey::new_from_array([1; 32]),
        maker: solana_pubkey::Pubkey::new_from_array([2; 32]),
        capacity: TEST_CAPACITY,
        location: 0x8a2a1072b59ffff,
        status: NodeStatus::Active,
        registered_at: 1_700_000_000,
        consent_nonce: 1_700_000_000,
        location_changes: 0,
    };
    let h = node.data_hash().unwrap();
    let variants = [
        CompressedNode {
            owner: node.maker,
            ..node
        },
        CompressedNode {
            maker: node.owner,
            ..node
        },
        CompressedNode {
            capacity: node_registry::state::Capacity::Storage { bytes: 1 },
            ..node
        },
        CompressedNode {
            location: 1,
            ..node
        },
        CompressedNode {
            status: NodeStatus::Suspended,
            ..node
        },
        CompressedNode {
            registered_at: 1,
            ..node
        },
        CompressedNode {
            consent_nonce: 1,
            ..node
        },
        CompressedNode {
            location_changes: 1,
            ..node
        },
    ];
    for v in variants {
        assert_ne!(v.data_hash().unwrap(), h, "{v:?}");
    }
    // the on-chain tree and the client's agree on keccak
    let mut account = vec![0u8; account_len(14, 64, 4).unwrap()];
    let network = solana_pubkey::Pubkey::new_from_array([9; 32]);
    let (mut t, written) = TreeAccount::initialize(&mut account, &network, 14, 64, 4).unwrap();
    let client = depin::compressed::ClientTree::new(network, TEST_SHAPE).unwrap();
    assert_eq!(written.root, client.tree.root());
    assert_eq!(t.root().unwrap(), client.tree.root());
}

#[test]
fn the_production_shapes_create_and_register() {
    // canopies that leave 9 siblings in a proof: a packet then has room for a wallet's two
    // compute-budget instructions and 32 bytes more (10 siblings leave 1 byte)
    for (depth, buffer, canopy) in [(20, 64, 11), (24, 256, 15)] {
        let shape = TreeShape {
            depth,
            buffer,
            canopy,
        };
        let c = CompressedWorld::with_shape(&format!("cmp-{depth}"), shape);
        let account = c.account(&c.tree_address()).unwrap();
        assert_eq!(account.data.len() as u64, shape.account_bytes().unwrap());
        let owner = c.owner(10_000);
        for _ in 0..4 {
            c.register(&owner);
        }
        assert_eq!(c.onchain_root(), c.tree.lock().unwrap().tree.root());
        let mut ixs = c.registration(&owner, &c.makers[0], &c.device());
        // as a wallet sends it: a compute-unit limit and a priority fee first
        ixs.splice(
            0..0,
            [
                solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
                    80_000,
                ),
                solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_price(
                    1_000,
                ),
            ],
        );
        let tx = lookup::transaction(
            &owner.keypair,
            &[],
            &ixs,
            std::slice::from_ref(&c.table),
            c.net.latest_blockhash().unwrap(),
        )
        .unwrap();
        let bytes = lookup::size(&tx);
        assert!(bytes + 32 <= 1_232, "{bytes}");
        let rent_per_leaf = account.lamports.div_ceil(1u64 << depth);
        eprintln!(
            "shape {depth}/{buffer}/{canopy}: tree account {} bytes, {} lamports ({rent_per_leaf} per leaf), registration {bytes} bytes as v0 with two compute-budget instructions",
            account.data.len(),
            account.lamports
        );
        let out = c.net.send_versioned(&tx).unwrap();
        eprintln!(
            "shape {depth}/{buffer}/{canopy}: register_compressed_node {:?} CU (whole transaction)",
            out.compute_units
        );
    }
}

#[test]
fn the_onchain_bench_measures_from_the_accounts() {
    let shape = TreeShape {
        depth: 14,
        buffer: 64,
        canopy: 4,
    };
    let b = compressed::bench_onchain(5, shape).unwrap();
    assert_eq!(b.nodes, 5);
    assert_eq!(b.tree_account_bytes, shape.account_bytes().unwrap());
    assert_eq!(
        b.tree_rent_lamports,
        compressed::rent_exempt_lamports(b.tree_account_bytes)
    );
    assert_eq!(
        b.rent_per_leaf_lamports,
        b.tree_rent_lamports.div_ceil(1 << 14)
    );
    // the transaction and the two precompile signatures, and nothing else
    assert_eq!(b.owner_lamports_per_registration, 15_000);
    assert_eq!(b.lamports_per_node, b.rent_per_leaf_lamports + 15_000);
    assert!(b.transaction_bytes_max <= 1_232);
    // too many nodes for the tree
    let e = compressed::bench_onchain(1 << 14, shape).unwrap_err();
    assert!(
        e.to_string().contains("do not fit a tree of depth 14"),
        "{e}"
    );
}
