//! Transport on an in-process Agave runtime (solana-program-test): the `depin demo`
//! network, the integration tests and anyone who wants a network without a validator.
//!
//! Programs run natively by default. When SBF builds of our programs exist (`DEPIN_SBF_DIR`,
//! or `target/deploy/node_registry.so` in this workspace) the same runtime loads them instead
//! and compute units become real; `DEPIN_NATIVE=1` forces native mode.
#![allow(deprecated)] // program-test 3.1 marks its API "Agave Unstable"

use super::{AccountFilter, Transport, TransportError, TransportResult, TxOutcome};
use crate::errors::TxFailure;
use anchor_lang::prelude::{AccountInfo, Pubkey};
use anchor_lang::solana_program::entrypoint::ProgramResult;
use solana_account::{Account, AccountSharedData};
use solana_hash::Hash;
use solana_keypair::Keypair;
use solana_program_test::{processor, ProgramTest, ProgramTestContext};
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction::Transaction;
use solana_transaction_error::TransactionError;
use std::collections::{BTreeSet, HashMap};
use std::path::PathBuf;
use std::sync::{Mutex, MutexGuard, Once};

/// Our programs, by the file name `anchor build` gives them.
pub const PROGRAMS: &[(&str, Pubkey)] = &[
    ("node_registry", node_registry::ID),
    ("proof_verifier", proof_verifier::ID),
    ("emissions", emissions::ID),
    ("fee_settlement", fee_settlement::ID),
];

/// How programs are executed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuntimeMode {
    /// Compiled for the host and called through `processor!`; ~1 CU per instruction.
    Native,
    /// SBF files from this directory, run in the VM with real compute units.
    Sbf(PathBuf),
}

impl RuntimeMode {
    pub fn from_env() -> Self {
        if std::env::var_os("DEPIN_NATIVE").is_some_and(|v| v != "0") {
            return RuntimeMode::Native;
        }
        if let Some(dir) = std::env::var_os("DEPIN_SBF_DIR") {
            return RuntimeMode::Sbf(PathBuf::from(dir));
        }
        let deploy = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/deploy");
        if PROGRAMS
            .iter()
            .all(|(name, _)| deploy.join(format!("{name}.so")).is_file())
        {
            return RuntimeMode::Sbf(deploy);
        }
        RuntimeMode::Native
    }

    pub fn name(&self) -> &'static str {
        match self {
            RuntimeMode::Native => "native",
            RuntimeMode::Sbf(_) => "sbf",
        }
    }
}

// Anchor's `entry` ties all lifetimes together, which `processor!` cannot take; leaking
// copies of the inputs gives them 'static. Only the in-process runtime uses this.
macro_rules! leaked_entry {
    ($name:ident, $program:ident) => {
        fn $name(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
            let accounts: &[AccountInfo] = Box::leak(Box::new(accounts.to_vec()));
            let program_id: &Pubkey = Box::leak(Box::new(*program_id));
            let data: &[u8] = Box::leak(data.to_vec().into_boxed_slice());
            $program::entry(program_id, accounts, data)
        }
    };
}

leaked_entry!(registry_entry, node_registry);
leaked_entry!(verifier_entry, proof_verifier);
leaked_entry!(emissions_entry, emissions);
leaked_entry!(settlement_entry, fee_settlement);

/// A ProgramTest with every depin-kit program added in `mode`.
pub fn program_test(mode: &RuntimeMode) -> ProgramTest {
    let mut pt = ProgramTest::default();
    match mode {
        RuntimeMode::Native => {
            pt.prefer_bpf(false);
            pt.add_program(
                "node_registry",
                node_registry::ID,
                processor!(registry_entry),
            );
            pt.add_program(
                "proof_verifier",
                proof_verifier::ID,
                processor!(verifier_entry),
            );
            pt.add_program("emissions", emissions::ID, processor!(emissions_entry));
            pt.add_program(
                "fee_settlement",
                fee_settlement::ID,
                processor!(settlement_entry),
            );
        }
        RuntimeMode::Sbf(dir) => {
            static SET_DIR: Once = Once::new();
            let dir = dir.clone();
            // program-test finds .so files through SBF_OUT_DIR; set once, before any thread
            // of ours reads the environment.
            SET_DIR.call_once(|| std::env::set_var("SBF_OUT_DIR", &dir));
            pt.prefer_bpf(true);
            for (name, id) in PROGRAMS {
                pt.add_program(name, *id, None);
            }
        }
    }
    pt
}

