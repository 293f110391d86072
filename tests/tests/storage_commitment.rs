//! Proof of storage on chain (issue 14), natively and on the SBF files: a storage node's
//! owner commits its chunk tree's root (`commit_storage`); anyone proves one challenged
//! chunk against it (`verify_storage_chunk`). A commitment made after the epoch's seed,
//! a wrong chunk, a wrong path and every account swap are refused by name and change
//! nothing.
use anchor_lang::prelude::Pubkey;
use depin::verifier::{self as v, Verifier};
use depin_core::sectors::storage;
use depin_core::sha256::Soft;
use depin_tests::*;
use node_registry::state::{Capacity, NodeStatus};
use proof_verifier::{OracleSetArgs, ProofError as P, StorageChunkArgs, StorageCommitArgs};
use solana_keypair::Keypair;
use solana_signer::Signer;

const EPOCH_S: u32 = 3_600;
const CHUNK: u32 = 256;
/// 64 KiB of data: 256 chunks, a tree of depth 8.
const SIZE: usize = 64 * 1024;

fn pcode(e: P) -> u32 {
    u32::from(e)
}

struct StorageWorld {
    w: World,
    owner: Owner,
    device: Keypair,
    node: Pubkey,
    data: Vec<u8>,
    tree: storage::StorageTree,
}

/// A world in epoch 10 with a storage node of 1 MiB declared capacity.
fn world() -> StorageWorld {
    let w = World::new();
    w.init_oracle_set_in_epoch(10, EPOCH_S);
    let owner = w.owner(10_000);
    let (device, node) = w.register_capacity(&owner, Capacity::Storage { bytes: 1 << 20 });
    let data: Vec<u8> = (0..SIZE as u32).map(|i| (i * 13 % 251) as u8).collect();
    let tree = storage::StorageTree::new::<Soft>(&data, CHUNK).unwrap();
    StorageWorld {
        w,
        owner,
        device,
        node,
        data,
        tree,
    }
}

impl StorageWorld {
    fn commit_args(&self) -> StorageCommitArgs {
        StorageCommitArgs {
            root: self.tree.root(),
            size_bytes: SIZE as u64,
            chunk_bytes: CHUNK,
        }
    }

    fn commit(&self, args: StorageCommitArgs) -> anyhow::Result<depin::transport::TxOutcome> {
        Verifier::new(&self.w.net).commit_storage(
            &self.owner.keypair,
            &self.w.network,
            &self.device.pubkey(),
            args,
        )
    }

    fn open(&self, epoch: u64) -> [u8; 32] {
        Verifier::new(&self.w.net)
            .open_challenges(&self.w.operator, &self.w.network, epoch)
            .unwrap();
        v::challenges(&self.w.net, &self.w.network, epoch)
            .unwrap()
            .unwrap()
            .seed
    }

    /// The honest answer to challenge `i` of the epoch seeded by `seed`.
    fn answer(&self, seed: &[u8; 32], epoch: u64, i: u32) -> StorageChunkArgs {
        let chunks = storage::chunk_count(SIZE as u64, CHUNK);
        let index =
            storage::challenged_chunk::<Soft>(seed, &self.device.pubkey().to_bytes(), chunks, i);
        let start = index as usize * CHUNK as usize;
        StorageChunkArgs {
            epoch,
            challenge: i,
            chunk: self.data[start..start + CHUNK as usize].to_vec(),
            path: self.tree.proof(index).unwrap(),
        }
    }

    fn verify(&self, args: StorageChunkArgs) -> anyhow::Result<depin::transport::TxOutcome> {
        Verifier::new(&self.w.net).verify_storage_chunk(
            &self.w.operator,
            &self.w.network,
            &self.device.pubkey(),
            args,
        )
    }

    fn commitment_address(&self) -> Pubkey {
        v::storage_commitment_address(&self.node)
    }
}

