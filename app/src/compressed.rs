//! The compressed registry off chain (issue 13): creating a network's tree account,
//! building compressed registrations from the client's copy of the tree, reading the
//! program's leaf events back into it, the size and rent of tree accounts, and `depin bench
//! registry`, which times the client's and indexer's tree at scale.
use crate::ix::{self, CreditsAccounts};
use crate::registry::Registration;
use crate::transport::TxOutcome;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use anyhow::{ensure, Context, Result};
use depin_core::node_tree::{self, IndexedTree, TreeHasher};
use node_registry::events::{CompressedNodeUpdated, CompressedNodeWritten, CompressedTreeCreated};
use node_registry::state::{CompressedNode, NodeProof, TreeLeaf};
use node_registry::{CreateCompressedTreeArgs, RegisterCompressedNodeArgs};
use serde::Serialize;
use solana_instruction::Instruction;
use std::collections::HashMap;
use std::time::Instant;

/// keccak-256 as the runtime computes it: the program's tree hash (that of
/// `spl-concurrent-merkle-tree`), so roots and proofs built here are the tree account's.
pub use node_registry::tree::Keccak;

/// The client's copy of a compressed network's tree: its account, shape, every leaf and
/// the node each leaf's data commits to.
pub struct ClientTree {
    pub address: Pubkey,
    pub shape: TreeShape,
    pub tree: IndexedTree<Keccak>,
    nodes: HashMap<u32, CompressedNode>,
}

impl ClientTree {
    /// A tree holding only the sentinel, as `create_compressed_tree` leaves it.
    pub fn new(address: Pubkey, shape: TreeShape) -> Result<Self> {
        let tree = IndexedTree::new(shape.depth as usize)
            .map_err(|e| anyhow::anyhow!("a tree of depth {}: {e:?}", shape.depth))?;
        Ok(ClientTree {
            address,
            shape,
            tree,
            nodes: HashMap::new(),
        })
    }

    /// The node of `device` with its leaf index, if the tree holds it.
    pub fn node(&self, device: &Pubkey) -> Option<(u32, CompressedNode)> {
        let index = self.tree.find(&device.to_bytes())?;
        Some((index, *self.nodes.get(&index)?))
    }

    /// Every node with its leaf index and device key, by leaf index.
    pub fn nodes(&self) -> Vec<(u32, Pubkey, CompressedNode)> {
        let mut v: Vec<_> = self
            .nodes
            .iter()
            .filter_map(|(i, n)| {
                let leaf = self.tree.leaf(*i)?;
                Some((*i, Pubkey::new_from_array(leaf.device), *n))
            })
            .collect();
        v.sort_unstable_by_key(|(i, _, _)| *i);
        v
    }

    /// A proof of `device`'s node at the root now, for the leaf updates, `verify_node` and
    /// claims.
    pub fn node_proof(&self, device: &Pubkey) -> Result<NodeProof> {
        let (index, node) = self
            .node(device)
            .with_context(|| format!("device {device} is not in the tree"))?;
        let leaf = self.tree.leaf(index).context("the leaf is missing")?;
        let mut proof = self.tree.proof(index).context("no proof of the leaf")?;
        proof.truncate(self.shape.proof_levels());
        Ok(NodeProof {
            root: self.tree.root(),
            index,
            device_key: *device,
            next_device_key: Pubkey::new_from_array(leaf.next_device),
            next_index: leaf.next_index,
            node,
            proof,
        })
    }

    /// Applies a leaf update the program reported.
    pub fn apply_update(&mut self, updated: &CompressedNodeUpdated) -> Result<()> {
        ensure!(
            updated.tree == self.address,
            "an event of tree {} applied to {}",
            updated.tree,
            self.address
        );
        ensure!(
            updated.leaf.data == updated.node.data_hash()?,
            "the event's node does not hash to its leaf"
        );
        self.tree
            .put(updated.index, updated.leaf.to_leaf())
            .map_err(|e| anyhow::anyhow!("writing leaf {}: {e:?}", updated.index))?;
        self.nodes.insert(updated.index, updated.node);
        ensure!(
            self.tree.root() == updated.root,
            "the tree's root after leaf {} differs from the program's",
            updated.index
        );
        Ok(())
    }