/// program-test turns on debug logging of every instruction unless RUST_LOG says otherwise;
/// keep it to errors unless the user asked for more.
fn quiet_runtime_logs() {
    static QUIET: Once = Once::new();
    QUIET.call_once(|| {
        if std::env::var_os("RUST_LOG").is_none() {
            std::env::set_var("RUST_LOG", "error");
        }
    });
}

/// An in-process network. Methods take `&self`; the runtime sits behind a mutex.
pub struct EmbeddedNetwork {
    rt: tokio::runtime::Runtime,
    ctx: Mutex<ProgramTestContext>,
    /// Every address a transaction or set-up touched: the candidates for
    /// `program_accounts`, whose owner and data always come from the runtime.
    known: Mutex<BTreeSet<Pubkey>>,
    /// Accounts as last read from the runtime. Only a transaction changes an account, and
    /// only one its message lists, so sending drops exactly those entries (refused or not:
    /// the fee payer pays either way); a new slot drops the sysvars. Without it every
    /// `program_accounts` call was one runtime round trip per known address.
    cache: Mutex<HashMap<Pubkey, Option<Account>>>,
    /// Landed transactions that carried node_registry's CPI events, oldest first: the
    /// history [`Transport::signatures_for_address`] and the indexer read.
    history: Mutex<Vec<Landed>>,
    mode: RuntimeMode,
}

struct Landed {
    signature: solana_signature::Signature,
    slot: u64,
    /// Every address the transaction loaded (lookup tables resolved).
    keys: Vec<Pubkey>,
    cpi_events: Vec<Vec<u8>>,
}

const SYSVAR_OWNER: Pubkey = anchor_lang::pubkey!("Sysvar1111111111111111111111111111111111111");

impl EmbeddedNetwork {
    /// Starts a runtime with our programs in the mode chosen by the environment.
    pub fn start() -> anyhow::Result<Self> {
        Self::start_with(RuntimeMode::from_env(), |_| {})
    }

    /// Starts a runtime in `mode`, letting `setup` add accounts or programs first.
    pub fn start_with(
        mode: RuntimeMode,
        setup: impl FnOnce(&mut ProgramTest),
    ) -> anyhow::Result<Self> {
        quiet_runtime_logs();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        if mode == RuntimeMode::Native {
            // Before the first runtime of this process: start a bare one so program-test
            // installs its syscall stubs, then wrap them to keep events (native_logs). No
            // other runtime exists yet, so no program is running while the stubs change.
            static EVENTS: Once = Once::new();
            EVENTS.call_once(|| {
                let _bare = rt.block_on(ProgramTest::default().start_with_context());
                super::native_logs::install();
            });
        }
        let mut pt = program_test(&mode);
        setup(&mut pt);
        let ctx = rt.block_on(pt.start_with_context());
        Ok(EmbeddedNetwork {
            rt,
            ctx: Mutex::new(ctx),
            known: Mutex::new(BTreeSet::new()),
            cache: Mutex::new(HashMap::new()),
            history: Mutex::new(vec![]),
            mode,
        })
    }

    pub fn mode(&self) -> &RuntimeMode {
        &self.mode
    }

