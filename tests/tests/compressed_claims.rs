//! Rewards for compressed nodes (issue 13), natively and on the SBF files. A compressed
//! node's owner is proven from node_registry's tree by `prove_compressed_node` (emissions
//! reads the tree account itself, no CPI) and `claim_compressed` pays that owner, if the
//! tree's changelog shows the leaf unchanged since. Reward leaves name a compressed node by
//! its node address `[NODE, network, device]`, as for node accounts.
use anchor_lang::prelude::Pubkey;
use depin::emissions::{self as em, Emissions};
use depin::{ix, lookup, pda, tokens};
use depin_core::merkle::pack_proof;
use depin_core::rewards::EpochRewards;
use depin_tests::compressed::CompressedWorld;
use depin_tests::rewards::{report_epoch, schedule_args, setup_rewards, RewardParts};
use depin_tests::*;
use emissions::{ClaimArgs, EmissionsError as X};
use node_registry::state::{NodeProof, NodeStatus};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;

fn xcode(e: X) -> u32 {
    u32::from(e)
}

struct Setup {
    c: CompressedWorld,
    parts: RewardParts,
    owners: Vec<Owner>,
    devices: Vec<Pubkey>,
    epoch0: EpochRewards,
}

impl Setup {
    /// Three compressed nodes of two owners, epoch 0 rewarded 10 / 30 / 60 and finalised.
    fn new() -> Self {
        let c = CompressedWorld::new();
        let parts = setup_rewards(&c.w, tokens::TOKEN_PROGRAM, schedule_args());
        let owners = vec![c.owner(10_000), c.owner(10_000)];
        let devices: Vec<Pubkey> = [0, 0, 1]
            .iter()
            .map(|o| c.register(&owners[*o]).0.pubkey())
            .collect();
        let work: BTreeMap<Pubkey, u64> = devices
            .iter()
            .map(|d| pda::node(&c.network, d).0)
            .zip([10, 30, 60])
            .collect();
        let epoch0 = report_epoch(&c.w, &parts.oracles, &BTreeMap::new(), 0, &work);
        Emissions::new(&c.net)
            .finalize_epoch(&c.operator, &c.network, 0)
            .unwrap();
        for o in &owners {
            let ixn = tokens::create_associated_account(
                &c.operator.pubkey(),
                &o.pubkey(),
                &parts.rewards.reward_mint,
                &tokens::TOKEN_PROGRAM,
            );
            c.send(&[ixn], &c.operator, &[]).unwrap();
        }
        Setup {
            c,
            parts,
            owners,
            devices,
            epoch0,
        }
    }

    fn rewards_of(&self, owner: &Pubkey) -> Pubkey {
        pda::associated_token(
            owner,
            &self.parts.rewards.reward_mint,
            &tokens::TOKEN_PROGRAM,
        )
    }

    fn balance(&self, owner: &Pubkey) -> u64 {
        self.c.reg().token_balance(&self.rewards_of(owner)).unwrap()
    }

    fn prove_ix(&self, proof: NodeProof) -> solana_instruction::Instruction {
        em::prove_compressed_node(
            &self.c.operator.pubkey(),
            &self.c.network,
            &self.c.tree_address(),
            proof,
        )
    }

    fn prove(&self, device: &Pubkey) -> anyhow::Result<depin::transport::TxOutcome> {
        self.c.send(
            &[self.prove_ix(self.c.node_proof(device))],
            &self.c.operator,
            &[],
        )
    }

    /// The claim of `device`'s epoch-0 amount into `to`'s reward account.
    fn claim_ix(&self, device: &Pubkey, to: &Pubkey) -> solana_instruction::Instruction {
        let node = pda::node(&self.c.network, device).0;
        let (amount, proof) = self.epoch0.proof(&node.to_bytes()).unwrap();
        em::claim_compressed(
            &self.c.operator.pubkey(),
            &self.c.network,
            &self.c.tree_address(),
            device,
            &self.rewards_of(to),
            self.parts.rewards,
            ClaimArgs {
                epoch: 0,
                cumulative_amount: amount,
                proof: pack_proof(&proof),
            },
        )
    }