    /// Applies every registration and update a transaction reported, in order.
    pub fn apply_outcome(&mut self, outcome: &TxOutcome) -> Result<usize> {
        let mut n = 0;
        for data in &outcome.cpi_events {
            if let Some(mut body) = data.strip_prefix(CompressedNodeWritten::DISCRIMINATOR) {
                self.apply(&CompressedNodeWritten::deserialize(&mut body)?)?;
                n += 1;
            } else if let Some(mut body) = data.strip_prefix(CompressedNodeUpdated::DISCRIMINATOR) {
                self.apply_update(&CompressedNodeUpdated::deserialize(&mut body)?)?;
                n += 1;
            }
        }
        Ok(n)
    }

    /// The proof part of a registration of `device`: the root now, the device's low leaf
    /// and its siblings below the canopy.
    pub fn insertion(&self, device: &Pubkey) -> Result<Insertion> {
        let key = device.to_bytes();
        ensure!(
            self.tree.find(&key).is_none(),
            "device {device} is already in the tree"
        );
        let low_index = self
            .tree
            .low_leaf(&key)
            .context("device key zero is reserved")?;
        let low = self
            .tree
            .leaf(low_index)
            .context("the low leaf is missing")?;
        let mut proof = self
            .tree
            .proof(low_index)
            .context("no proof of the low leaf")?;
        proof.truncate(self.shape.proof_levels());
        Ok(Insertion {
            root: self.tree.root(),
            low_index,
            low_leaf: TreeLeaf::from_leaf(low),
            proof,
        })
    }

    /// Applies a registration the program reported.
    pub fn apply(&mut self, written: &CompressedNodeWritten) -> Result<()> {
        ensure!(
            written.tree == self.address,
            "an event of tree {} applied to {}",
            written.tree,
            self.address
        );
        ensure!(
            written.leaf.data == written.node.data_hash()?,
            "the event's node does not hash to its leaf"
        );
        for (index, leaf) in [
            (written.low_index, &written.low_leaf),
            (written.index, &written.leaf),
        ] {
            self.tree
                .put(index, leaf.to_leaf())
                .map_err(|e| anyhow::anyhow!("writing leaf {index}: {e:?}"))?;
        }
        self.nodes.insert(written.index, written.node);
        ensure!(
            self.tree.root() == written.root,
            "the tree's root after leaf {} differs from the program's",
            written.index
        );
        Ok(())
    }
}

/// What a registration proves about the tree: see `RegisterCompressedNodeArgs`.
#[derive(Debug, Clone)]
pub struct Insertion {
    pub root: [u8; 32],
    pub low_index: u32,
    pub low_leaf: TreeLeaf,
    pub proof: Vec<[u8; 32]>,
}

/// The instructions that create and initialise `tree` as `network`'s compressed tree: a
/// top-level `create_account` (the tree's key signs) and `create_compressed_tree`.
pub fn create_tree_instructions(
    payer: &Pubkey,
    authority: &Pubkey,
    network: &Pubkey,
    tree: &Pubkey,
    shape: TreeShape,
) -> Result<Vec<Instruction>> {
    let bytes = node_registry::tree::account_len(shape.depth, shape.buffer, shape.canopy)
        .with_context(|| format!("node_registry has no tree of shape {shape:?}"))?;
    let create = solana_system_interface::instruction::create_account(
        payer,
        tree,
        rent_exempt_lamports(bytes as u64),
        bytes as u64,
        &node_registry::ID,
    );
    let init = ix::create_compressed_tree(
        authority,
        network,
        tree,
        CreateCompressedTreeArgs {
            max_depth: shape.depth,
            max_buffer: shape.buffer,
            canopy_depth: shape.canopy,
        },
    );
    Ok(vec![create, init])
}