    fn ctx(&self) -> MutexGuard<'_, ProgramTestContext> {
        // A panic while holding the lock leaves the context usable; take it back.
        self.ctx.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn remember(&self, keys: impl IntoIterator<Item = Pubkey>) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        for k in keys {
            cache.remove(&k);
            known.insert(k);
        }
    }

    /// Program logs as the runtime would print them (native mode keeps events aside).
    fn restore_logs(&self, logs: Vec<String>) -> Vec<String> {
        match self.mode {
            RuntimeMode::Native => super::native_logs::restore(logs),
            RuntimeMode::Sbf(_) => logs,
        }
    }

    /// A new bank: the sysvars (clock, slot hashes, …) changed.
    fn forget_sysvars(&self) {
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        cache.retain(|_, a| a.as_ref().is_none_or(|a| a.owner != SYSVAR_OWNER));
    }

    /// The genesis fee payer, funded with plenty of SOL.
    pub fn payer(&self) -> Keypair {
        self.ctx().payer.insecure_clone()
    }

    /// Writes an account directly (test set-up).
    pub fn set_account(&self, address: &Pubkey, account: Account) {
        self.remember([*address]);
        self.ctx()
            .set_account(address, &AccountSharedData::from(account));
        self.remember([*address]);
    }

    /// Moves to the next slot, so an identical transaction gets a new blockhash (as it would
    /// on a cluster once the next block is produced).
    pub fn advance_slot(&self) -> anyhow::Result<()> {
        let mut ctx = self.ctx();
        let clock: anchor_lang::prelude::Clock = self.rt.block_on(ctx.banks_client.get_sysvar())?;
        let r = ctx
            .warp_to_slot(clock.slot + 1)
            .map_err(|e| anyhow::anyhow!("warping to slot {}: {e:?}", clock.slot + 1));
        drop(ctx);
        self.forget_sysvars();
        r
    }

    /// Moves the cluster clock to `unix_timestamp` (and one slot on, so blockhashes change).
    pub fn set_unix_time(&self, unix_timestamp: i64) -> anyhow::Result<()> {
        let mut ctx = self.ctx();
        let rt = &self.rt;
        let mut clock: anchor_lang::prelude::Clock = rt.block_on(ctx.banks_client.get_sysvar())?;
        let slot = clock.slot + 1;
        ctx.warp_to_slot(slot)
            .map_err(|e| anyhow::anyhow!("warping to slot {slot}: {e:?}"))?;
        clock = rt.block_on(ctx.banks_client.get_sysvar())?;
        clock.unix_timestamp = unix_timestamp;
        ctx.set_sysvar(&clock);
        drop(ctx);
        self.forget_sysvars();
        Ok(())
    }

    /// Advances the clock by `seconds`.
    pub fn advance_time(&self, seconds: i64) -> anyhow::Result<()> {
        let now = self.unix_time()?;
        self.set_unix_time(now + seconds)
    }
}

impl EmbeddedNetwork {
    /// Every address a v0 transaction touches: its static keys and those its lookup tables
    /// resolve to (so the account cache forgets them all). An index a table lacks is left
    /// to the runtime, which refuses the transaction.
    fn loaded_keys(&self, tx: &VersionedTransaction) -> TransportResult<Vec<Pubkey>> {
        use solana_address_lookup_table_interface::state::AddressLookupTable;
        // in the message's order: static keys, every table's writable ones, then readonly
        let mut keys = tx.message.static_account_keys().to_vec();
        let mut readonly = vec![];
        for lookup in tx.message.address_table_lookups().unwrap_or_default() {
            let Some(table) = self.get_account(&lookup.account_key)? else {
                continue;
            };
            let Ok(table) = AddressLookupTable::deserialize(&table.data) else {
                continue;
            };
            let get = |i: &u8| table.addresses.get(usize::from(*i)).copied();
            keys.extend(lookup.writable_indexes.iter().filter_map(get));
            readonly.extend(lookup.readonly_indexes.iter().filter_map(get));
        }
        keys.extend(readonly);
        Ok(keys)
    }

    /// The Clock sysvar as the runtime has it now.
    fn clock(&self) -> TransportResult<anchor_lang::prelude::Clock> {
        let ctx = self.ctx();
        self.rt
            .block_on(ctx.banks_client.get_sysvar())
            .map_err(|e| TransportError::io("reading the clock", e))
    }

