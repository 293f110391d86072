//! The compressed registry's indexer (issue 13, `depin index`): rebuilds a network's tree
//! from node_registry's transactions, checks the root against the tree account, keeps the
//! events in the oracle's store (SQLite or PostgreSQL) and serves leaves and proofs over
//! HTTP.
//!
//! The tree account holds only roots, a changelog and the canopy; every leaf comes from the
//! `CompressedNodeWritten` and `CompressedNodeUpdated` CPI events of the transactions that
//! wrote it. Each event carries the tree's sequence number after its writes (a registration
//! writes twice, an update once), so the indexer applies them in sequence order and a
//! missing transaction shows as a gap in the numbers: it then reads the whole history
//! again. After a restart it replays the stored events (each checked against the root the
//! event reports) and reads only the transactions newer than the last one stored.
use crate::compressed::{ClientTree, Insertion, TreeShape};
use crate::oracle::store::{Store, TreeEventRow};
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, AnchorSerialize, Discriminator};
use anyhow::{bail, ensure, Context, Result};
use node_registry::events::{CompressedNodeUpdated, CompressedNodeWritten};
use node_registry::state::{CompressedNode, Network, NodeProof, NodeStatus, TreeLeaf};
use serde::Serialize;
use serde_json::{json, Value};
use solana_signature::Signature;

/// The tree's sequence number once `create_compressed_tree` has appended the sentinel.
pub const CREATED_SEQ: u64 = 1;

/// Transactions asked for per history page (RPC's maximum).
const PAGE: usize = 1_000;

/// Stored events read per query on replay.
const REPLAY_PAGE: u32 = 10_000;

/// Rounds of (read the account, read the history) before [`Indexer::sync`] gives up on a
/// tree that keeps moving.
const MAX_ROUNDS: usize = 8;

/// A tree event, decoded.
pub enum TreeEvent {
    Written(CompressedNodeWritten),
    Updated(CompressedNodeUpdated),
}

impl TreeEvent {
    /// The event in `data` (discriminator and Borsh body), if it is one of the tree's.
    pub fn decode(data: &[u8]) -> Result<Option<Self>> {
        if let Some(mut body) = data.strip_prefix(CompressedNodeWritten::DISCRIMINATOR) {
            return Ok(Some(TreeEvent::Written(
                CompressedNodeWritten::deserialize(&mut body).context("decoding an event")?,
            )));
        }
        if let Some(mut body) = data.strip_prefix(CompressedNodeUpdated::DISCRIMINATOR) {
            return Ok(Some(TreeEvent::Updated(
                CompressedNodeUpdated::deserialize(&mut body).context("decoding an event")?,
            )));
        }
        Ok(None)
    }

    pub fn tree(&self) -> Pubkey {
        match self {
            TreeEvent::Written(e) => e.tree,
            TreeEvent::Updated(e) => e.tree,
        }
    }

    pub fn network(&self) -> Pubkey {
        match self {
            TreeEvent::Written(e) => e.network,
            TreeEvent::Updated(e) => e.network,
        }
    }

    /// The tree's sequence number after the event's writes.
    pub fn seq(&self) -> u64 {
        match self {
            TreeEvent::Written(e) => e.seq,
            TreeEvent::Updated(e) => e.seq,
        }
    }

    /// Writes to the tree: a registration replaces the low leaf and appends.
    pub fn writes(&self) -> u64 {
        match self {
            TreeEvent::Written(_) => 2,
            TreeEvent::Updated(_) => 1,
        }
    }
}

/// What one [`Indexer::sync`] did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncReport {
    /// Transactions read from the cluster's history.
    pub transactions_read: u64,
    /// Events applied to the tree.
    pub events_applied: u64,
    /// Times the whole history was read again after a gap in sequence numbers.
    pub rescans: u64,
    /// The tree's sequence number and root now, equal to the tree account's.
    pub seq: u64,
    pub root: String,
}