/// The three instructions of a compressed registration (maker attestation, device consent,
/// `register_compressed_node`); send them as a v0 transaction with a lookup table.
pub fn register_instructions(
    owner: &Pubkey,
    r: &Registration,
    tree: &Pubkey,
    credits: CreditsAccounts,
    max_fee_credits: u64,
    insertion: Insertion,
) -> Result<Vec<Instruction>> {
    ensure!(
        r.maker_attestation.verify(),
        "maker attestation signature does not verify"
    );
    ensure!(
        r.device_consent.verify(),
        "device consent signature does not verify"
    );
    let args = RegisterCompressedNodeArgs {
        nonce: r.nonce,
        capacity: r.capacity,
        max_fee_credits: r.max_fee_credits.unwrap_or(max_fee_credits),
        root: insertion.root,
        low_index: insertion.low_index,
        low_leaf: insertion.low_leaf,
        proof: insertion.proof,
    };
    Ok(vec![
        r.maker_attestation.to_instruction(),
        r.device_consent.to_instruction(),
        ix::register_compressed_node(owner, &r.network, &r.maker, tree, credits, args),
    ])
}

fn decode<E: AnchorDeserialize + Discriminator>(outcome: &TxOutcome) -> Result<Vec<E>> {
    outcome
        .cpi_events
        .iter()
        .filter_map(|d| d.strip_prefix(E::DISCRIMINATOR))
        .map(|mut body| E::deserialize(&mut body).context("decoding an event"))
        .collect()
}

/// The registrations a transaction reported, in order.
pub fn written_events(outcome: &TxOutcome) -> Result<Vec<CompressedNodeWritten>> {
    decode(outcome)
}

/// The leaf updates a transaction reported, in order.
pub fn updated_events(outcome: &TxOutcome) -> Result<Vec<CompressedNodeUpdated>> {
    decode(outcome)
}

/// Tree creations a transaction logged (`Program data:`; the one-off creation is a logged
/// event, registrations are CPI events).
pub fn tree_created_events(outcome: &TxOutcome) -> Result<Vec<CompressedTreeCreated>> {
    use base64::Engine;
    outcome
        .logs
        .iter()
        .filter_map(|l| l.strip_prefix("Program data: "))
        .filter_map(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .filter_map(|d| {
            d.strip_prefix(CompressedTreeCreated::DISCRIMINATOR)
                .map(<[u8]>::to_vec)
        })
        .map(|body| CompressedTreeCreated::deserialize(&mut &body[..]).context("decoding an event"))
        .collect()
}

/// The shape of a tree account: depth, changelog buffer, canopy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct TreeShape {
    pub depth: u32,
    pub buffer: u32,
    pub canopy: u32,
}

impl TreeShape {
    /// Bytes of a `spl-concurrent-merkle-tree` account of this shape (from the layout; the
    /// program will accept only the shapes it instantiates): the 56-byte header,
    /// the tree (sequence number, active index and buffer size, `buffer` changelogs of a
    /// root, a path and an index, the rightmost proof) and the canopy's stored nodes.
    pub fn account_bytes(&self) -> Result<u64> {
        ensure!(
            (1..=node_tree::MAX_DEPTH as u32).contains(&self.depth),
            "depth {} is outside 1..={}",
            self.depth,
            node_tree::MAX_DEPTH
        );
        ensure!(
            self.canopy < self.depth,
            "a canopy of {} must be below the depth {}",
            self.canopy,
            self.depth
        );
        ensure!(
            self.buffer.is_power_of_two(),
            "the changelog buffer must be a power of two, not {}",
            self.buffer
        );
        let d = u64::from(self.depth);
        let changelog = 40 + 32 * d;
        let rightmost = 40 + 32 * d;
        let canopy_nodes = (1u64 << (self.canopy + 1)) - 2;
        Ok(56 + 24 + u64::from(self.buffer) * changelog + rightmost + canopy_nodes * 32)
    }