    fn claim(&self, device: &Pubkey, to: &Pubkey) -> anyhow::Result<depin::transport::TxOutcome> {
        self.c
            .send(&[self.claim_ix(device, to)], &self.c.operator, &[])
    }

    fn watched(&self, device: &Pubkey) -> Vec<Pubkey> {
        let node = pda::node(&self.c.network, device).0;
        vec![
            em::claim_address(&node),
            em::vault_address(&self.c.network),
            self.rewards_of(&self.owners[0].pubkey()),
            self.rewards_of(&self.owners[1].pubkey()),
        ]
    }
}

#[test]
fn a_proven_compressed_node_is_paid_once() {
    let s = Setup::new();
    let d = s.devices[2];
    let b = s.owners[1].pubkey();
    // no record yet
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        anchor(AnchorError::AccountNotInitialized),
        || s.claim(&d, &b),
    );
    s.prove(&d).unwrap();
    let record = em::compressed_claim(&s.c.net, &s.c.network, &d).unwrap();
    assert_eq!(record.owner, b);
    assert!(record.active);
    assert_eq!(record.device_key, d);
    let out = s.claim(&d, &b).unwrap();
    assert_eq!(s.balance(&b), 480_000);
    eprintln!("claim_compressed: {:?} CU", out.compute_units);
    // again: nothing more to pay
    s.c.net.advance_time(1).unwrap();
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::NothingToClaim),
        || s.claim(&d, &b),
    );
    // another owner's account
    let d0 = s.devices[0];
    s.prove(&d0).unwrap();
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::NotNodeOwnerAccount),
        || s.claim(&d0, &b),
    );
    s.claim(&d0, &s.owners[0].pubkey()).unwrap();
    assert_eq!(s.balance(&s.owners[0].pubkey()), 80_000);
}

#[test]
fn another_nodes_leaf_or_forged_fields_prove_nothing() {
    let s = Setup::new();
    let (d0, d2) = (s.devices[0], s.devices[2]);
    let a = s.owners[0].pubkey();
    // device 0's claim record from device 2's leaf: the leaf names another device
    let mut swapped = s.c.node_proof(&d2);
    swapped.device_key = d0;
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::InvalidProof),
        || s.c.send(&[s.prove_ix(swapped)], &s.c.operator, &[]),
    );
    // device 2's leaf with its owner changed to owner a
    let mut forged = s.c.node_proof(&d2);
    forged.node.owner = a;
    s.c.assert_refused(
        &s.watched(&d2),
        &[s.c.operator.pubkey()],
        xcode(X::InvalidProof),
        || s.c.send(&[s.prove_ix(forged)], &s.c.operator, &[]),
    );
    // device 2's proof filed under device 0's node address (and claim record)
    let mut misfiled = s.prove_ix(s.c.node_proof(&d2));
    let node0 = pda::node(&s.c.network, &d0).0;
    misfiled.accounts[3].pubkey = node0;
    misfiled.accounts[4].pubkey = em::claim_address(&node0);
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::WrongNodeAddress),
        || s.c.send(&[misfiled], &s.c.operator, &[]),
    );
    // device 0 proven (owner a); a claim of device 2's amount through device 0's record
    s.prove(&d0).unwrap();
    let node2 = pda::node(&s.c.network, &d2).0;
    let (amount, proof) = s.epoch0.proof(&node2.to_bytes()).unwrap();
    let stolen = em::claim_compressed(
        &s.c.operator.pubkey(),
        &s.c.network,
        &s.c.tree_address(),
        &d0,
        &s.rewards_of(&a),
        s.parts.rewards,
        ClaimArgs {
            epoch: 0,
            cumulative_amount: amount,
            proof: pack_proof(&proof),
        },
    );
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::InvalidProof),
        || s.c.send(&[stolen], &s.c.operator, &[]),
    );
    // an account not owned by node_registry as the tree
    let mut foreign = s.claim_ix(&d0, &a);
    foreign.accounts[3].pubkey = s.rewards_of(&a);
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::WrongTree),
        || s.c.send(&[foreign], &s.c.operator, &[]),
    );
}

