//! How the client reaches a cluster. Every command is written against [`Transport`], so it
//! runs the same on devnet/mainnet (RPC) and on the in-process runtime (embedded).
pub mod cu;
pub mod embedded;
mod native_logs;
pub mod rpc;

use crate::errors::TxFailure;
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_hash::Hash;
use solana_signature::Signature;
use solana_transaction::Transaction;

/// A filter for [`Transport::program_accounts`], applied on the server where possible.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountFilter {
    DataSize(u64),
    Memcmp { offset: usize, bytes: Vec<u8> },
}

impl AccountFilter {
    pub fn matches(&self, data: &[u8]) -> bool {
        match self {
            AccountFilter::DataSize(n) => data.len() as u64 == *n,
            AccountFilter::Memcmp { offset, bytes } => data
                .get(*offset..offset.saturating_add(bytes.len()))
                .is_some_and(|d| d == &bytes[..]),
        }
    }
}

/// What a landed transaction reported.
#[derive(Debug, Clone)]
pub struct TxOutcome {
    pub signature: Signature,
    pub logs: Vec<String>,
    /// Compute units, when the transport can tell (embedded: always; RPC: from simulation).
    pub compute_units: Option<u64>,
    /// Anchor CPI events our programs emitted (the event's discriminator and Borsh bytes,
    /// the event-CPI tag removed), in order, for transactions that name node_registry's event
    /// authority: the embedded transport from a simulation, RPC with `getTransaction`.
    pub cpi_events: Vec<Vec<u8>>,
}

/// One landed transaction in an address's history ([`Transport::signatures_for_address`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignatureEntry {
    pub signature: Signature,
    pub slot: u64,
    /// The transaction was refused (it landed and paid its fee, but changed nothing else).
    pub failed: bool,
}

/// What a landed transaction's metadata says of our programs' events
/// ([`Transport::transaction_events`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LandedEvents {
    pub slot: u64,
    pub failed: bool,
    /// node_registry's Anchor CPI events, in order, as in [`TxOutcome::cpi_events`].
    pub cpi_events: Vec<Vec<u8>>,
}

/// Errors of the transport itself, or a transaction the cluster refused.
#[derive(Debug, thiserror::Error)]
pub enum TransportError {
    #[error("transaction failed: {0}")]
    Transaction(#[from] TxFailure),
    #[error("{context}: {message}")]
    Io { context: String, message: String },
}

impl TransportError {
    pub fn io(context: impl Into<String>, message: impl ToString) -> Self {
        TransportError::Io {
            context: context.into(),
            message: message.to_string(),
        }
    }

    /// The program error, if the cluster refused the transaction in a program.
    pub fn failure(&self) -> Option<&TxFailure> {
        match self {
            TransportError::Transaction(f) => Some(f),
            TransportError::Io { .. } => None,
        }
    }
}

pub type TransportResult<T> = Result<T, TransportError>;

/// The operations the client needs from a cluster. `Sync`: oracles of one process read the
/// chain from several threads.
pub trait Transport: Sync {
    fn get_account(&self, address: &Pubkey) -> TransportResult<Option<Account>>;
    fn latest_blockhash(&self) -> TransportResult<Hash>;
    /// Sends a fully signed transaction and waits until it is confirmed or refused.
    fn send(&self, tx: &Transaction) -> TransportResult<TxOutcome>;
    /// [`Transport::send`] for a versioned (v0) transaction, whose accounts may come from
    /// address lookup tables.
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome>;
    /// The slot the cluster is at (a lookup table's address is derived from a recent one).
    fn slot(&self) -> TransportResult<u64>;
    /// Returns once the cluster is past `slot` (addresses added to a lookup table are
    /// usable from the next slot on).
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()>;
    /// Accounts owned by `program` that pass every filter.
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>>;
    /// The cluster's clock (unix seconds), used for device consent nonces.
    fn unix_time(&self) -> TransportResult<i64>;
    /// A human-readable name for output ("embedded", the RPC URL).
    fn describe(&self) -> String;
    /// Compute-budget instructions every transaction built for this transport starts with
    /// (`--with-compute-unit-price`, `--with-compute-unit-limit`); none by default.
    fn compute_budget(&self) -> ComputeBudget {
        ComputeBudget::default()
    }
    /// Runs `tx` without committing it; signatures are not checked (a dry run of a
    /// transaction that still lacks them works).
    fn simulate(&self, tx: &Transaction) -> TransportResult<Simulation>;
    /// The fee in lamports the cluster charges for `message` (signatures, precompile
    /// signatures, priority fee).
    fn fee_for_message(&self, message: &solana_message::Message) -> TransportResult<u64>;
    /// Landed transactions that named `address`, newest first: at most `limit`, older than
    /// `before` and newer than `until` (both exclusive), as RPC's `getSignaturesForAddress`.
    /// The embedded runtime keeps a smaller history: only the successful transactions that
    /// carry node_registry's CPI events (the compressed registry's writes, what the indexer
    /// reads), not refused ones or those without events.
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> TransportResult<Vec<SignatureEntry>>;
    /// The node_registry CPI events of a landed transaction (RPC: `getTransaction`, from a
    /// node that keeps history with extended metadata).
    fn transaction_events(&self, signature: &Signature) -> TransportResult<LandedEvents>;
}

/// What a simulated transaction did.
#[derive(Debug, Clone)]
pub struct Simulation {
    /// `Some` when the transaction would be refused.
    pub failure: Option<TxFailure>,
    pub logs: Vec<String>,
    pub compute_units: Option<u64>,
}

/// A priority fee and a compute-unit limit, as the solana CLI's
/// `--with-compute-unit-price` (micro-lamports per CU) and `--with-compute-unit-limit`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ComputeBudget {
    pub unit_price: Option<u64>,
    pub unit_limit: Option<u32>,
}

