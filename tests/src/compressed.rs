//! A compressed test network: the world's network put in compressed mode before its makers,
//! the client's copy of the tree, and a lookup table of the registration's static accounts
//! (compressed registrations are v0 transactions).
use crate::{Owner, TestMaker, World};
use anchor_lang::prelude::Pubkey;
use depin::compressed::{self, ClientTree, Insertion, TreeShape};
use depin::ix::CreditsAccounts;
use depin::lookup;
use depin::registry::Registration;
use depin::transport::{Transport, TxOutcome};
use node_registry::events::CompressedNodeWritten;
use node_registry::state::{CompressedNode, NodeProof};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::AddressLookupTableAccount;
use solana_signer::Signer;
use std::sync::Mutex;

/// Depth 14, buffer 64, canopy 4: 10 siblings in each proof, the size class of the
/// production shape (depth 20, canopy 10) at a fraction of the account.
pub const TEST_SHAPE: TreeShape = TreeShape {
    depth: 14,
    buffer: 64,
    canopy: 4,
};

pub struct CompressedWorld {
    pub w: World,
    pub tree: Mutex<ClientTree>,
    pub table: AddressLookupTableAccount,
    /// What creating the tree reported.
    pub created: TxOutcome,
}

impl std::ops::Deref for CompressedWorld {
    type Target = World;
    fn deref(&self) -> &World {
        &self.w
    }
}

/// The instructions creating a tree of `shape` for the world's network, signed by the
/// operator (payer and authority) and `tree`.
pub fn create_tree(w: &World, tree: &Keypair, shape: TreeShape) -> anyhow::Result<TxOutcome> {
    let ixs = compressed::create_tree_instructions(
        &w.operator.pubkey(),
        &w.operator.pubkey(),
        &w.network,
        &tree.pubkey(),
        shape,
    )?;
    w.send(&ixs, &w.operator, &[tree])
}

impl CompressedWorld {
    pub fn new() -> Self {
        Self::with_shape("cmp-net", TEST_SHAPE)
    }

    pub fn with_shape(name: &str, shape: TreeShape) -> Self {
        let tree = Keypair::new();
        let created = Mutex::new(None);
        let w = World::build_full(
            name,
            depin::tokens::TOKEN_2022_PROGRAM,
            |_| {},
            |w| {
                let out = create_tree(w, &tree, shape).expect("create the tree");
                *created.lock().unwrap() = Some(out);
            },
        );
        let created = created.into_inner().unwrap().expect("tree created");
        let client = ClientTree::new(tree.pubkey(), shape).unwrap();
        let mut statics = vec![
            node_registry::ID,
            w.network,
            tree.pubkey(),
            w.credits_mint,
            depin::ix::INSTRUCTIONS_SYSVAR,
            w.credits_program,
            depin::ix::event_authority(),
            node_registry::instructions::signatures::ED25519_PROGRAM_ID,
        ];
        statics.extend(w.makers.iter().map(|m| m.address));
        let table = lookup::create(&w.net, &w.operator, &w.operator, &statics).unwrap();
        let table = lookup::table(&w.net, &table).unwrap();
        CompressedWorld {
            w,
            tree: Mutex::new(client),
            table,
            created,
        }
    }

    pub fn tree_address(&self) -> Pubkey {
        self.tree.lock().unwrap().address
    }

    pub fn credits(&self, owner: &Owner) -> CreditsAccounts {
        CreditsAccounts {
            credits_mint: self.w.credits_mint,
            owner_credits: owner.credits,
            token_program: self.w.credits_program,
        }
    }

    /// A registration of `device` by `owner` through `maker`, with its proof from the
    /// client's tree as it is now.
    pub fn registration(
        &self,
        owner: &Owner,
        maker: &TestMaker,
        device: &Keypair,
    ) -> Vec<Instruction> {
        let insertion = self
            .tree
            .lock()
            .unwrap()
            .insertion(&device.pubkey())
            .unwrap();
        self.registration_with(owner, maker, device, insertion)
    }

