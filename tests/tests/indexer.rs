//! The compressed registry's indexer (issue 13), natively and on the SBF files: it rebuilds
//! a network's tree from node_registry's transactions (the embedded runtime's history here;
//! `rpc_e2e` does it over JSON-RPC), checks the root against the tree account, keeps the
//! events in the oracle's store (SQLite and PostgreSQL), recovers after a restart and
//! after a gap in the history, and serves leaves and proofs over HTTP that the leaf-update
//! instructions accept.
use anchor_lang::prelude::Pubkey;
use depin::indexer::{Indexer, IndexerClient, ProofSource};
use depin::ix;
use depin::oracle::store;
use depin::transport::{
    AccountFilter, LandedEvents, SignatureEntry, Transport, TransportResult, TxOutcome,
};
use depin_tests::compressed::CompressedWorld;
use depin_tests::oracle::backends;
use depin_tests::*;
use node_registry::state::NodeStatus;
use solana_keypair::Keypair;
use solana_signature::Signature;
use solana_signer::Signer;
use std::sync::atomic::{AtomicUsize, Ordering};

const CELL: u64 = 0x8828308281fffff;

/// A compressed network with five nodes of two owners, then a transfer, a suspension, a
/// location and a decommissioning: 9 events, 14 writes after the sentinel.
struct Busy {
    c: CompressedWorld,
    owners: Vec<Owner>,
    devices: Vec<Keypair>,
}

fn busy() -> Busy {
    let c = CompressedWorld::new();
    let owners = vec![c.owner(10_000), c.owner(10_000)];
    let devices: Vec<Keypair> = [0, 0, 1, 1, 0]
        .iter()
        .map(|o| c.register(&owners[*o]).0)
        .collect();
    let tree = c.tree_address();
    let d = |i: usize| devices[i].pubkey();
    // device 0: owner 0 → owner 1
    let ixn = ix::transfer_compressed_node(
        &owners[0].pubkey(),
        &owners[1].pubkey(),
        &c.network,
        &tree,
        c.node_proof(&d(0)),
    );
    c.update(ixn, &owners[0].keypair, &[&owners[1].keypair])
        .unwrap();
    // device 1 suspended
    let ixn = ix::set_compressed_node_status(
        &c.operator.pubkey(),
        &c.network,
        &tree,
        NodeStatus::Suspended,
        c.node_proof(&d(1)),
    );
    c.update(ixn, &c.operator, &[]).unwrap();
    // device 2 located
    let ixn = ix::assert_compressed_location(
        &owners[1].pubkey(),
        &c.network,
        &tree,
        c.credits(&owners[1]),
        CELL,
        LOCATION_FEE,
        c.node_proof(&d(2)),
    );
    c.update(ixn, &owners[1].keypair, &[]).unwrap();
    // device 3 decommissioned
    let ixn = ix::decommission_compressed_node(
        &owners[1].pubkey(),
        &c.network,
        &tree,
        c.node_proof(&d(3)),
    );
    c.update(ixn, &owners[1].keypair, &[]).unwrap();
    Busy { c, owners, devices }
}

fn tree_seq(c: &CompressedWorld) -> u64 {
    let data = c.account(&c.tree_address()).unwrap().data;
    node_registry::tree::sequence_number(&data, &c.network).unwrap()
}

#[test]
fn the_indexer_rebuilds_the_tree_from_transactions() {
    let b = busy();
    let c = &b.c;
    // the sentinel leaves the tree at sequence number 1
    assert_eq!(depin::indexer::CREATED_SEQ, 1);
    let (ix, report) = Indexer::open_synced(&c.net, &c.network, None).unwrap();
    assert_eq!(report.events_applied, 9);
    assert_eq!(report.transactions_read, 9);
    assert_eq!(report.rescans, 0);
    assert_eq!(ix.seq(), 1 + 5 * 2 + 4);
    assert_eq!(ix.seq(), tree_seq(c));
    assert_eq!(ix.tree.tree.root(), c.onchain_root());
    assert_eq!(ix.tree.tree.root(), c.tree.lock().unwrap().tree.root());
    // every node as the client that sent the transactions has it
    let nodes = ix.nodes();
    assert_eq!(nodes.len(), 5);
    {
        let client = c.tree.lock().unwrap();
        for (i, device, node) in &nodes {
            assert_eq!(client.node(device), Some((*i, *node)));
        }
    }
    let node = |k: usize| ix.node(&b.devices[k].pubkey()).unwrap().unwrap().1;
    assert_eq!(node(0).owner, b.owners[1].pubkey());
    assert_eq!(node(1).status, NodeStatus::Suspended);
    assert_eq!(node(2).location, CELL);
    assert!(depin::indexer::is_decommissioned(&node(3)));
    assert_eq!(node(4).owner, b.owners[0].pubkey());

    // a second sync reads nothing new; a new write is picked up
    let mut ix = ix;
    let again = ix.sync(&c.net, None).unwrap();
    assert_eq!((again.transactions_read, again.events_applied), (0, 0));
    let (device, _) = c.register(&b.owners[0]);
    let r = ix.sync(&c.net, None).unwrap();
    assert_eq!((r.transactions_read, r.events_applied), (1, 1));
    assert!(ix.node(&device.pubkey()).unwrap().is_some());
    assert_eq!(ix.tree.tree.root(), c.onchain_root());
}