    /// Runs one transaction; `keys` are every address it may change.
    fn process(&self, tx: VersionedTransaction, keys: Vec<Pubkey>) -> TransportResult<TxOutcome> {
        // transactions with a compute budget (a user's option) would skew the size column
        let statics = tx.message.static_account_keys();
        let budgeted = tx.message.instructions().iter().any(|i| {
            statics.get(usize::from(i.program_id_index))
                == Some(&solana_compute_budget_interface::ID)
        });
        self.remember(keys.iter().copied());
        let signature = tx.signatures.first().copied().unwrap_or_default();
        let bytes = bincode::serialized_size(&tx).unwrap_or(0);
        // Banks reports inner instructions only from a simulation: run one first, under the
        // same lock, so it sees the state the transaction then lands on.
        let wants_events = keys.contains(crate::ix::event_authority_ref());
        let (r, cpi_events) = {
            let ctx = self.ctx();
            let events = if wants_events {
                let sim = self
                    .rt
                    .block_on(ctx.banks_client.simulate_transaction(tx.clone()))
                    .map_err(|e| TransportError::io("simulating a transaction", e))?;
                sim.simulation_details
                    .and_then(|d| d.inner_instructions)
                    .map(|inner| cpi_event_data(&inner, &keys))
                    .unwrap_or_default()
            } else {
                vec![]
            };
            let r = self
                .rt
                .block_on(ctx.banks_client.process_transaction_with_metadata(tx))
                .map_err(|e| TransportError::io("processing a transaction", e))?;
            (r, events)
        };
        // and again now that it ran, in case another thread read one of them meanwhile
        self.remember(keys.iter().copied());
        // Many transactions per slot, as on a cluster: a new bank per transaction cost
        // ~150 KB each. An identical transaction within one blockhash is refused as
        // `AlreadyProcessed` (as on a cluster); the slot then moves on so signing it again
        // on the next blockhash works (Registry::send does that).
        if matches!(r.result, Err(TransactionError::AlreadyProcessed)) {
            self.advance_slot()
                .map_err(|e| TransportError::io("advancing the slot", e))?;
        }
        let (logs, compute_units) = match r.metadata {
            Some(m) => (m.log_messages, Some(m.compute_units_consumed)),
            None => (vec![], None),
        };
        let logs = self.restore_logs(logs);
        if r.result.is_ok() && matches!(self.mode, RuntimeMode::Sbf(_)) && !budgeted {
            let programs: Vec<(String, &str)> = PROGRAMS
                .iter()
                .map(|(n, id)| (id.to_string(), *n))
                .collect();
            super::cu::record(&logs, &programs, bytes);
        }
        if r.result.is_ok() && wants_events {
            let slot = self.slot()?;
            self.history
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(Landed {
                    signature,
                    slot,
                    keys,
                    cpi_events: cpi_events.clone(),
                });
        }
        match r.result {
            Ok(()) => Ok(TxOutcome {
                signature,
                logs,
                compute_units,
                cpi_events,
            }),
            Err(e) => Err(TransportError::Transaction(TxFailure::new(e, logs))),
        }
    }
}

/// The data of node_registry's Anchor event CPIs among a transaction's inner instructions,
/// tag removed (`keys`: the message's keys, loaded ones included, in its order).
fn cpi_event_data(
    inner: &[solana_message::inner_instruction::InnerInstructions],
    keys: &[Pubkey],
) -> Vec<Vec<u8>> {
    inner
        .iter()
        .flatten()
        .filter(|i| {
            keys.get(usize::from(i.instruction.program_id_index)) == Some(&node_registry::ID)
        })
        .filter_map(|i| {
            i.instruction
                .data
                .strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE)
                .map(<[u8]>::to_vec)
        })
        .collect()
}

impl Transport for EmbeddedNetwork {
    fn get_account(&self, address: &Pubkey) -> TransportResult<Option<Account>> {
        if let Some(a) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(address)
        {
            return Ok(a.clone());
        }
        // read and cache under the runtime's lock: a transaction cannot land between the
        // two and leave the cache with what it changed
        let ctx = self.ctx();
        let a = self
            .rt
            .block_on(ctx.banks_client.get_account(*address))
            .map_err(|e| TransportError::io(format!("reading account {address}"), e))?;
        if a.as_ref().is_none_or(|a| a.owner != SYSVAR_OWNER) {
            self.cache
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(*address, a.clone());
        }
        drop(ctx);
        Ok(a)
    }

    fn latest_blockhash(&self) -> TransportResult<Hash> {
        let ctx = self.ctx();
        self.rt
            .block_on(ctx.banks_client.get_latest_blockhash())
            .map_err(|e| TransportError::io("fetching a recent blockhash", e))
    }

    fn send(&self, tx: &Transaction) -> TransportResult<TxOutcome> {
        // a legacy message is a versioned one without lookup tables, byte for byte
        self.send_versioned(&VersionedTransaction::from(tx.clone()))
    }