    /// The same with the proof part given.
    pub fn registration_with(
        &self,
        owner: &Owner,
        maker: &TestMaker,
        device: &Keypair,
        insertion: Insertion,
    ) -> Vec<Instruction> {
        let r: Registration = self.w.registration(&owner.pubkey(), maker, device);
        compressed::register_instructions(
            &owner.pubkey(),
            &r,
            &self.tree_address(),
            self.credits(owner),
            crate::ONBOARDING_FEE,
            insertion,
        )
        .unwrap()
    }

    /// Sends `ixs` as a v0 transaction through the world's lookup table, paid by `payer`.
    pub fn send_v0(&self, ixs: &[Instruction], payer: &Keypair) -> anyhow::Result<TxOutcome> {
        let tx = lookup::transaction(
            payer,
            &[],
            ixs,
            std::slice::from_ref(&self.table),
            self.w.net.latest_blockhash()?,
        )?;
        Ok(self.w.net.send_versioned(&tx)?)
    }

    /// Applies every registration and update `out` reported to the client's tree; returns
    /// the registrations.
    pub fn apply(&self, out: &TxOutcome) -> Vec<CompressedNodeWritten> {
        self.tree.lock().unwrap().apply_outcome(out).unwrap();
        compressed::written_events(out).unwrap()
    }

    /// An insertion that offers leaf `index` as the low leaf, whether it is the right one
    /// or not, at the root now.
    pub fn insertion_at(&self, index: u32) -> Insertion {
        let t = self.tree.lock().unwrap();
        let mut proof = t.tree.proof(index).unwrap();
        proof.truncate(t.shape.proof_levels());
        Insertion {
            root: t.tree.root(),
            low_index: index,
            low_leaf: node_registry::state::TreeLeaf::from_leaf(t.tree.leaf(index).unwrap()),
            proof,
        }
    }

    /// A proof of `device`'s node from the client's tree as it is now.
    pub fn node_proof(&self, device: &Pubkey) -> NodeProof {
        self.tree.lock().unwrap().node_proof(device).unwrap()
    }

    /// `device`'s node as the client's tree holds it.
    pub fn node(&self, device: &Pubkey) -> CompressedNode {
        self.tree.lock().unwrap().node(device).unwrap().1
    }

    /// Sends a leaf update (a legacy transaction) and applies what it reported.
    pub fn update(
        &self,
        ix: Instruction,
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> anyhow::Result<TxOutcome> {
        let out = self.w.send(&[ix], payer, signers)?;
        assert_eq!(self.tree.lock().unwrap().apply_outcome(&out)?, 1);
        Ok(out)
    }

    /// Registers a fresh device for `owner` through maker 0; returns the device and event.
    pub fn register(&self, owner: &Owner) -> (Keypair, CompressedNodeWritten) {
        let device = self.w.device();
        let ixs = self.registration(owner, &self.w.makers[0], &device);
        let out = self.send_v0(&ixs, &owner.keypair).expect("register");
        let mut events = self.apply(&out);
        assert_eq!(events.len(), 1, "one registration event");
        (device, events.remove(0))
    }

    /// The tree account's root and next leaf index, read from the account.
    pub fn onchain_root(&self) -> [u8; 32] {
        let mut account = self.w.account(&self.tree_address()).expect("tree account");
        node_registry::tree::TreeAccount::load(&mut account.data, &self.w.network)
            .unwrap()
            .root()
            .unwrap()
    }
}

impl Default for CompressedWorld {
    fn default() -> Self {
        Self::new()
    }
}

/// Serves `ix` over HTTP (the indexer's router) on a loopback port from a thread of its own;
/// returns the base URL and the indexer, to sync it while it serves.
pub fn serve_indexer(
    ix: depin::indexer::Indexer,
) -> (
    String,
    std::sync::Arc<std::sync::RwLock<depin::indexer::Indexer>>,
) {
    let shared = std::sync::Arc::new(std::sync::RwLock::new(ix));
    let router = depin::indexer::server::router(shared.clone());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime for the indexer's server");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("a loopback port");
            tx.send(l.local_addr().expect("its address"))
                .expect("the test waits for it");
            axum::serve(l, router).await.expect("serving");
        });
    });
    let addr = rx.recv().expect("the server's address");
    (format!("http://{addr}"), shared)
}