#[test]
fn proofs_from_the_indexer_are_accepted_on_chain() {
    let b = busy();
    let c = &b.c;
    let (ix, _) = Indexer::open_synced(&c.net, &c.network, None).unwrap();
    // registration through the indexer's insertion
    let device = c.device();
    let ixs = c.registration_with(
        &b.owners[0],
        &c.makers[0],
        &device,
        ix.insertion(&device.pubkey()).unwrap(),
    );
    let out = c.send_v0(&ixs, &b.owners[0].keypair).unwrap();
    c.apply(&out);
    let mut ix = ix;
    ix.sync(&c.net, None).unwrap();
    // a transfer with the indexer's proof
    let proof = ix.node_proof(&device.pubkey()).unwrap();
    let ixn = ix::transfer_compressed_node(
        &b.owners[0].pubkey(),
        &b.owners[1].pubkey(),
        &c.network,
        &c.tree_address(),
        proof,
    );
    c.update(ixn, &b.owners[0].keypair, &[&b.owners[1].keypair])
        .unwrap();
    ix.sync(&c.net, None).unwrap();
    assert_eq!(
        ix.node(&device.pubkey()).unwrap().unwrap().1.owner,
        b.owners[1].pubkey()
    );
    // the indexer refuses to prove what is not there
    assert!(ix.node_proof(&c.device().pubkey()).is_err());
    assert!(
        ix.insertion(&device.pubkey()).is_err(),
        "registered already"
    );
}

#[test]
fn the_store_keeps_the_events_across_a_restart() {
    for backend in backends("indexer") {
        let b = busy();
        let c = &b.c;
        let dir = tempfile::tempdir().unwrap();
        let open = || store::open(backend.database_url.as_deref(), dir.path()).unwrap();
        let s = open();
        let (ix, first) = Indexer::open_synced(&c.net, &c.network, Some(s.as_ref())).unwrap();
        assert_eq!(first.events_applied, 9, "{}", backend.name);
        let seq = ix.seq();
        drop(ix);
        drop(s);
        // two registrations while the indexer is down
        let (d1, _) = c.register(&b.owners[0]);
        let (d2, _) = c.register(&b.owners[1]);

        let s = open();
        let mut ix = Indexer::open(&c.net, &c.network).unwrap();
        assert_eq!(
            ix.load(s.as_ref()).unwrap(),
            9,
            "{}: replayed",
            backend.name
        );
        assert_eq!(ix.seq(), seq);
        let r = ix.sync(&c.net, Some(s.as_ref())).unwrap();
        assert_eq!(
            (r.transactions_read, r.events_applied),
            (2, 2),
            "{}: only what is new is read",
            backend.name
        );
        assert_eq!(ix.tree.tree.root(), c.onchain_root());
        assert!(ix.node(&d1.pubkey()).unwrap().is_some());
        assert!(ix.node(&d2.pubkey()).unwrap().is_some());
        let stored = s.tree_events(&c.tree_address().to_bytes(), 0, 100).unwrap();
        assert_eq!(stored.len(), 11, "{}", backend.name);
        assert!(stored.windows(2).all(|w| w[0].seq < w[1].seq));

        // the events of another tree are not this one's
        let other = Pubkey::new_unique().to_bytes();
        assert!(s.tree_events(&other, 0, 100).unwrap().is_empty());

        // a store with an event missing (a crash between two writes of an older build, a
        // hand-edited database): the replay stops at the gap and the sync reads the rest
        let dir2 = tempfile::tempdir().unwrap();
        let holes = store::open(None, dir2.path()).unwrap();
        let kept: Vec<_> = stored
            .iter()
            .filter(|e| e.seq != stored[4].seq)
            .cloned()
            .collect();
        holes
            .save_tree_events(&c.tree_address().to_bytes(), &kept)
            .unwrap();
        let mut ix = Indexer::open(&c.net, &c.network).unwrap();
        assert_eq!(
            ix.load(holes.as_ref()).unwrap(),
            4,
            "replayed up to the gap"
        );
        let r = ix.sync(&c.net, Some(holes.as_ref())).unwrap();
        assert_eq!(r.events_applied, 7);
        assert_eq!(ix.tree.tree.root(), c.onchain_root());
        assert_eq!(
            holes
                .tree_events(&c.tree_address().to_bytes(), 0, 100)
                .unwrap(),
            stored,
            "the store is whole again"
        );
    }
}