impl ComputeBudget {
    pub fn instructions(&self) -> Vec<solana_instruction::Instruction> {
        use solana_compute_budget_interface::ComputeBudgetInstruction as Cb;
        let mut v = vec![];
        if let Some(l) = self.unit_limit {
            v.push(Cb::set_compute_unit_limit(l));
        }
        if let Some(p) = self.unit_price {
            v.push(Cb::set_compute_unit_price(p));
        }
        v
    }
}

/// `inner` with a compute budget on every transaction the client library builds for it.
pub struct WithBudget<'a> {
    pub inner: &'a dyn Transport,
    pub budget: ComputeBudget,
}

impl Transport for WithBudget<'_> {
    fn get_account(&self, address: &Pubkey) -> TransportResult<Option<Account>> {
        self.inner.get_account(address)
    }
    fn latest_blockhash(&self) -> TransportResult<Hash> {
        self.inner.latest_blockhash()
    }
    fn send(&self, tx: &Transaction) -> TransportResult<TxOutcome> {
        self.inner.send(tx)
    }
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        self.inner.send_versioned(tx)
    }
    fn slot(&self) -> TransportResult<u64> {
        self.inner.slot()
    }
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        self.inner.wait_past_slot(slot)
    }
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>> {
        self.inner.program_accounts(program, filters)
    }
    fn unix_time(&self) -> TransportResult<i64> {
        self.inner.unix_time()
    }
    fn describe(&self) -> String {
        self.inner.describe()
    }
    fn compute_budget(&self) -> ComputeBudget {
        self.budget
    }
    fn simulate(&self, tx: &Transaction) -> TransportResult<Simulation> {
        self.inner.simulate(tx)
    }
    fn fee_for_message(&self, message: &solana_message::Message) -> TransportResult<u64> {
        self.inner.fee_for_message(message)
    }
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<Signature>,
        until: Option<Signature>,
        limit: usize,
    ) -> TransportResult<Vec<SignatureEntry>> {
        self.inner
            .signatures_for_address(address, before, until, limit)
    }
    fn transaction_events(&self, signature: &Signature) -> TransportResult<LandedEvents> {
        self.inner.transaction_events(signature)
    }
}

/// Reads `unix_timestamp` out of Clock sysvar data (slot, epoch_start_timestamp, epoch,
/// leader_schedule_epoch, unix_timestamp — each 8 bytes).
pub(crate) fn clock_unix_timestamp(data: &[u8]) -> Option<i64> {
    let b: [u8; 8] = data.get(32..40)?.try_into().ok()?;
    Some(i64::from_le_bytes(b))
}