#[test]
fn a_committed_chunk_is_proven_on_chain_and_forgeries_are_refused() {
    let s = world();
    let w = &s.w;
    s.commit(s.commit_args()).unwrap();
    let c = v::storage_commitment(&w.net, &s.node).unwrap().unwrap();
    assert_eq!(
        (
            c.network,
            c.node,
            c.root,
            c.size_bytes,
            c.chunk_bytes,
            c.version
        ),
        (w.network, s.node, s.tree.root(), SIZE as u64, CHUNK, 1)
    );
    assert_eq!((c.chunks(), c.depth()), (256, 8));
    w.net.advance_slot().unwrap();
    let seed = s.open(10);

    // every challenged chunk of the honest node verifies, with an event each
    for i in 0..4 {
        let out = s.verify(s.answer(&seed, 10, i)).unwrap();
        assert!(
            out.logs.iter().any(|l| l.starts_with("Program data: ")),
            "StorageChunkVerified is emitted"
        );
    }
    let watch = [s.commitment_address(), s.node, w.operator.pubkey()];
    let fee = [w.operator.pubkey()];
    let refused = |args: StorageChunkArgs, e: P| {
        w.assert_refused(&watch, &fee, pcode(e), || s.verify(args));
    };
    // a changed byte of the chunk, of the path, a short path, another chunk's bytes and path
    let mut a = s.answer(&seed, 10, 0);
    a.chunk[17] ^= 1;
    refused(a, P::WrongChunkPath);
    let mut a = s.answer(&seed, 10, 0);
    a.path[3][0] ^= 1;
    refused(a, P::WrongChunkPath);
    let mut a = s.answer(&seed, 10, 0);
    a.path.pop();
    refused(a, P::WrongChunkPath);
    let mut a = s.answer(&seed, 10, 0);
    let other = s.answer(&seed, 10, 1);
    (a.chunk, a.path) = (other.chunk, other.path);
    if s.answer(&seed, 10, 0).chunk != a.chunk {
        refused(a, P::WrongChunkPath);
    }
    // only the chunk's hash, not the chunk
    let mut a = s.answer(&seed, 10, 0);
    a.chunk = storage::chunk_leaf::<Soft>(&a.chunk).to_vec();
    refused(a, P::WrongChunkPath);
    // beyond the challenges an epoch names
    let mut a = s.answer(&seed, 10, 0);
    a.challenge = storage::MAX_CHALLENGES;
    refused(a, P::ChallengeOutOfRange);

    // a new commitment made after epoch 10's seed does not count for epoch 10
    w.net.advance_slot().unwrap();
    s.commit(StorageCommitArgs {
        size_bytes: SIZE as u64 / 2,
        ..s.commit_args()
    })
    .unwrap();
    let c = v::storage_commitment(&w.net, &s.node).unwrap().unwrap();
    assert_eq!((c.version, c.size_bytes), (2, SIZE as u64 / 2));
    refused(s.answer(&seed, 10, 0), P::CommitmentAfterSeed);
}

#[test]
fn only_the_owner_of_an_active_storage_node_commits_what_it_declared() {
    let s = world();
    let w = &s.w;
    let address = s.commitment_address();
    let watch = [address, s.node, s.owner.pubkey()];
    let fee = [s.owner.pubkey()];
    let refused = |args: StorageCommitArgs, e: P| {
        w.assert_refused(&watch, &fee, pcode(e), || s.commit(args));
    };
    // more than the node declared, nothing, no chunk size, more than 2^40 chunks
    refused(
        StorageCommitArgs {
            size_bytes: (1 << 20) + 1,
            ..s.commit_args()
        },
        P::CommitmentExceedsCapacity,
    );
    for (size_bytes, chunk_bytes) in [(0, CHUNK), (SIZE as u64, 0), (1 << 41, 1)] {
        let bad = StorageCommitArgs {
            size_bytes,
            chunk_bytes,
            ..s.commit_args()
        };
        refused(bad, P::InvalidCommitment);
    }
    // someone other than the owner
    let stranger = w.owner(0);
    let ix = v::commit_storage(
        &stranger.pubkey(),
        &w.network,
        &s.device.pubkey(),
        s.commit_args(),
    );
    w.assert_refused(&watch, &[stranger.pubkey()], pcode(P::NotNodeOwner), || {
        w.send(&[ix], &stranger.keypair, &[])
    });
    // a node that offers no storage (the test nodes are GPU nodes)
    let (gpu_device, gpu_node) = w.register(&s.owner);
    let ix = v::commit_storage(
        &s.owner.pubkey(),
        &w.network,
        &gpu_device.pubkey(),
        s.commit_args(),
    );
    w.assert_refused(
        &[v::storage_commitment_address(&gpu_node)],
        &fee,
        pcode(P::NotStorageNode),
        || w.send(&[ix], &s.owner.keypair, &[]),
    );
    // the node's own account in place of the commitment (a PDA of another program)
    let mut ix = v::commit_storage(
        &s.owner.pubkey(),
        &w.network,
        &s.device.pubkey(),
        s.commit_args(),
    );
    ix.accounts[3].pubkey = s.node;
    w.assert_refused(&watch, &fee, anchor(AnchorError::ConstraintSeeds), || {
        w.send(&[ix], &s.owner.keypair, &[])
    });
    // a suspended node
    w.reg()
        .set_node_status(&w.operator, &w.network, &s.node, NodeStatus::Suspended)
        .unwrap();
    refused(s.commit_args(), P::NodeNotActive);
    w.reg()
        .set_node_status(&w.operator, &w.network, &s.node, NodeStatus::Active)
        .unwrap();
    // and then the owner's commitment lands
    s.commit(s.commit_args()).unwrap();
    assert_eq!(
        v::storage_commitment(&w.net, &s.node)
            .unwrap()
            .unwrap()
            .version,
        1
    );
}