    fn send_versioned(&self, tx: &VersionedTransaction) -> TransportResult<TxOutcome> {
        let keys = self.loaded_keys(tx)?;
        self.process(tx.clone(), keys)
    }

    fn slot(&self) -> TransportResult<u64> {
        Ok(self.clock()?.slot)
    }

    /// The embedded cluster makes slots only when asked: it moves straight past `slot`.
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        while self.slot()? <= slot {
            self.advance_slot()
                .map_err(|e| TransportError::io("advancing the slot", e))?;
        }
        Ok(())
    }

    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>> {
        let candidates: Vec<Pubkey> = {
            let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
            known.iter().copied().collect()
        };
        let wanted =
            |acc: &Account| acc.owner == *program && filters.iter().all(|f| f.matches(&acc.data));
        // cached accounts are matched in place (only matches are copied); the rest read
        let (mut out, mut missing) = (vec![], vec![]);
        {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            for key in candidates {
                match cache.get(&key) {
                    Some(Some(acc)) if wanted(acc) => out.push((key, acc.clone())),
                    Some(_) => {}
                    None => missing.push(key),
                }
            }
        }
        for key in missing {
            if let Some(acc) = self.get_account(&key)? {
                if wanted(&acc) {
                    out.push((key, acc));
                }
            }
        }
        out.sort_unstable_by_key(|(k, _)| *k);
        Ok(out)
    }

    fn unix_time(&self) -> TransportResult<i64> {
        Ok(self.clock()?.unix_timestamp)
    }

    fn describe(&self) -> String {
        format!("embedded ({})", self.mode.name())
    }

    fn simulate(&self, tx: &Transaction) -> TransportResult<super::Simulation> {
        let r = {
            let ctx = self.ctx();
            self.rt
                .block_on(ctx.banks_client.simulate_transaction(tx.clone()))
                .map_err(|e| TransportError::io("simulating a transaction", e))?
        };
        let (logs, compute_units) = match r.simulation_details {
            Some(d) => (d.logs, Some(d.units_consumed)),
            None => (vec![], None),
        };
        let logs = self.restore_logs(logs);
        let failure = match r.result {
            Some(Ok(())) => None,
            Some(Err(e)) => Some(TxFailure::new(e, logs.clone())),
            None => Some(TxFailure::new(
                TransactionError::SanitizeFailure,
                logs.clone(),
            )),
        };
        Ok(super::Simulation {
            failure,
            logs,
            compute_units,
        })
    }

    fn fee_for_message(&self, message: &solana_message::Message) -> TransportResult<u64> {
        let ctx = self.ctx();
        self.rt
            .block_on(ctx.banks_client.get_fee_for_message(message.clone()))
            .map_err(|e| TransportError::io("reading the fee", e))?
            .ok_or_else(|| TransportError::io("reading the fee", "the blockhash is unknown"))
    }

    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<solana_signature::Signature>,
        until: Option<solana_signature::Signature>,
        limit: usize,
    ) -> TransportResult<Vec<super::SignatureEntry>> {
        let history = self.history.lock().unwrap_or_else(|p| p.into_inner());
        let mut newest_first = history.iter().rev().filter(|l| l.keys.contains(address));
        if let Some(b) = before {
            // as RPC: an unknown `before` gives nothing
            if !newest_first.any(|l| l.signature == b) {
                return Ok(vec![]);
            }
        }
        Ok(newest_first
            .take_while(|l| Some(l.signature) != until)
            .take(limit)
            .map(|l| super::SignatureEntry {
                signature: l.signature,
                slot: l.slot,
                failed: false,
            })
            .collect())
    }

    fn transaction_events(
        &self,
        signature: &solana_signature::Signature,
    ) -> TransportResult<super::LandedEvents> {
        let history = self.history.lock().unwrap_or_else(|p| p.into_inner());
        history
            .iter()
            .rev()
            .find(|l| l.signature == *signature)
            .map(|l| super::LandedEvents {
                slot: l.slot,
                failed: false,
                cpi_events: l.cpi_events.clone(),
            })
            .ok_or_else(|| {
                TransportError::io(
                    format!("reading transaction {signature}"),
                    "the embedded runtime keeps no such transaction (it keeps those with node_registry's CPI events)",
                )
            })
    }
}