/// One network's compressed tree, rebuilt from its transactions.
pub struct Indexer {
    pub network: Pubkey,
    pub tree: ClientTree,
    seq: u64,
    /// The newest transaction applied (the next history read stops there).
    newest: Option<Signature>,
    /// Events applied in memory but not yet in the store (a store that failed); written at
    /// the next sync.
    unsaved: Vec<TreeEventRow>,
    /// Set when an event did not lead to the root it reported: the tree in memory can no
    /// longer be trusted, and every later sync says so (open a new indexer).
    broken: Option<String>,
}

/// The tree account's shape, sequence number and root.
pub struct TreeAccountState {
    pub shape: TreeShape,
    pub seq: u64,
    pub root: [u8; 32],
}

/// Reads `tree` as `network`'s tree account.
pub fn read_tree_account(
    t: &dyn Transport,
    network: &Pubkey,
    tree: &Pubkey,
) -> Result<TreeAccountState> {
    let mut data = t
        .get_account(tree)?
        .with_context(|| format!("tree account {tree} does not exist"))?
        .data;
    let seq = node_registry::tree::sequence_number(&data, network)
        .map_err(|e| anyhow::anyhow!("tree account {tree}: {e}"))?;
    let mut account = node_registry::tree::TreeAccount::load(&mut data, network)
        .map_err(|e| anyhow::anyhow!("tree account {tree}: {e}"))?;
    let root = account
        .root()
        .map_err(|e| anyhow::anyhow!("tree account {tree}: {e}"))?;
    let h = account.header;
    Ok(TreeAccountState {
        shape: TreeShape {
            depth: h.max_depth,
            buffer: h.max_buffer,
            canopy: h.canopy_depth,
        },
        seq,
        root,
    })
}

/// The network account and its tree's address.
pub fn compressed_network(t: &dyn Transport, network: &Pubkey) -> Result<(Network, Pubkey)> {
    let n = crate::accounts::fetch::<Network>(t, "network", network)?
        .with_context(|| format!("network {network} does not exist on {}", t.describe()))?;
    let tree = n
        .compressed_tree
        .with_context(|| format!("network {} ({network}) is not compressed", n.name))?;
    Ok((n, tree))
}

impl Indexer {
    /// An indexer of `network`'s tree holding only the sentinel; [`Indexer::load`] and
    /// [`Indexer::sync`] fill it.
    pub fn open(t: &dyn Transport, network: &Pubkey) -> Result<Self> {
        let (_, tree) = compressed_network(t, network)?;
        let state = read_tree_account(t, network, &tree)?;
        Ok(Indexer {
            network: *network,
            tree: ClientTree::new(tree, state.shape)?,
            seq: CREATED_SEQ,
            newest: None,
            unsaved: vec![],
            broken: None,
        })
    }

    /// Opens the indexer, replays what `store` holds and syncs with the cluster.
    pub fn open_synced(
        t: &dyn Transport,
        network: &Pubkey,
        store: Option<&dyn Store>,
    ) -> Result<(Self, SyncReport)> {
        let mut ix = Self::open(t, network)?;
        if let Some(s) = store {
            ix.load(s)?;
        }
        let r = ix.sync(t, store)?;
        Ok((ix, r))
    }

    /// The sequence number of the last event applied.
    pub fn seq(&self) -> u64 {
        self.seq
    }