#[test]
fn a_transfer_after_the_proof_stops_the_claim_until_proven_again() {
    let s = Setup::new();
    let d = s.devices[2];
    let (a, b) = (s.owners[0].pubkey(), s.owners[1].pubkey());
    s.prove(&d).unwrap();
    // b hands the node to a
    let t = ix::transfer_compressed_node(
        &b,
        &a,
        &s.c.network,
        &s.c.tree_address(),
        s.c.node_proof(&d),
    );
    s.c.update(t, &s.owners[1].keypair, &[&s.owners[0].keypair])
        .unwrap();
    // the record still says b: stale
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::NodeProofStale),
        || s.claim(&d, &b),
    );
    // proven again, it pays the new owner, never the old
    s.prove(&d).unwrap();
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::NotNodeOwnerAccount),
        || s.claim(&d, &b),
    );
    s.claim(&d, &a).unwrap();
    assert_eq!(s.balance(&a), 480_000);
    assert_eq!(s.balance(&b), 0);
}

#[test]
fn suspended_and_decommissioned_nodes_are_not_paid() {
    let s = Setup::new();
    let (d0, d1) = (s.devices[0], s.devices[1]);
    let a = s.owners[0].pubkey();
    let tree = s.c.tree_address();
    let suspend = ix::set_compressed_node_status(
        &s.c.operator.pubkey(),
        &s.c.network,
        &tree,
        NodeStatus::Suspended,
        s.c.node_proof(&d0),
    );
    s.c.update(suspend, &s.c.operator, &[]).unwrap();
    s.prove(&d0).unwrap();
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::NodeSuspended),
        || s.claim(&d0, &a),
    );

    let retire = ix::decommission_compressed_node(&a, &s.c.network, &tree, s.c.node_proof(&d1));
    s.c.update(retire, &s.owners[0].keypair, &[]).unwrap();
    s.prove(&d1).unwrap();
    s.c.assert_refused(
        &s.watched(&d1),
        &[s.c.operator.pubkey()],
        xcode(X::NodeDecommissioned),
        || s.claim(&d1, &a),
    );
}

#[test]
fn a_proof_older_than_the_changelog_is_stale() {
    let s = Setup::new();
    let d = s.devices[2];
    let b = s.owners[1].pubkey();
    s.prove(&d).unwrap();
    // 33 registrations write 66 leaves: more than the 64 changelog entries
    let owner = s.c.owner(100_000);
    for _ in 0..33 {
        s.c.register(&owner);
    }
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::NodeProofStale),
        || s.claim(&d, &b),
    );
    // a proof from before those writes fast-forwards (the leaf itself is unchanged)
    s.prove(&d).unwrap();
    s.claim(&d, &b).unwrap();
    assert_eq!(s.balance(&b), 480_000);
}

#[test]
fn proof_and_claim_fit_one_v0_transaction() {
    let s = Setup::new();
    let d = s.devices[1];
    let a = s.owners[0].pubkey();
    let ixs = [s.prove_ix(s.c.node_proof(&d)), s.claim_ix(&d, &a)];
    let mut statics: Vec<Pubkey> = ixs
        .iter()
        .flat_map(|i| i.accounts.iter().map(|m| m.pubkey))
        .filter(|k| *k != s.c.operator.pubkey())
        .collect();
    statics.sort();
    statics.dedup();
    let table = lookup::create(&s.c.net, &s.c.operator, &s.c.operator, &statics).unwrap();
    let table = lookup::table(&s.c.net, &table).unwrap();
    let tx = lookup::transaction(
        &s.c.operator,
        &[],
        &ixs,
        &[table],
        s.c.net.latest_blockhash().unwrap(),
    )
    .unwrap();
    let bytes = lookup::size(&tx);
    eprintln!("prove_compressed_node + claim_compressed (reward tree of 3, node proof of 10 siblings): {bytes} bytes as v0");
    assert!(bytes <= 1_232);
    use depin::transport::Transport;
    s.c.net.send_versioned(&tx).unwrap();
    assert_eq!(s.balance(&a), 240_000);
}