    /// Proof bytes a transaction carries: the levels the canopy does not hold.
    pub fn proof_bytes(&self) -> u64 {
        self.proof_levels() as u64 * 32
    }

    /// Siblings a transaction carries: the levels the canopy does not hold.
    pub fn proof_levels(&self) -> usize {
        self.depth.saturating_sub(self.canopy) as usize
    }
}

/// Rent-exempt minimum under the default rent (3,480 lamports per byte-year, two years,
/// 128 bytes of account overhead), as every cluster runs it today.
pub fn rent_exempt_lamports(bytes: u64) -> u64 {
    (128 + bytes) * 3_480 * 2
}

/// Signature fees of one compressed registration: the owner's transaction signature and the
/// maker's and device's ed25519 precompile signatures, 5,000 lamports each.
pub const REGISTER_SIGNATURE_FEES: u64 = 15_000;

#[derive(Debug, Serialize)]
pub struct RegistryBench {
    pub nodes: u64,
    pub shape: TreeShape,
    pub cores: usize,
    pub insert_seconds: f64,
    pub inserts_per_second: f64,
    /// Proofs made and checked: half of present nodes, half of absent keys (their low leaf).
    pub proofs: u64,
    pub proof_seconds: f64,
    pub proofs_per_second: f64,
    pub proof_bytes_in_transaction: u64,
    pub root: String,
    /// Peak resident memory of this process (VmHWM), MB.
    pub peak_rss_mb: f64,
    /// From the account layout, not from an account created on chain (not built yet).
    pub tree_account_bytes: u64,
    pub tree_rent_lamports: u64,
    pub rent_per_leaf_lamports: u64,
    pub lamports_per_node: u64,
    /// `--onchain N`: registrations on the embedded runtime.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub onchain: Option<OnchainBench>,
}

/// A deterministic device key for bench node `i` (any 32 bytes do for the tree; never a
/// key that holds value).
fn bench_device(i: u64) -> [u8; 32] {
    Keccak::hashv(&[b"depin bench device", &i.to_le_bytes()])
}

/// Inserts `nodes` keys into an [`IndexedTree`] of `shape.depth` with keccak, then makes and
/// checks `proofs` proofs (membership and absence) against its root.
pub fn bench(nodes: u64, shape: TreeShape, proofs: u64) -> Result<RegistryBench> {
    let tree_account_bytes = shape.account_bytes()?;
    ensure!(
        nodes < 1u64 << shape.depth,
        "{nodes} nodes do not fit a tree of depth {} (leaf 0 is the sentinel)",
        shape.depth
    );
    let mut tree = IndexedTree::<Keccak>::new(shape.depth as usize)
        .map_err(|e| anyhow::anyhow!("creating the tree: {e:?}"))?;
    let started = Instant::now();
    for i in 0..nodes {
        let data = Keccak::hashv(&[b"node data", &i.to_le_bytes()]);
        tree.insert(&bench_device(i), data)
            .map_err(|e| anyhow::anyhow!("inserting bench node {i}: {e:?}"))?;
    }
    let insert_seconds = started.elapsed().as_secs_f64();
    let root = tree.root();

    let depth = shape.depth as usize;
    let started = Instant::now();
    for j in 0..proofs {
        let (index, leaf) = if j % 2 == 0 && nodes > 0 {
            let device = bench_device(j / 2 % nodes);
            let i = tree.find(&device).context("a bench node is missing")?;
            (i, tree.leaf(i).context("a found leaf is missing")?)
        } else {
            let absent = Keccak::hashv(&[b"absent", &j.to_le_bytes()]);
            let i = tree
                .low_leaf(&absent)
                .context("an absent key has no low leaf")?;
            let low = tree.leaf(i).context("a low leaf is missing")?;
            ensure!(low.covers(&absent), "low leaf {i} does not cover its key");
            (i, low)
        };
        let proof = tree.proof(index).context("no proof for a leaf")?;
        ensure!(
            node_tree::verify_path::<Keccak>(&root, &leaf.hash::<Keccak>(), index, &proof, depth),
            "the proof of leaf {index} does not verify"
        );
    }
    let proof_seconds = started.elapsed().as_secs_f64();

    let tree_rent_lamports = rent_exempt_lamports(tree_account_bytes);
    let rent_per_leaf_lamports = tree_rent_lamports.div_ceil(1u64 << shape.depth);
    Ok(RegistryBench {
        nodes,
        shape,
        cores: crate::par::cores(),
        insert_seconds,
        inserts_per_second: nodes as f64 / insert_seconds.max(1e-9),
        proofs,
        proof_seconds,
        proofs_per_second: proofs as f64 / proof_seconds.max(1e-9),
        proof_bytes_in_transaction: shape.proof_bytes(),
        root: crate::rewards::to_hex(&root),
        peak_rss_mb: peak_rss_kb().map_or(0.0, |kb| kb as f64 / 1024.0),
        tree_account_bytes,
        tree_rent_lamports,
        rent_per_leaf_lamports,
        lamports_per_node: rent_per_leaf_lamports + REGISTER_SIGNATURE_FEES,
        onchain: None,
    })
}