    /// Whether an event failed to apply, so that the tree in memory is not to be trusted.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some()
    }

    /// The tree account's address.
    pub fn tree_address(&self) -> Pubkey {
        self.tree.address
    }

    /// Replays the events `store` holds for this tree; returns how many. A gap in the
    /// stored sequence numbers stops the replay there: [`Indexer::sync`] reads the rest
    /// from the cluster.
    pub fn load(&mut self, store: &dyn Store) -> Result<u64> {
        let tree = self.tree.address.to_bytes();
        let mut n = 0u64;
        loop {
            let rows = store.tree_events(&tree, self.seq, REPLAY_PAGE)?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let event = TreeEvent::decode(&row.data)?
                    .with_context(|| format!("stored event {} is not a tree event", row.seq))?;
                match self.apply(&event) {
                    Ok(()) => {}
                    Err(e) if e.downcast_ref::<Gap>().is_some() => return Ok(n),
                    Err(e) => {
                        return Err(e)
                            .with_context(|| format!("replaying stored event {}", row.seq))
                    }
                }
                self.newest = Some(
                    row.signature
                        .parse()
                        .with_context(|| format!("a stored signature `{}`", row.signature))?,
                );
                n += 1;
            }
        }
        Ok(n)
    }

    /// Applies one event: its sequence number must follow the last one's.
    fn apply(&mut self, event: &TreeEvent) -> Result<()> {
        ensure!(
            event.tree() == self.tree.address && event.network() == self.network,
            "an event of tree {} (network {}) given to the indexer of {}",
            event.tree(),
            event.network(),
            self.tree.address
        );
        let expected = self.seq + event.writes();
        if event.seq() != expected {
            return Err(Gap {
                after: self.seq,
                found: event.seq(),
            }
            .into());
        }
        if let Some(why) = &self.broken {
            bail!("the indexer stopped at sequence number {}: {why}", self.seq);
        }
        let applied = match event {
            TreeEvent::Written(e) => self.tree.apply(e),
            TreeEvent::Updated(e) => self.tree.apply_update(e),
        };
        if let Err(e) = applied {
            // the leaves may be written already: nothing after this can be trusted
            let why = format!("event {} does not apply: {e:#}", event.seq());
            self.broken = Some(why.clone());
            bail!(why);
        }
        self.seq = event.seq();
        Ok(())
    }

    /// Reads every transaction since the last one applied, applies their events in order,
    /// stores them, and returns once the tree's root equals the tree account's. A jump in
    /// sequence numbers makes it read the whole history again; a node that lags gets a few
    /// rounds to catch up before the sync fails by name.
    pub fn sync(&mut self, t: &dyn Transport, store: Option<&dyn Store>) -> Result<SyncReport> {
        let mut report = SyncReport::default();
        self.flush(store)?;
        let mut gap: Option<anyhow::Error> = None;
        for round in 0..MAX_ROUNDS {
            if round > 0 {
                // the account is ahead of the history this node returned: let it catch up
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            let account = read_tree_account(t, &self.network, &self.tree.address)?;
            if account.seq == self.seq {
                ensure!(
                    account.root == self.tree.tree.root(),
                    "the tree rebuilt from the events has another root than tree account {} at \
                     sequence number {} (the events or the store do not belong to this tree)",
                    self.tree.address,
                    self.seq
                );
                report.seq = self.seq;
                report.root = crate::rewards::to_hex(&account.root);
                return Ok(report);
            }
            if account.seq < self.seq {
                // an RPC node behind the one that served the history
                continue;
            }
            let rows = self.history(t, self.newest, &mut report)?;
            match self.apply_rows(rows, store, &mut report) {
                Ok(()) => {}
                Err(e) if e.downcast_ref::<Gap>().is_some() => {
                    // a transaction the cursor skipped: read the whole history again
                    report.rescans += 1;
                    let rows = self.history(t, None, &mut report)?;
                    if let Err(e) = self.apply_rows(rows, store, &mut report) {
                        if e.downcast_ref::<Gap>().is_none() {
                            return Err(e);
                        }
                        gap = Some(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
        if let Some(e) = gap {
            return Err(e.context(format!(
                "the cluster's history lacks some of tree {}'s transactions (an RPC node \
                 without full history, one that prunes it, or one still behind)",
                self.tree.address
            )));
        }
        bail!(
            "tree {} is at sequence number {} on chain but its history gave the indexer only \
             {} after {MAX_ROUNDS} rounds (an RPC node behind, or a tree written faster than \
             it is read)",
            self.tree.address,
            read_tree_account(t, &self.network, &self.tree.address)?.seq,
            self.seq
        )
    }

    /// The tree's events in transactions newer than `until`, oldest first, with their
    /// transaction's signature and slot.
    fn history(
        &self,
        t: &dyn Transport,
        until: Option<Signature>,
        report: &mut SyncReport,
    ) -> Result<Vec<(TreeEvent, TreeEventRow)>> {
        let mut signatures = vec![];
        let mut before = None;
        loop {
            let page = t
                .signatures_for_address(&self.tree.address, before, until, PAGE)
                .context("reading the tree's transaction history")?;
            let full = page.len() == PAGE;
            before = page.last().map(|e| e.signature);
            signatures.extend(page.into_iter().filter(|e| !e.failed));
            if !full {
                break;
            }
        }
        let mut out = vec![];
        for entry in signatures.iter().rev() {
            let landed = t.transaction_events(&entry.signature)?;
            report.transactions_read += 1;
            if landed.failed {
                continue;
            }
            for data in landed.cpi_events {
                let Some(event) = TreeEvent::decode(&data)? else {
                    continue;
                };
                if event.tree() != self.tree.address {
                    continue;
                }
                let row = TreeEventRow {
                    seq: event.seq(),
                    slot: landed.slot,
                    signature: entry.signature.to_string(),
                    data,
                };
                out.push((event, row));
            }
        }
        Ok(out)
    }

    /// Applies the events above the last one applied, in sequence order, then stores them.
    fn apply_rows(
        &mut self,
        mut rows: Vec<(TreeEvent, TreeEventRow)>,
        store: Option<&dyn Store>,
        report: &mut SyncReport,
    ) -> Result<()> {
        rows.sort_by_key(|(e, _)| e.seq());
        rows.dedup_by_key(|(e, _)| e.seq());
        let mut result = Ok(());
        let after = self.seq;
        for (event, row) in rows.into_iter().filter(|(e, _)| e.seq() > after) {
            if let Err(e) = self.apply(&event) {
                result = Err(e);
                break;
            }
            self.newest = row.signature.parse().ok();
            report.events_applied += 1;
            self.unsaved.push(row);
        }
        // what was applied is stored even when a gap stopped the rest
        self.flush(store)?;
        result
    }

    /// Writes the events not yet stored.
    fn flush(&mut self, store: Option<&dyn Store>) -> Result<()> {
        let Some(s) = store else {
            self.unsaved.clear();
            return Ok(());
        };
        if self.unsaved.is_empty() {
            return Ok(());
        }
        s.save_tree_events(&self.tree.address.to_bytes(), &self.unsaved)
            .with_context(|| format!("storing tree events in {}", s.describe()))?;
        self.unsaved.clear();
        Ok(())
    }

    /// Every node: leaf index, device key and node, by leaf index.
    pub fn nodes(&self) -> Vec<(u32, Pubkey, CompressedNode)> {
        self.tree.nodes()
    }

    /// A summary for `/healthz` and `depin index --once`.
    pub fn summary(&self) -> Value {
        json!({
            "network": self.network.to_string(),
            "tree": self.tree.address.to_string(),
            "depth": self.tree.shape.depth,
            "buffer": self.tree.shape.buffer,
            "canopy": self.tree.shape.canopy,
            "seq": self.seq,
            "root": crate::rewards::to_hex(&self.tree.tree.root()),
            "nodes": self.tree.nodes().len(),
            "leaves": self.tree.tree.len(),
        })
    }
}

/// A sequence number that does not follow the last one applied.
#[derive(Debug, thiserror::Error)]
#[error("tree events jump from sequence number {after} to {found}: transactions are missing")]
pub struct Gap {
    pub after: u64,
    pub found: u64,
}

/// Where node commands get a compressed network's leaves and proofs: an indexer in this
/// process ([`Indexer`]) or one over HTTP ([`IndexerClient`]).
pub trait ProofSource {
    /// The tree account this source indexes.
    fn tree(&self) -> Result<Pubkey>;
    /// The node of `device` with its leaf index.
    fn node(&self, device: &Pubkey) -> Result<Option<(u32, CompressedNode)>>;
    /// A proof of `device`'s leaf (minus the canopy), for updates, `verify_node` and claims.
    fn node_proof(&self, device: &Pubkey) -> Result<NodeProof>;
    /// What registering `device` proves: its low leaf and that leaf's proof.
    fn insertion(&self, device: &Pubkey) -> Result<Insertion>;
    /// Every node, by leaf index.
    fn nodes(&self) -> Result<Vec<(u32, Pubkey, CompressedNode)>>;
}

impl ProofSource for Indexer {
    fn tree(&self) -> Result<Pubkey> {
        Ok(self.tree.address)
    }
    fn node(&self, device: &Pubkey) -> Result<Option<(u32, CompressedNode)>> {
        Ok(self.tree.node(device))
    }
    fn node_proof(&self, device: &Pubkey) -> Result<NodeProof> {
        self.tree.node_proof(device)
    }
    fn insertion(&self, device: &Pubkey) -> Result<Insertion> {
        self.tree.insertion(device)
    }
    fn nodes(&self) -> Result<Vec<(u32, Pubkey, CompressedNode)>> {
        Ok(Indexer::nodes(self))
    }
}

/// Whether a compressed node is decommissioned (its leaf stays, without an owner).
pub fn is_decommissioned(node: &CompressedNode) -> bool {
    node.owner == Pubkey::default()
}

/// A compressed node as JSON (the HTTP API and the CLI).
pub fn node_json(network: &Pubkey, index: u32, device: &Pubkey, n: &CompressedNode) -> Value {
    json!({
        "index": index,
        "device_key": device.to_string(),
        "node": crate::pda::node(network, device).0.to_string(),
        "owner": (!is_decommissioned(n)).then(|| n.owner.to_string()),
        "maker": n.maker.to_string(),
        "capacity": crate::cli::capacity_json(&n.capacity),
        "location": (n.location != 0).then(|| format!("{:x}", n.location)),
        "status": match n.status {
            NodeStatus::Active => "active",
            NodeStatus::Suspended => "suspended",
        },
        "decommissioned": is_decommissioned(n),
        "registered_at": n.registered_at,
        "consent_nonce": n.consent_nonce,
        "location_changes": n.location_changes,
    })
}

fn borsh_bytes<T: AnchorSerialize>(v: &T) -> Result<Vec<u8>> {
    let mut out = vec![];
    v.serialize(&mut out).context("encoding Borsh")?;
    Ok(out)
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

fn unb64(s: &str) -> Result<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(s)
        .context("not base64")
}

/// The insertion as Borsh: root, low index, low leaf, proof.
type InsertionBorsh = ([u8; 32], u32, TreeLeaf, Vec<[u8; 32]>);

fn hexes(v: &[[u8; 32]]) -> Vec<String> {
    v.iter().map(|h| crate::rewards::to_hex(h)).collect()
}

/// `GET /v1/nodes/{device}`: the node, its leaf and proof, readable and as Borsh
/// (`node_proof`, the `NodeProof` the leaf-update instructions take).
pub fn proof_json(network: &Pubkey, p: &NodeProof) -> Result<Value> {
    let mut v = node_json(network, p.index, &p.device_key, &p.node);
    let extra = json!({
        "root": crate::rewards::to_hex(&p.root),
        "next_device_key": p.next_device_key.to_string(),
        "next_index": p.next_index,
        "proof": hexes(&p.proof),
        "node_proof": b64(&borsh_bytes(p)?),
    });
    if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
        m.extend(e);
    }
    Ok(v)
}

/// `GET /v1/insertions/{device}`: what registering the device proves.
pub fn insertion_json(i: &Insertion) -> Result<Value> {
    let borsh: InsertionBorsh = (i.root, i.low_index, i.low_leaf, i.proof.clone());
    Ok(json!({
        "root": crate::rewards::to_hex(&i.root),
        "low_index": i.low_index,
        "low_leaf": {
            "device_key": i.low_leaf.device_key.to_string(),
            "next_device_key": i.low_leaf.next_device_key.to_string(),
            "next_index": i.low_leaf.next_index,
            "data": crate::rewards::to_hex(&i.low_leaf.data),
        },
        "proof": hexes(&i.proof),
        "insertion": b64(&borsh_bytes(&borsh)?),
    }))
}

/// An indexer over HTTP (`depin index --listen`).
pub struct IndexerClient {
    base: String,
    http: crate::oracle::http::Http,
}

impl IndexerClient {
    pub fn new(base: &str) -> Result<Self> {
        Ok(IndexerClient {
            base: base.trim_end_matches('/').to_string(),
            http: crate::oracle::http::Http::new(std::time::Duration::from_secs(30))?,
        })
    }

    fn get(&self, path: &str) -> Result<Value> {
        self.http.get_json(&format!("{}{path}", self.base))
    }

    /// `/healthz`: the indexer's network, tree, sequence number and root.
    pub fn health(&self) -> Result<Value> {
        self.get("/healthz")
    }

    fn field<'a>(v: &'a Value, k: &str) -> Result<&'a str> {
        v.get(k)
            .and_then(Value::as_str)
            .with_context(|| format!("the indexer's answer has no `{k}`"))
    }
}

/// The Borsh `node_proof` of an answer about one node.
fn parse_proof(v: &Value) -> Result<NodeProof> {
    NodeProof::deserialize(&mut &unb64(IndexerClient::field(v, "node_proof")?)?[..])
        .context("the indexer's node_proof is not a NodeProof")
}

fn parse_node(v: &Value) -> Result<(u32, Pubkey, CompressedNode)> {
    let proof = parse_proof(v)?;
    Ok((proof.index, proof.device_key, proof.node))
}

impl ProofSource for IndexerClient {
    fn tree(&self) -> Result<Pubkey> {
        let h = self.health()?;
        Self::field(&h, "tree")?
            .parse()
            .context("the indexer's tree is not an address")
    }
    fn node(&self, device: &Pubkey) -> Result<Option<(u32, CompressedNode)>> {
        match self
            .http
            .get_json::<Value>(&format!("{}/v1/nodes/{device}", self.base))
        {
            Ok(v) => {
                let (i, _, n) = parse_node(&v)?;
                Ok(Some((i, n)))
            }
            Err(e) if format!("{e:#}").contains(": 404 Not Found:") => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn node_proof(&self, device: &Pubkey) -> Result<NodeProof> {
        let v = self.get(&format!("/v1/nodes/{device}"))?;
        let p = parse_proof(&v)?;
        ensure!(
            p.device_key == *device,
            "the indexer answered for device {}",
            p.device_key
        );
        Ok(p)
    }
    fn insertion(&self, device: &Pubkey) -> Result<Insertion> {
        let v = self.get(&format!("/v1/insertions/{device}"))?;
        let (root, low_index, low_leaf, proof) =
            InsertionBorsh::deserialize(&mut &unb64(Self::field(&v, "insertion")?)?[..])
                .context("the indexer's insertion does not decode")?;
        Ok(Insertion {
            root,
            low_index,
            low_leaf,
            proof,
        })
    }
    fn nodes(&self) -> Result<Vec<(u32, Pubkey, CompressedNode)>> {
        let mut out = vec![];
        let mut from = 0u64;
        loop {
            let v = self.get(&format!("/v1/nodes?from={from}&limit=1000"))?;
            let items = v
                .get("nodes")
                .and_then(Value::as_array)
                .context("the indexer's answer has no `nodes`")?;
            for item in items {
                out.push(parse_node(item)?);
            }
            match v.get("next").and_then(Value::as_u64) {
                Some(n) if n > from => from = n,
                _ => break,
            }
        }
        Ok(out)
    }
}

/// The indexer's HTTP API (axum):
///
/// | route | what |
/// |---|---|
/// | `GET /healthz` | network, tree, shape, sequence number, root, node count |
/// | `GET /v1/nodes?from=I&limit=L` | nodes by leaf index from `I` (at most 1,000), each with its proof; `next` to page on |
/// | `GET /v1/nodes/{device}` | one node with its proof at the indexer's root (404 if absent) |
/// | `GET /v1/insertions/{device}` | the low leaf and proof that registering the device needs (409 if registered) |
pub mod server {
    use super::*;
    use axum::extract::{Path, Query, State};
    use axum::http::StatusCode;
    use axum::response::{IntoResponse, Response};
    use axum::routing::get;
    use axum::{Json, Router};
    use std::sync::{Arc, RwLock};

    pub type Shared = Arc<RwLock<Indexer>>;

    fn error(status: StatusCode, message: impl std::fmt::Display) -> Response {
        (status, Json(json!({ "error": message.to_string() }))).into_response()
    }

    fn read(s: &Shared) -> Result<std::sync::RwLockReadGuard<'_, Indexer>, Response> {
        s.read().map_err(|_| {
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the indexer was poisoned by a panic",
            )
        })
    }

    fn device(s: &str) -> Result<Pubkey, Response> {
        s.parse().map_err(|_| {
            error(
                StatusCode::BAD_REQUEST,
                format!("`{s}` is not a public key"),
            )
        })
    }

    pub fn router(shared: Shared) -> Router {
        Router::new()
            .route("/healthz", get(healthz))
            .route("/v1/nodes", get(list))
            .route("/v1/nodes/{device}", get(node))
            .route("/v1/insertions/{device}", get(insertion))
            .with_state(shared)
    }

    async fn healthz(State(s): State<Shared>) -> Response {
        match read(&s) {
            Ok(ix) => Json(ix.summary()).into_response(),
            Err(r) => r,
        }
    }

    #[derive(serde::Deserialize)]
    struct Page {
        from: Option<u32>,
        limit: Option<u32>,
    }

    async fn list(State(s): State<Shared>, Query(p): Query<Page>) -> Response {
        let ix = match read(&s) {
            Ok(ix) => ix,
            Err(r) => return r,
        };
        let from = p.from.unwrap_or(0);
        let limit = p.limit.unwrap_or(1_000).clamp(1, 1_000) as usize;
        let nodes: Vec<_> = ix
            .nodes()
            .into_iter()
            .filter(|(i, _, _)| *i >= from)
            .take(limit)
            .collect();
        let next = (nodes.len() == limit)
            .then(|| nodes.last().map(|(i, _, _)| i + 1))
            .flatten();
        let mut items = vec![];
        for (_, device, _) in &nodes {
            match ix
                .node_proof(device)
                .and_then(|p| proof_json(&ix.network, &p))
            {
                Ok(v) => items.push(v),
                Err(e) => return error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
            }
        }
        Json(json!({ "root": crate::rewards::to_hex(&ix.tree.tree.root()), "seq": ix.seq(), "nodes": items, "next": next }))
            .into_response()
    }

    async fn node(State(s): State<Shared>, Path(d): Path<String>) -> Response {
        let d = match device(&d) {
            Ok(d) => d,
            Err(r) => return r,
        };
        let ix = match read(&s) {
            Ok(ix) => ix,
            Err(r) => return r,
        };
        if ix.tree.node(&d).is_none() {
            return error(
                StatusCode::NOT_FOUND,
                format!("device {d} is not in the tree"),
            );
        }
        match ix.node_proof(&d).and_then(|p| proof_json(&ix.network, &p)) {
            Ok(v) => Json(v).into_response(),
            Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        }
    }

    async fn insertion(State(s): State<Shared>, Path(d): Path<String>) -> Response {
        let d = match device(&d) {
            Ok(d) => d,
            Err(r) => return r,
        };
        let ix = match read(&s) {
            Ok(ix) => ix,
            Err(r) => return r,
        };
        if ix.tree.node(&d).is_some() {
            return error(
                StatusCode::CONFLICT,
                format!("device {d} is registered already"),
            );
        }
        match ix.tree.insertion(&d).and_then(|i| insertion_json(&i)) {
            Ok(v) => Json(v).into_response(),
            Err(e) => error(StatusCode::BAD_REQUEST, format!("{e:#}")),
        }
    }
}