#[test]
fn verification_reads_only_this_networks_and_this_nodes_accounts() {
    let s = world();
    let w = &s.w;
    s.commit(s.commit_args()).unwrap();
    w.net.advance_slot().unwrap();
    let seed = s.open(10);
    let good = s.answer(&seed, 10, 0);
    let watch = [s.commitment_address(), w.operator.pubkey()];
    let fee = [w.operator.pubkey()];
    let send = |ix: solana_instruction::Instruction| w.send(&[ix], &w.operator, &[]);

    // another node's commitment: a second storage node with its own data
    let (other_device, other_node) =
        w.register_capacity(&s.owner, Capacity::Storage { bytes: 1 << 20 });
    Verifier::new(&w.net)
        .commit_storage(
            &s.owner.keypair,
            &w.network,
            &other_device.pubkey(),
            s.commit_args(),
        )
        .unwrap();
    let mut ix = v::verify_storage_chunk(&w.network, &s.device.pubkey(), good.clone());
    ix.accounts[2].pubkey = v::storage_commitment_address(&other_node);
    w.assert_refused(&watch, &fee, anchor(AnchorError::ConstraintSeeds), || {
        send(ix)
    });
    // an epoch whose challenges were never opened, and another network's open ones
    let mut ix = v::verify_storage_chunk(&w.network, &s.device.pubkey(), good.clone());
    ix.accounts[3].pubkey = v::challenges_address(&w.network, 9);
    w.assert_refused(
        &watch,
        &fee,
        anchor(AnchorError::AccountNotInitialized),
        || send(ix),
    );
    let other_net = w.create_network("other-net").unwrap();
    let set = v::oracle_set(&w.net, &w.network).unwrap();
    Verifier::new(&w.net)
        .init_oracle_set(
            &w.operator,
            &other_net,
            OracleSetArgs {
                oracles: set.oracles.clone(),
                threshold: 1,
                genesis_ts: set.genesis_ts,
                epoch_length_s: EPOCH_S,
                challenge_period_s: 60,
            },
        )
        .unwrap();
    Verifier::new(&w.net)
        .open_challenges(&w.operator, &other_net, 10)
        .unwrap();
    let mut ix = v::verify_storage_chunk(&w.network, &s.device.pubkey(), good.clone());
    ix.accounts[3].pubkey = v::challenges_address(&other_net, 10);
    w.assert_refused(&watch, &fee, anchor(AnchorError::ConstraintSeeds), || {
        send(ix)
    });
    // the challenges account in place of the commitment (same program, another type:
    // the discriminator catches it)
    let mut ix = v::verify_storage_chunk(&w.network, &s.device.pubkey(), good.clone());
    ix.accounts[2].pubkey = v::challenges_address(&w.network, 10);
    w.assert_refused(
        &watch,
        &fee,
        anchor(AnchorError::AccountDiscriminatorMismatch),
        || send(ix),
    );
    // and the honest answer still verifies
    s.verify(good).unwrap();
}

/// What fits one transaction: `chunk + 32 · depth` must stay within what the docs state
/// (256-byte chunks to depth 20, 512-byte chunks to depth 12).
#[test]
fn a_proof_fits_one_transaction_up_to_the_documented_depth() {
    let payer = Keypair::new();
    let network = Pubkey::new_unique();
    let device = Pubkey::new_unique();
    let size = |chunk: usize, depth: usize| {
        let ix = v::verify_storage_chunk(
            &network,
            &device,
            StorageChunkArgs {
                epoch: 10,
                challenge: 3,
                chunk: vec![7; chunk],
                path: vec![[9; 32]; depth],
            },
        );
        let mut tx = solana_transaction::Transaction::new_with_payer(&[ix], Some(&payer.pubkey()));
        tx.sign(&[&payer], solana_hash::Hash::default());
        depin::txcodec::size(&tx)
    };
    let deepest = |chunk: usize| (0..=40).take_while(|d| size(chunk, *d) <= 1_232).last();
    assert_eq!(
        deepest(256),
        Some(20),
        "{} bytes at depth 20",
        size(256, 20)
    );
    assert_eq!(
        deepest(512),
        Some(12),
        "{} bytes at depth 12",
        size(512, 12)
    );
    println!(
        "transaction bytes: 256-byte chunk at depth 8 = {}",
        size(256, 8)
    );
}