/// The process's peak resident set (Linux `VmHWM`), in kB.
fn peak_rss_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keccak_is_keccak_256() {
        // keccak-256 of the empty input (not SHA3-256's a7ffc6…)
        assert_eq!(
            crate::rewards::to_hex(&Keccak::hashv(&[])),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        // hashv is the hash of the concatenation, as spl-concurrent-merkle-tree uses it
        assert_eq!(Keccak::hashv(&[b"ab", b"c"]), Keccak::hashv(&[b"abc"]));
    }

    #[test]
    fn account_size_and_rent_match_the_layout() {
        let s = TreeShape {
            depth: 20,
            buffer: 64,
            canopy: 10,
        };
        assert_eq!(s.account_bytes().unwrap(), 109_752);
        assert_eq!(rent_exempt_lamports(109_752), 764_764_800);
        assert_eq!(s.proof_bytes(), 320);
        // ConcurrentMerkleTree<14, 64> and <20, 64> are 31,744 and 44,224 bytes (the
        // crate's size_of) behind the 56-byte header
        for (depth, tree) in [(14, 31_744), (20, 44_224)] {
            let s = TreeShape {
                depth,
                buffer: 64,
                canopy: 0,
            };
            assert_eq!(s.account_bytes().unwrap(), 56 + tree);
        }
        for bad in [
            (0, 64, 0),
            (31, 64, 0),
            (10, 64, 10),
            (10, 0, 0),
            (10, 48, 0),
        ] {
            let s = TreeShape {
                depth: bad.0,
                buffer: bad.1,
                canopy: bad.2,
            };
            assert!(s.account_bytes().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_small_bench_checks_its_proofs() {
        let s = TreeShape {
            depth: 8,
            buffer: 8,
            canopy: 2,
        };
        let r = bench(200, s, 100).unwrap();
        assert_eq!((r.nodes, r.proofs), (200, 100));
        assert_eq!(r.lamports_per_node, r.rent_per_leaf_lamports + 15_000);
        assert!(bench(256, s, 1).is_err(), "the sentinel takes a leaf");
    }
}

/// `depin bench registry --onchain N`: compressed registrations on the embedded runtime
/// (SBF when the `.so` files exist, as everywhere), with the real tree account.
#[derive(Debug, Serialize)]
pub struct OnchainBench {
    pub nodes: u64,
    pub shape: TreeShape,
    /// "native" or "sbf" (compute units are real only on SBF).
    pub runtime: String,
    pub seconds: f64,
    pub registrations_per_second: f64,
    /// The tree account as created: its size and the lamports it holds.
    pub tree_account_bytes: u64,
    pub tree_rent_lamports: u64,
    /// Tree rent spread over every leaf the tree can hold.
    pub rent_per_leaf_lamports: u64,
    /// What the owner's balance fell by per registration: signature fees (the transaction
    /// and the two ed25519 precompile signatures); no account is created.
    pub owner_lamports_per_registration: u64,
    /// `rent_per_leaf_lamports + owner_lamports_per_registration`.
    pub lamports_per_node: u64,
    /// The one-off lookup table, not counted per node.
    pub lookup_table_rent_lamports: u64,
    pub compute_units_min: Option<u64>,
    pub compute_units_max: Option<u64>,
    pub compute_units_mean: Option<u64>,
    pub transaction_bytes_max: u64,
    /// The tree account's root equals the client's after every registration.
    pub root: String,
}

/// Registers `nodes` devices in a fresh compressed network of `shape` on the embedded
/// runtime and measures what each cost.
pub fn bench_onchain(nodes: u64, shape: TreeShape) -> Result<OnchainBench> {
    use crate::registry::Registry;
    use crate::transport::embedded::{EmbeddedNetwork, RuntimeMode};
    use crate::transport::Transport;
    use node_registry::state::Capacity;
    use node_registry::{AddMakerArgs, CreateNetworkArgs};
    use solana_keypair::Keypair;
    use solana_signer::Signer;

    let capacity = 1u64 << shape.depth;
    ensure!(
        nodes < capacity,
        "{nodes} nodes do not fit a tree of depth {}",
        shape.depth
    );
    let mode = RuntimeMode::from_env();
    let runtime = match mode {
        RuntimeMode::Native => "native",
        RuntimeMode::Sbf(_) => "sbf",
    };
    let net = EmbeddedNetwork::start_with(mode, |_| {})?;
    let reg = Registry::new(&net);
    let operator = net.payer();
    let token_mint = Keypair::new();
    let credits_mint = Keypair::new();
    reg.create_mint(
        &operator,
        &token_mint,
        &operator.pubkey(),
        6,
        &crate::tokens::TOKEN_PROGRAM,
    )?;
    reg.create_credits_mint(&operator, &credits_mint, &operator.pubkey(), 0)?;
    const FEE: u64 = 10;
    let (network, _) = reg.create_network(
        &operator,
        &token_mint.pubkey(),
        &credits_mint.pubkey(),
        CreateNetworkArgs {
            name: "bench-compressed".into(),
            onboarding_fee_credits: FEE,
            location_fee_credits: FEE,
            attestation_window_s: 3_600,
        },
    )?;
    let tree_key = Keypair::new();
    let ixs = create_tree_instructions(
        &operator.pubkey(),
        &operator.pubkey(),
        &network,
        &tree_key.pubkey(),
        shape,
    )?;
    reg.send(&ixs, &operator, &[&tree_key])
        .context("creating the tree")?;
    let tree_account = net
        .get_account(&tree_key.pubkey())?
        .context("the tree account is missing")?;
    let maker_key = Keypair::new();
    let attestation = Keypair::new();
    let (maker, _) = reg.add_maker(
        &operator,
        &network,
        AddMakerArgs {
            maker_key: maker_key.pubkey(),
            attestation_key: attestation.pubkey(),
            device_cap: None,
        },
    )?;
    let owner = Keypair::new();
    reg.send(
        &[crate::ix::transfer_lamports(
            &operator.pubkey(),
            &owner.pubkey(),
            1_000_000_000 + nodes * 20_000,
        )],
        &operator,
        &[],
    )?;
    let owner_credits = reg.mint_to_owner(
        &operator,
        &operator,
        &credits_mint.pubkey(),
        &owner.pubkey(),
        nodes * FEE,
    )?;
    let credits = CreditsAccounts {
        credits_mint: credits_mint.pubkey(),
        owner_credits,
        token_program: crate::tokens::TOKEN_2022_PROGRAM,
    };
    let statics = [
        node_registry::ID,
        network,
        tree_key.pubkey(),
        credits_mint.pubkey(),
        crate::ix::INSTRUCTIONS_SYSVAR,
        crate::tokens::TOKEN_2022_PROGRAM,
        crate::ix::event_authority(),
        maker,
    ];
    let table = crate::lookup::create(&net, &operator, &operator, &statics)?;
    let lookup_table_rent_lamports = net.get_account(&table)?.map_or(0, |a| a.lamports);
    let tables = [crate::lookup::table(&net, &table)?];

    let mut client = ClientTree::new(tree_key.pubkey(), shape)?;
    let capacity_args = Capacity::Other { units: 1 };
    let balance = |k: &Pubkey| -> Result<u64> { Ok(net.get_account(k)?.map_or(0, |a| a.lamports)) };
    let owner_before = balance(&owner.pubkey())?;
    let mut cu: Vec<u64> = vec![];
    let mut bytes_max = 0u64;
    let started = Instant::now();
    for i in 0..nodes {
        let mut secret = [0x6bu8; 32];
        secret[..8].copy_from_slice(&i.to_le_bytes());
        let device = Keypair::new_from_array(secret);
        let nonce = net.unix_time()? as u64;
        let r = Registration {
            network,
            maker,
            maker_attestation: crate::attest::sign_maker_attestation(
                &attestation,
                &network,
                &device.pubkey(),
                &capacity_args,
            ),
            device_consent: crate::attest::sign_device_consent(
                &device,
                &network,
                &owner.pubkey(),
                nonce,
            ),
            nonce,
            capacity: capacity_args,
            owner_credits: Some(owner_credits),
            max_fee_credits: Some(FEE),
        };
        let ixs = register_instructions(
            &owner.pubkey(),
            &r,
            &tree_key.pubkey(),
            credits,
            FEE,
            client.insertion(&device.pubkey())?,
        )?;
        let tx = crate::lookup::transaction(&owner, &[], &ixs, &tables, net.latest_blockhash()?)?;
        bytes_max = bytes_max.max(crate::lookup::size(&tx) as u64);
        let out = net
            .send_versioned(&tx)
            .with_context(|| format!("registering bench device {i}"))?;
        cu.extend(out.compute_units);
        ensure!(
            client.apply_outcome(&out)? == 1,
            "registration {i} reported no leaf"
        );
    }
    let seconds = started.elapsed().as_secs_f64();
    let mut data = net
        .get_account(&tree_key.pubkey())?
        .context("the tree account is missing")?
        .data;
    let onchain_root = node_registry::tree::TreeAccount::load(&mut data, &network)
        .map_err(|e| anyhow::anyhow!("reading the tree account: {e}"))?
        .root()
        .map_err(|e| anyhow::anyhow!("reading the root: {e}"))?;
    ensure!(
        onchain_root == client.tree.root(),
        "the tree account's root differs from the client's"
    );
    let spent = owner_before.saturating_sub(balance(&owner.pubkey())?);
    let per_registration = spent.checked_div(nodes).unwrap_or(0);
    let rent_per_leaf = tree_account.lamports.div_ceil(capacity);
    Ok(OnchainBench {
        nodes,
        shape,
        runtime: runtime.into(),
        seconds,
        registrations_per_second: nodes as f64 / seconds.max(1e-9),
        tree_account_bytes: tree_account.data.len() as u64,
        tree_rent_lamports: tree_account.lamports,
        rent_per_leaf_lamports: rent_per_leaf,
        owner_lamports_per_registration: per_registration,
        lamports_per_node: rent_per_leaf + per_registration,
        lookup_table_rent_lamports,
        compute_units_min: cu.iter().min().copied(),
        compute_units_max: cu.iter().max().copied(),
        compute_units_mean: (!cu.is_empty()).then(|| cu.iter().sum::<u64>() / cu.len() as u64),
        transaction_bytes_max: bytes_max,
        root: crate::rewards::to_hex(&onchain_root),
    })
}