/// The embedded network, with one transaction left out of the history the first
/// `hide_calls` times it is read (an RPC node that lags or lost a transaction).
struct Lossy<'a> {
    c: &'a CompressedWorld,
    hidden: Signature,
    hide_calls: usize,
    calls: AtomicUsize,
}

impl Transport for Lossy<'_> {
    fn get_account(&self, a: &Pubkey) -> TransportResult<Option<solana_account::Account>> {
        self.c.net.get_account(a)
    }
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        self.c.net.send_versioned(tx)
    }
    fn slot(&self) -> TransportResult<u64> {
        self.c.net.slot()
    }
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        self.c.net.wait_past_slot(slot)
    }
    fn latest_blockhash(&self) -> TransportResult<solana_hash::Hash> {
        self.c.net.latest_blockhash()
    }
    fn send(&self, tx: &solana_transaction::Transaction) -> TransportResult<TxOutcome> {
        self.c.net.send(tx)
    }
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, solana_account::Account)>> {
        self.c.net.program_accounts(program, filters)
    }
    fn unix_time(&self) -> TransportResult<i64> {
        self.c.net.unix_time()
    }
    fn describe(&self) -> String {
        "lossy".into()
    }
    fn simulate(
        &self,
        tx: &solana_transaction::Transaction,
    ) -> TransportResult<depin::transport::Simulation> {
        self.c.net.simulate(tx)
    }
    fn fee_for_message(&self, m: &solana_message::Message) -> TransportResult<u64> {
        self.c.net.fee_for_message(m)
    }
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> TransportResult<Vec<SignatureEntry>> {
        let mut v = self
            .c
            .net
            .signatures_for_address(address, before, until, limit)?;
        if self.calls.fetch_add(1, Ordering::Relaxed) < self.hide_calls {
            v.retain(|e| e.signature != self.hidden);
        }
        Ok(v)
    }
    fn transaction_events(&self, s: &Signature) -> TransportResult<LandedEvents> {
        self.c.net.transaction_events(s)
    }
}

#[test]
fn a_gap_in_the_history_is_filled_by_reading_it_again() {
    let b = busy();
    let c = &b.c;
    let history = c
        .net
        .signatures_for_address(&c.tree_address(), None, None, 1_000)
        .unwrap();
    assert_eq!(history.len(), 9);
    // pages and bounds as getSignaturesForAddress has them: `before` and `until` exclusive
    let mut paged = vec![];
    let mut before = None;
    loop {
        let page = c
            .net
            .signatures_for_address(&c.tree_address(), before, None, 2)
            .unwrap();
        let Some(last) = page.last() else { break };
        before = Some(last.signature);
        paged.extend(page);
    }
    assert_eq!(paged, history);
    let newer = c
        .net
        .signatures_for_address(&c.tree_address(), None, Some(history[2].signature), 10)
        .unwrap();
    assert_eq!(newer, history[..2]);
    let between = c
        .net
        .signatures_for_address(
            &c.tree_address(),
            Some(history[1].signature),
            Some(history[4].signature),
            10,
        )
        .unwrap();
    assert_eq!(between, history[2..4]);
    assert!(history.windows(2).all(|w| w[0].slot >= w[1].slot));
    // newest first: decommission, location, suspension, then the transfer
    let hidden = history[3].signature;

    let once = Lossy {
        c,
        hidden,
        hide_calls: 1,
        calls: AtomicUsize::new(0),
    };
    let (ix, r) = Indexer::open_synced(&once, &c.network, None).unwrap();
    assert_eq!(
        r.rescans, 1,
        "the jump in sequence numbers made it read again"
    );
    assert_eq!(r.events_applied, 9);
    assert_eq!(ix.tree.tree.root(), c.onchain_root());

    // a history that never has it: a named error, and the tree stays at the last good event
    let always = Lossy {
        c,
        hidden,
        hide_calls: usize::MAX,
        calls: AtomicUsize::new(0),
    };
    let mut ix = Indexer::open(&always, &c.network).unwrap();
    let e = format!("{:#}", ix.sync(&always, None).unwrap_err());
    assert!(e.contains("history lacks"), "{e}");
    assert!(e.contains("jump from sequence number"), "{e}");
    assert_eq!(
        ix.seq(),
        1 + 5 * 2,
        "the five registrations before the hidden transfer"
    );
}

#[test]
fn the_indexer_refuses_what_is_not_a_compressed_network() {
    let w = World::new();
    let e = format!("{:#}", Indexer::open(&w.net, &w.network).err().unwrap());
    assert!(e.contains("is not compressed"), "{e}");
    let e = format!(
        "{:#}",
        Indexer::open(&w.net, &Pubkey::new_unique()).err().unwrap()
    );
    assert!(e.contains("does not exist"), "{e}");
}