/// Registers fresh devices for `owner` until `n` landed whose low leaf is not leaf `avoid`
/// (those would relink it).
fn register_elsewhere(s: &Setup, owner: &Owner, avoid: u32, n: usize) {
    let mut done = 0;
    while done < n {
        let d = s.c.device();
        let low =
            s.c.tree
                .lock()
                .unwrap()
                .tree
                .low_leaf(&d.pubkey().to_bytes())
                .unwrap();
        if low == avoid {
            continue;
        }
        let ixs = s.c.registration(owner, &s.c.makers[0], &d);
        let out = s.c.send_v0(&ixs, &owner.keypair).unwrap();
        s.c.apply(&out);
        done += 1;
    }
}

#[test]
fn writes_to_other_leaves_keep_the_proof_and_one_to_its_leaf_does_not() {
    let s = Setup::new();
    let d = s.devices[2];
    let b = &s.owners[1];
    let index = s.c.node_proof(&d).index;
    let extra = s.c.owner(100_000);
    s.prove(&d).unwrap();
    // 20 writes elsewhere (10 registrations), none to this leaf: the proof stands
    register_elsewhere(&s, &extra, index, 10);
    s.claim(&d, &b.pubkey()).unwrap();
    assert_eq!(s.balance(&b.pubkey()), 480_000);

    // proven again, then writes elsewhere, one to this leaf (a location), more elsewhere
    let d0 = s.devices[0];
    let a = &s.owners[0];
    let index0 = s.c.node_proof(&d0).index;
    s.prove(&d0).unwrap();
    register_elsewhere(&s, &extra, index0, 2);
    let moved = ix::assert_compressed_location(
        &a.pubkey(),
        &s.c.network,
        &s.c.tree_address(),
        s.c.credits(a),
        0x8828308281fffff,
        LOCATION_FEE,
        s.c.node_proof(&d0),
    );
    s.c.update(moved, &a.keypair, &[]).unwrap();
    register_elsewhere(&s, &extra, index0, 2);
    s.c.assert_refused(
        &s.watched(&d0),
        &[s.c.operator.pubkey()],
        xcode(X::NodeProofStale),
        || s.claim(&d0, &a.pubkey()),
    );
    s.prove(&d0).unwrap();
    s.claim(&d0, &a.pubkey()).unwrap();
}

#[test]
fn another_networks_real_tree_is_refused() {
    let s = Setup::new();
    let d = s.devices[2];
    let b = s.owners[1].pubkey();
    let other = s.c.create_network("cmp-claims-other").unwrap();
    let other_tree = Keypair::new();
    let ixs = depin::compressed::create_tree_instructions(
        &s.c.operator.pubkey(),
        &s.c.operator.pubkey(),
        &other,
        &other_tree.pubkey(),
        depin_tests::compressed::TEST_SHAPE,
    )
    .unwrap();
    s.c.send(&ixs, &s.c.operator, &[&other_tree]).unwrap();
    // proving against a tree of node_registry whose header names another network
    let mut prove = s.prove_ix(s.c.node_proof(&d));
    assert_eq!(prove.accounts[2].pubkey, s.c.tree_address());
    prove.accounts[2].pubkey = other_tree.pubkey();
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::WrongTree),
        || s.c.send(&[prove], &s.c.operator, &[]),
    );
    // and claiming with it
    s.prove(&d).unwrap();
    let mut claim = s.claim_ix(&d, &b);
    assert_eq!(claim.accounts[3].pubkey, s.c.tree_address());
    claim.accounts[3].pubkey = other_tree.pubkey();
    s.c.assert_refused(
        &s.watched(&d),
        &[s.c.operator.pubkey()],
        xcode(X::WrongTree),
        || s.c.send(&[claim], &s.c.operator, &[]),
    );
}