use depin_tests::compressed::serve_indexer as serve;

#[test]
fn leaves_and_proofs_over_http() {
    let b = busy();
    let c = &b.c;
    let (ix, _) = Indexer::open_synced(&c.net, &c.network, None).unwrap();
    let (url, shared) = serve(ix);
    let client = IndexerClient::new(&url).unwrap();
    let health = client.health().unwrap();
    assert_eq!(health["tree"], c.tree_address().to_string());
    assert_eq!(health["seq"], tree_seq(c));
    assert_eq!(health["nodes"], 5);
    assert_eq!(client.tree().unwrap(), c.tree_address());

    // the list pages through every node
    let all = client.nodes().unwrap();
    assert_eq!(all.len(), 5);
    assert_eq!(all, shared.read().unwrap().nodes());
    let page = depin::oracle::http::Http::new(std::time::Duration::from_secs(5))
        .unwrap()
        .get_json::<serde_json::Value>(&format!("{url}/v1/nodes?from=0&limit=2"))
        .unwrap();
    assert_eq!(page["nodes"].as_array().unwrap().len(), 2);
    assert_eq!(page["next"], 3, "leaf 0 is the sentinel");

    // a proof over HTTP moves a node on chain
    let d4 = b.devices[4].pubkey();
    let proof = client.node_proof(&d4).unwrap();
    assert_eq!(
        proof.proof.len(),
        c.tree.lock().unwrap().shape.proof_levels()
    );
    let ixn = ix::set_compressed_node_status(
        &c.operator.pubkey(),
        &c.network,
        &c.tree_address(),
        NodeStatus::Suspended,
        proof,
    );
    c.update(ixn, &c.operator, &[]).unwrap();
    shared.write().unwrap().sync(&c.net, None).unwrap();
    assert_eq!(
        client.node(&d4).unwrap().unwrap().1.status,
        NodeStatus::Suspended
    );

    // a registration with the insertion served over HTTP
    let device = c.device();
    let insertion = client.insertion(&device.pubkey()).unwrap();
    let ixs = c.registration_with(&b.owners[0], &c.makers[0], &device, insertion);
    c.send_v0(&ixs, &b.owners[0].keypair)
        .map(|o| c.apply(&o))
        .unwrap();

    // unknown, registered and malformed devices get their status codes
    let http = depin::oracle::http::Http::new(std::time::Duration::from_secs(5)).unwrap();
    let status = |path: &str| {
        format!(
            "{:#}",
            http.get_json::<serde_json::Value>(&format!("{url}{path}"))
                .unwrap_err()
        )
    };
    assert!(client.node(&c.device().pubkey()).unwrap().is_none());
    assert!(status(&format!("/v1/nodes/{}", c.device().pubkey())).contains("404"));
    assert!(status(&format!("/v1/insertions/{d4}")).contains("409"));
    assert!(status("/v1/nodes/not-a-key").contains("400"));
}

#[test]
fn the_oracle_reads_a_compressed_network_through_the_indexer() {
    use depin::oracle::registry::{load_with, WorkLimits};
    let b = busy();
    let c = &b.c;
    depin_tests::rewards::setup_rewards(
        &c.w,
        depin::tokens::TOKEN_PROGRAM,
        depin_tests::rewards::schedule_args(),
    );
    let dir = tempfile::tempdir().unwrap();
    let s = store::open(None, dir.path()).unwrap();
    let mut ix = None;
    let snap = load_with(
        &c.net,
        &c.network,
        &WorkLimits::default(),
        &mut ix,
        Some(s.as_ref()),
    )
    .unwrap();
    // four devices: the decommissioned one is left out; the suspended one is inactive
    assert_eq!(snap.devices.len(), 4);
    let entry = |k: usize| snap.devices.get(&b.devices[k].pubkey().to_string());
    assert!(entry(3).is_none());
    assert!(!entry(1).unwrap().active);
    assert!(entry(0).unwrap().active);
    assert_eq!(
        entry(0).unwrap().node,
        depin::pda::node(&c.network, &b.devices[0].pubkey())
            .0
            .to_string()
    );
    assert_eq!(
        s.tree_events(&c.tree_address().to_bytes(), 0, 100)
            .unwrap()
            .len(),
        9
    );

    // the oracle service refreshes through it too
    let cfg = depin::oracle::config::OracleConfig::local(&c.network.to_string(), dir.path());
    let o = depin::oracle::Oracle::open(cfg).unwrap();
    c.register(&b.owners[0]);
    o.refresh(&c.net).unwrap();
    assert_eq!(o.registry().unwrap().devices.len(), 5);
}
