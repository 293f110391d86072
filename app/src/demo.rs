//! `depin demo`: a whole network from nothing, with real keys and signatures, and a
//! summary whose figures are read back from accounts — on the embedded runtime (its clock
//! jumps from one epoch to the next) or over JSON-RPC on a cluster that runs our programs,
//! such as a local validator (`depin demo --url localhost`: real time, short epochs).
use crate::accounts;
use crate::attest;
use crate::registry::{Registration, Registry};
use crate::settlement::{self as st, PythPrice, Settle};
use crate::transport::{
    embedded::EmbeddedNetwork, AccountFilter, Transport, TransportResult, TxOutcome,
};
use crate::{tokens, txcodec};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use depin_core::price::Price;
use fee_settlement::state::PriceSource;
use indicatif::{ProgressBar, ProgressStyle};
use node_registry::state::{Capacity, NodeStatus};
use node_registry::{AddMakerArgs, CreateNetworkArgs};
use serde::Serialize;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::time::Instant;

/// Helium's figures: a credit is $0.00001; onboarding $40, a location assertion $10.
pub const ONBOARDING_FEE_CREDITS: u64 = 4_000_000;
pub const LOCATION_FEE_CREDITS: u64 = 1_000_000;
const NODES_PER_OWNER: usize = 4;
/// Above this many nodes `depin demo` wants --yes.
pub const CONFIRM_ABOVE: usize = 100_000;

#[derive(Debug, Serialize)]
pub struct DemoReport {
    pub runtime: String,
    pub network: String,
    pub makers: u64,
    pub owners: u64,
    pub nodes_registered: u64,
    /// Node accounts found in the runtime (not counted by the loop).
    pub node_accounts_on_chain: u64,
    /// `node_count` stored in the Network account.
    pub network_node_count: u64,
    pub node_account_bytes: u64,
    /// Size of a device's permanent record (created at its first registration).
    pub device_record_bytes: u64,
    /// Serialized size of one register transaction (both ed25519 instructions included).
    pub register_tx_bytes: u64,
    /// What one registration costs its owner in SOL: the transaction fee (three
    /// signatures: the owner's and the two precompile ones) and the rent of the node
    /// account and the device record (read from their balances).
    pub register_fee_sol: String,
    pub rent_per_node_sol: String,
    /// Rent held by every node account and device record on chain.
    pub rent_locked_sol: String,
    /// Registrations per second of wall time in the register phase.
    pub registrations_per_second: u64,
    pub locations_asserted: u64,
    pub nodes_transferred: u64,
    pub nodes_suspended: u64,
    /// Tokens customers and owners burned for credits (fee_settlement's total).
    pub tokens_burned_for_credits: u64,
    /// Credits fee_settlement minted for those tokens.
    pub credits_minted: u64,
    /// Every credit burned: for usage (directly and through the router's escrow) and for
    /// node_registry's fees.
    pub credits_burned: u64,
    pub credits_burned_for_usage: u64,
    /// node_registry's fees, read from chain: what fee_settlement minted, less what it
    /// burned for usage, less the credits supply (the registry is the only other burner).
    pub credits_burned_for_fees: u64,
    /// Credits moved into the router's escrow.
    pub credits_delegated: u64,
    /// Credits supply read from the mint; equals minted − burned.
    pub credits_supply: u64,
    pub credits_reconcile: bool,
    /// The price credits were bought at (the lower of Pyth's conservative EMA and the
    /// oracles' median), USD per token.
    pub credit_price_usd: String,
    /// Customers buying credits each epoch, and the router burning their delegated credits.
    pub customers: u64,
    /// Highest compute units of one register transaction (meaningful in SBF mode only).
    pub register_compute_units_max: Option<u64>,
    /// Receipts the devices posted to the oracle services over HTTP (a device's batch
    /// may go to two oracles), the receipts the services acknowledged, and those they refused.
    pub receipts_sent: u64,
    pub receipts_accepted: u64,
    pub receipts_rejected: u64,
    /// Bad receipts the demo sent on purpose: a forged signature, an unknown device, a replay.
    pub bad_receipts_sent: u64,
    /// Every oracle built the same root each epoch, it is the root on chain, and the
    /// first submitted while the others approved.
    pub oracle_roots_agree: bool,
    /// Oracles in the set, and how many must attest each report.
    pub oracles: u64,
    pub oracle_threshold: u64,
    /// Epochs the emission schedule records as finalised (read from its account).
    pub epochs_finalized: u64,
    /// Epochs attested by approvals sent in separate transactions.
    pub epochs_by_accumulated_approvals: u64,
    /// Reports disputed and voided, then reported again (next round).
    pub reports_voided: u64,
    /// Minted by the finalised epochs: the schedule's emission plus the burn-and-mint
    /// re-mint (read from the schedule).
    pub rewards_minted: u64,
    pub tokens_emitted: u64,
    pub tokens_reminted: u64,
    /// The token's genesis allocation (owners' and customers' tokens, minted before the
    /// schedule took the mint authority).
    pub token_genesis: u64,
    /// The token's supply read from the mint.
    pub token_supply: u64,
    /// Sum of every owner's reward-token balance.
    pub rewards_claimed: u64,
    /// Claim instructions that landed, and the transactions that carried them.
    pub claims: u64,
    pub claim_transactions: u64,
    /// What the node transferred mid-way earned after the transfer, paid to its new owner.
    pub transferred_node_rewards_to_new_owner: u64,
    /// The previous owner's balance did not change when the new owner claimed.
    pub transferred_node_rewards_follow_owner: bool,
    /// True only when token supply = genesis + emitted + re-minted − burned for credits,
    /// with the emission recomputed here from the schedule's parameters and the re-mint from
    /// each epoch's usage record.
    pub supply_reconciles: bool,
    /// Sector proofs (issue 14) over every epoch: sent (forged ones included), accepted per
    /// class, rejected per class by reason; challenges opened; storage chunks proven on
    /// chain.
    pub proofs_sent: u64,
    pub forged_proofs_sent: u64,
    pub proofs_accepted: std::collections::BTreeMap<String, u64>,
    pub proofs_rejected:
        std::collections::BTreeMap<String, std::collections::BTreeMap<String, u64>>,
    pub challenges_opened: u64,
    pub storage_chunks_verified_on_chain: u64,
    pub elapsed_ms: u64,
}

/// The demo's keys: a fixed sequence, so every run builds the same accounts (and the SBF
/// run the same compute-unit figures). Keys for a demo only; never hold value with them.
/// On a cluster that outlives one run the sequence carries a seed, so each run's accounts
/// are new.
pub struct DemoKeys {
    next: std::cell::Cell<u64>,
    seed: u64,
}

impl DemoKeys {
    pub fn new() -> Self {
        Self::seeded(0)
    }

    /// Seed 0 is the embedded run's fixed sequence.
    pub fn seeded(seed: u64) -> Self {
        DemoKeys {
            next: std::cell::Cell::new(0),
            seed,
        }
    }

    pub fn next(&self) -> Keypair {
        let n = self.next.get();
        self.next.set(n.wrapping_add(1));
        Self::key_at(self.seed, n)
    }

    /// The next `n` keys of the sequence (the same as `n` calls of [`Self::next`]), derived
    /// on every core.
    pub fn take(&self, n: usize) -> Vec<Keypair> {
        let first = self.next.get();
        self.next.set(first.wrapping_add(n as u64));
        let seed = self.seed;
        let at: Vec<u64> = (0..n as u64).map(|i| first.wrapping_add(i)).collect();
        crate::par::map(at.len(), |i| Self::key_at(seed, at[i]))
    }

    fn key_at(seed: u64, n: u64) -> Keypair {
        let mut secret = [0xd3u8; 32];
        secret[..8].copy_from_slice(&n.to_le_bytes());
        if seed != 0 {
            secret[8..16].copy_from_slice(&seed.to_le_bytes());
        }
        Keypair::new_from_array(secret)
    }

    /// A second sequence (the burn-and-mint part), so the first one's addresses — and the
    /// registration compute units — do not depend on it.
    pub fn market(seed: u64) -> Self {
        DemoKeys {
            next: std::cell::Cell::new(1 << 40),
            seed,
        }
    }
}

/// glibc gives each thread that allocates an arena of its own and keeps what the thread
/// frees there for later. The demo's oracle builders and signature checkers are new threads
/// every epoch, so freed memory piled up across arenas: at 10,000 nodes the peak was about
/// 520 MB against 310 MB with one arena per core, at the same speed. A `MALLOC_ARENA_MAX`
/// in the environment wins.
pub fn cap_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let arenas = libc::c_int::try_from(cores).unwrap_or(libc::c_int::MAX);
        // SAFETY: sets one allocator parameter; mallopt has no other effect
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
}

/// Where the demo runs.
pub enum DemoCluster<'a> {
    /// The embedded runtime: epochs of an hour, skipped by moving its clock; the Pyth price
    /// account is written directly, as the Pyth receiver would.
    Embedded(&'a EmbeddedNetwork),
    /// A cluster over JSON-RPC with our programs (a local validator): `payer` funds
    /// everything, time is real, so epochs are short; prices come from the oracles' posts
    /// alone (no Pyth receiver there). `seed` makes the run's keys and network name new.
    Rpc {
        transport: &'a dyn Transport,
        payer: Box<Keypair>,
        epoch_length_s: u32,
        challenge_s: u32,
        seed: u64,
    },
}

/// The demo reads and sends through whichever cluster it runs on.
impl Transport for DemoCluster<'_> {
    fn get_account(&self, address: &Pubkey) -> TransportResult<Option<Account>> {
        self.t().get_account(address)
    }
    fn latest_blockhash(&self) -> TransportResult<solana_hash::Hash> {
        self.t().latest_blockhash()
    }
    fn send(&self, tx: &solana_transaction::Transaction) -> TransportResult<TxOutcome> {
        self.t().send(tx)
    }
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>> {
        self.t().program_accounts(program, filters)
    }
    fn unix_time(&self) -> TransportResult<i64> {
        self.t().unix_time()
    }
    fn describe(&self) -> String {
        self.t().describe()
    }
    fn compute_budget(&self) -> crate::transport::ComputeBudget {
        self.t().compute_budget()
    }
    fn simulate(
        &self,
        tx: &solana_transaction::Transaction,
    ) -> TransportResult<crate::transport::Simulation> {
        self.t().simulate(tx)
    }
    fn fee_for_message(&self, message: &solana_message::Message) -> TransportResult<u64> {
        self.t().fee_for_message(message)
    }
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        self.t().send_versioned(tx)
    }
    fn slot(&self) -> TransportResult<u64> {
        self.t().slot()
    }
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        self.t().wait_past_slot(slot)
    }
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<solana_signature::Signature>,
        until: Option<solana_signature::Signature>,
        limit: usize,
    ) -> TransportResult<Vec<crate::transport::SignatureEntry>> {
        self.t()
            .signatures_for_address(address, before, until, limit)
    }
    fn transaction_events(
        &self,
        signature: &solana_signature::Signature,
    ) -> TransportResult<crate::transport::LandedEvents> {
        self.t().transaction_events(signature)
    }
}

impl DemoCluster<'_> {
    fn t(&self) -> &dyn Transport {
        match self {
            DemoCluster::Embedded(n) => *n,
            DemoCluster::Rpc { transport, .. } => *transport,
        }
    }

    fn payer(&self) -> Keypair {
        match self {
            DemoCluster::Embedded(n) => n.payer(),
            DemoCluster::Rpc { payer, .. } => payer.insecure_clone(),
        }
    }

    fn seed(&self) -> u64 {
        match self {
            DemoCluster::Embedded(_) => 0,
            DemoCluster::Rpc { seed, .. } => *seed,
        }
    }

    /// "demo" on the embedded runtime; on a cluster a name of this run's own.
    fn network_name(&self) -> String {
        match self {
            DemoCluster::Embedded(_) => "demo".into(),
            DemoCluster::Rpc { seed, .. } => format!("demo-{:06x}", seed & 0xff_ffff),
        }
    }

    fn epoch_length_s(&self) -> u32 {
        match self {
            DemoCluster::Embedded(_) => EPOCH_LENGTH_S,
            DemoCluster::Rpc { epoch_length_s, .. } => *epoch_length_s,
        }
    }

    fn challenge_s(&self) -> u32 {
        match self {
            DemoCluster::Embedded(_) => CHALLENGE_S,
            DemoCluster::Rpc { challenge_s, .. } => *challenge_s,
        }
    }

    /// Whether transactions run the SBF programs (their compute units mean something).
    fn runs_sbf(&self) -> bool {
        match self {
            DemoCluster::Embedded(n) => {
                matches!(n.mode(), crate::transport::embedded::RuntimeMode::Sbf(_))
            }
            DemoCluster::Rpc { .. } => true,
        }
    }

    /// Seconds between two rounds of oracle price posts: on the embedded runtime whenever
    /// its clock moved; on a cluster well inside the settlement's price age.
    fn price_refresh_s(&self) -> i64 {
        match self {
            DemoCluster::Embedded(_) => 1,
            DemoCluster::Rpc { .. } => 120,
        }
    }

    /// Lets `seconds` pass on the cluster's clock: the embedded runtime moves its clock;
    /// over RPC this waits until the cluster's own clock has moved that far.
    pub(crate) fn wait(&self, seconds: u32) -> Result<()> {
        match self {
            DemoCluster::Embedded(n) => n.advance_time(i64::from(seconds)),
            DemoCluster::Rpc { transport, .. } => {
                let until = transport
                    .unix_time()?
                    .checked_add(i64::from(seconds) + 1)
                    .context("the clock overflows")?;
                self.wait_until(until)
            }
        }
    }

    /// Until epoch `epoch` of a clock starting at `genesis_ts` has ended: the embedded run
    /// moves its clock one epoch length on (its epochs drift by the challenge periods,
    /// which stay inside each epoch); over RPC the wait is for the epoch's real end.
    fn end_epoch(&self, genesis_ts: i64, epoch: u64) -> Result<()> {
        match self {
            DemoCluster::Embedded(n) => n.advance_time(i64::from(EPOCH_LENGTH_S)),
            DemoCluster::Rpc { .. } => {
                let end = i64::try_from(epoch + 1)
                    .ok()
                    .and_then(|e| e.checked_mul(i64::from(self.epoch_length_s())))
                    .and_then(|d| d.checked_add(genesis_ts))
                    .context("the epoch's end overflows")?;
                self.wait_until(end)
            }
        }
    }

    /// Until the cluster's clock reads `until` (over RPC: the embedded clock jumps instead,
    /// in `wait` and `end_epoch`).
    fn wait_until(&self, until: i64) -> Result<()> {
        let t = self.t();
        let started = Instant::now();
        // the validator's clock follows wall time; give it a minute of slack
        let ahead = until.saturating_sub(t.unix_time()?);
        let limit = std::time::Duration::from_secs(u64::try_from(ahead).unwrap_or(0) + 60);
        while t.unix_time()? < until {
            anyhow::ensure!(
                started.elapsed() < limit,
                "the clock of {} does not advance (waited {} s for unix time {until})",
                t.describe(),
                started.elapsed().as_secs()
            );
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        Ok(())
    }
}

impl Default for DemoKeys {
    fn default() -> Self {
        Self::new()
    }
}

/// What the demo's payer spends at most with `nodes` nodes, in lamports: 0.1 SOL for each
/// owner, customer and the transfer's new owner, 1 SOL for each oracle and the router,
/// rent and fees (about 0.004 SOL a node), and a margin.
pub fn lamports_needed(nodes: usize) -> u64 {
    const SOL: u64 = 1_000_000_000;
    let owners = nodes.div_ceil(NODES_PER_OWNER).max(1) as u64;
    (owners + DEMO_CUSTOMERS as u64 + 1) * SOL / 10 + 4 * SOL + nodes as u64 * SOL / 100 + SOL
}

/// A valid resolution-8 H3 cell derived from `i` (base cell 20 is not a pentagon). The
/// finest digit varies fastest, so nodes with near indices are neighbours (a few hundred
/// metres to a few kilometres apart), as the sector proofs' hotspots and sensors need.
pub fn demo_cell(i: usize) -> u64 {
    let mut cell: u64 = (1 << 59) | (8 << 52) | (20 << 45);
    let mut x = i as u64;
    for r in (1..=15u64).rev() {
        let digit = if r <= 8 {
            let d = x % 7;
            x /= 7;
            d
        } else {
            7
        };
        cell |= digit << ((15 - r) * 3);
    }
    cell
}

pub(crate) fn capacity_for(i: usize) -> Capacity {
    match i % 4 {
        0 => Capacity::Hotspot {
            radios: 1,
            antenna_gain_dbi_x10: 58,
            elevation_m: 12,
        },
        1 => Capacity::Gpu {
            gpus: 8,
            vram_gib: 80,
            fp16_tflops: 989,
        },
        2 => Capacity::Storage {
            bytes: 16_000_000_000_000,
        },
        _ => Capacity::Sensor {
            channels: 4,
            sample_interval_s: 60,
        },
    }
}

/// Progress of one phase on stderr, in every output mode: a bar with rate and ETA on a
/// terminal, otherwise a line every few seconds; and one line with the phase's time when
/// it ends (so a log shows where the time went).
pub struct Phase {
    what: &'static str,
    total: u64,
    done: u64,
    started: Instant,
    last_line: Instant,
    bar: Option<ProgressBar>,
    show: bool,
}

fn bar(n: usize, show: bool, what: &'static str) -> Phase {
    use std::io::IsTerminal;
    let bar = (show && std::io::stderr().is_terminal()).then(|| {
        let pb = ProgressBar::new(n as u64);
        if let Ok(style) =
            ProgressStyle::with_template("{msg:>10} [{bar:32}] {pos}/{len} {per_sec} eta {eta}")
        {
            pb.set_style(style.progress_chars("=> "));
        }
        pb.set_message(what);
        pb
    });
    Phase {
        what,
        total: n as u64,
        done: 0,
        started: Instant::now(),
        last_line: Instant::now(),
        bar,
        show,
    }
}

impl Phase {
    fn rate(&self) -> f64 {
        self.done as f64 / self.started.elapsed().as_secs_f64().max(1e-9)
    }

    pub fn inc(&mut self, n: u64) {
        self.done += n;
        match &self.bar {
            Some(b) => b.inc(n),
            None if self.show && self.last_line.elapsed().as_secs() >= 5 => {
                self.last_line = Instant::now();
                let rate = self.rate();
                let eta = self.total.saturating_sub(self.done) as f64 / rate.max(1e-9);
                eprintln!(
                    "{}: {}/{} ({rate:.0}/s, eta {eta:.0} s)",
                    self.what, self.done, self.total
                );
            }
            None => {}
        }
    }

    pub fn finish_and_clear(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
        if self.show {
            eprintln!(
                "{}: {} in {:.1} s ({:.0}/s)",
                self.what,
                self.done,
                self.started.elapsed().as_secs_f64(),
                self.rate()
            );
        }
    }
}

/// Time spent per named part of a repeated loop.
#[derive(Default)]
struct Split {
    current: Option<(&'static str, Instant)>,
    total: Vec<(&'static str, std::time::Duration)>,
}

impl Split {
    fn start(&mut self, what: &'static str) {
        self.stop();
        self.current = Some((what, Instant::now()));
    }

    fn stop(&mut self) {
        if let Some((what, t)) = self.current.take() {
            match self.total.iter_mut().find(|(w, _)| *w == what) {
                Some((_, d)) => *d += t.elapsed(),
                None => self.total.push((what, t.elapsed())),
            }
        }
    }

    fn summary(&self) -> String {
        self.total
            .iter()
            .map(|(w, d)| format!("{w} {:.1} s", d.as_secs_f64()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The demo on the embedded runtime.
pub fn run(net: &EmbeddedNetwork, nodes: usize, progress: bool) -> Result<DemoReport> {
    run_on(&DemoCluster::Embedded(net), nodes, progress)
}

/// The demo on `net`: the same steps and, but for addresses, times and rates, the same
/// figures on every cluster.
pub fn run_on(net: &DemoCluster, nodes: usize, progress: bool) -> Result<DemoReport> {
    let started = Instant::now();
    let keys = DemoKeys::seeded(net.seed());
    let reg = Registry::new(net);
    let operator = net.payer();
    let name = net.network_name();

    // Mints: the network token (SPL Token) and non-transferable credits (Token-2022).
    let token_mint = keys.next();
    let credits_mint = keys.next();
    reg.create_mint(
        &operator,
        &token_mint,
        &operator.pubkey(),
        6,
        &tokens::TOKEN_PROGRAM,
    )
    .context("creating the token mint")?;
    // fee_settlement mints the credits: its settlement address is the mint authority
    let demo_network = crate::pda::network(&name).0;
    reg.create_credits_mint(
        &operator,
        &credits_mint,
        &st::settlement_address(&demo_network),
        0,
    )
    .context("creating the credits mint")?;

    let (network, _) = reg
        .create_network(
            &operator,
            &token_mint.pubkey(),
            &credits_mint.pubkey(),
            CreateNetworkArgs {
                name: name.clone(),
                onboarding_fee_credits: ONBOARDING_FEE_CREDITS,
                location_fee_credits: LOCATION_FEE_CREDITS,
                attestation_window_s: 3600,
            },
        )
        .context("creating the network")?;

    let makers: Vec<(Keypair, Keypair)> = (0..2).map(|_| (keys.next(), keys.next())).collect();
    let mut maker_accounts = vec![];
    for (maker_key, attestation_key) in &makers {
        let (m, _) = reg
            .add_maker(
                &operator,
                &network,
                AddMakerArgs {
                    maker_key: maker_key.pubkey(),
                    attestation_key: attestation_key.pubkey(),
                    device_cap: Some(10_000),
                },
            )
            .context("adding a maker")?;
        maker_accounts.push(m);
    }

    // The oracles, the settlement and its two price feeds.
    let mut market = Market::open(net, &operator, &network)?;

    // Owners, each funded with SOL for rent and with tokens from the genesis allocation,
    // which they burn for the credits their nodes' fees take.
    let owners_n = nodes.div_ceil(NODES_PER_OWNER).max(1);
    // Enough for each node's fees plus a remainder, so the supply check is not trivially zero.
    let per_owner_credits =
        (NODES_PER_OWNER as u64) * (ONBOARDING_FEE_CREDITS + LOCATION_FEE_CREDITS) + 123_456;
    let owners: Vec<Keypair> = keys.take(owners_n);
    let mut pb = bar(owners_n, progress, "owners");
    let per_owner_tokens = market.tokens_for(per_owner_credits)?;
    for owner in &owners {
        let fund = crate::ix::transfer_lamports(&operator.pubkey(), &owner.pubkey(), 100_000_000);
        reg.send(&[fund], &operator, &[])
            .context("funding an owner")?;
        market.genesis(net, &token_mint.pubkey(), &owner.pubkey(), per_owner_tokens)?;
        market.buy(net, owner, per_owner_tokens)?;
        pb.inc(1);
    }
    pb.finish_and_clear();

    let mut pb = bar(nodes, progress, "register");
    let register_started = Instant::now();
    let now = u64::try_from(net.unix_time()?).context("clock before 1970")?;
    let mut register_tx_bytes = 0u64;
    let mut register_fee = 0u64;
    let mut register_cu_max: Option<u64> = None;
    let mut registered = vec![];
    let mut device_keys = vec![];
    // the makers' attestations and the devices' consents, signed before the run as a
    // factory and the devices would
    let devices = keys.take(nodes);
    let registrations = crate::par::map(devices.len(), |i| {
        let device = &devices[i];
        let owner = &owners[i / NODES_PER_OWNER];
        let which = i % makers.len();
        Registration {
            network,
            maker: maker_accounts[which],
            maker_attestation: attest::sign_maker_attestation(
                &makers[which].1,
                &network,
                &device.pubkey(),
                &capacity_for(i),
            ),
            device_consent: attest::sign_device_consent(device, &network, &owner.pubkey(), now),
            nonce: now,
            capacity: capacity_for(i),
            owner_credits: None,
            max_fee_credits: None,
        }
    });
    for (i, (device, r)) in devices.into_iter().zip(registrations).enumerate() {
        let owner = &owners[i / NODES_PER_OWNER];
        if i == 0 {
            let ixs = reg.register_node_instructions(&owner.pubkey(), &r)?;
            let mut tx = reg.unsigned(&ixs, &owner.pubkey())?;
            txcodec::sign(&mut tx, owner)?;
            register_tx_bytes = txcodec::size(&tx) as u64;
            register_fee = net.fee_for_message(&tx.message)?;
        }
        let (node, out) = reg
            .register_node(owner, &r)
            .with_context(|| format!("registering node {i}"))?;
        if let (Some(cu), true) = (out.compute_units, net.runs_sbf()) {
            register_cu_max = Some(register_cu_max.unwrap_or(0).max(cu));
        }
        registered.push((node, device.pubkey(), i / NODES_PER_OWNER));
        device_keys.push((node, device));
        pb.inc(1);
    }
    pb.finish_and_clear();

    let register_s = register_started.elapsed().as_secs_f64();
    let mut pb = bar(registered.len(), progress, "locations");
    for (i, (node, _, o)) in registered.iter().enumerate() {
        reg.assert_location(&owners[*o], &network, node, demo_cell(i))
            .with_context(|| format!("asserting location of node {i}"))?;
        pb.inc(1);
    }
    pb.finish_and_clear();

    // A little life: every 10th node changes hands, every 25th is suspended.
    let mut transferred = 0u64;
    let mut suspended = 0u64;
    let mut pb = bar(registered.len(), progress, "life");
    for (i, (node, _, o)) in registered.iter().enumerate() {
        pb.inc(1);
        if i % 10 == 9 {
            let next = &owners[(o + 1) % owners.len()];
            // two steps: the owner offers, the recipient accepts
            reg.transfer_node(&owners[*o], next, &network, node)?;
            transferred += 1;
        }
        if i % 25 == 24 {
            reg.set_node_status(&operator, &network, node, NodeStatus::Suspended)?;
            suspended += 1;
        }
    }
    pb.finish_and_clear();

    let on_chain = accounts::nodes_of(net, &network)?;
    let node_account_bytes = match registered.first() {
        Some((node, _, _)) => net
            .get_account(node)?
            .map(|a| a.data.len() as u64)
            .unwrap_or(0),
        None => 0,
    };
    let device_record_bytes = match registered.first() {
        Some((_, device, _)) => net
            .get_account(&crate::pda::device(&network, device).0)?
            .map(|a| a.data.len() as u64)
            .unwrap_or(0),
        None => 0,
    };
    let rewards = run_rewards(
        net,
        &keys,
        &operator,
        &network,
        &token_mint.pubkey(),
        &owners,
        &device_keys,
        &mut market,
        progress,
    )
    .context("running the reward epochs")?;
    let network_account = reg.network(&network)?;
    let supply = net
        .get_account(&credits_mint.pubkey())?
        .and_then(|a| tokens::supply(&a.data))
        .context("reading the credits supply")?;
    let s = st::settlement(net, &network)?;
    // the fees from chain, and what the demo's registrations and assertions should have
    // cost, to check them against
    let burned = s
        .credits_minted_total
        .saturating_sub(s.credits_burned_total)
        .saturating_sub(supply);
    let expected_fees = registered.len() as u64 * ONBOARDING_FEE_CREDITS
        + on_chain
            .iter()
            .map(|(_, n)| u64::from(n.location_changes))
            .sum::<u64>()
            * LOCATION_FEE_CREDITS;
    let mut rent_locked = 0u64;
    for (node, n) in &on_chain {
        for a in [*node, crate::pda::device(&network, &n.device_key).0] {
            rent_locked += net.get_account(&a)?.map_or(0, |a| a.lamports);
        }
    }
    let rent_per_node = match registered.first() {
        Some((node, device, _)) => [*node, crate::pda::device(&network, device).0]
            .iter()
            .map(|a| net.get_account(a).map(|a| a.map_or(0, |a| a.lamports)))
            .sum::<Result<u64, _>>()?,
        None => 0,
    };
    let usage = market.usage_totals(net)?;
    let suspended_on_chain = on_chain
        .iter()
        .filter(|(_, n)| n.status == NodeStatus::Suspended)
        .count() as u64;
    Ok(DemoReport {
        runtime: net.describe(),
        network: network.to_string(),
        makers: maker_accounts.len() as u64,
        owners: owners_n as u64,
        nodes_registered: registered.len() as u64,
        node_accounts_on_chain: on_chain.len() as u64,
        network_node_count: network_account.node_count,
        node_account_bytes,
        device_record_bytes,
        register_tx_bytes,
        register_fee_sol: crate::cli::lamports_to_sol(register_fee),
        rent_per_node_sol: crate::cli::lamports_to_sol(rent_per_node),
        rent_locked_sol: crate::cli::lamports_to_sol(rent_locked),
        registrations_per_second: (registered.len() as f64 / register_s.max(1e-9)) as u64,
        locations_asserted: on_chain.iter().filter(|(_, n)| n.location != 0).count() as u64,
        nodes_transferred: transferred,
        nodes_suspended: suspended_on_chain,
        tokens_burned_for_credits: s.tokens_burned_total,
        credits_minted: s.credits_minted_total,
        credits_burned: s.credits_burned_total + burned,
        credits_burned_for_usage: s.credits_burned_total,
        credits_burned_for_fees: burned,
        credits_delegated: usage.credits_delegated,
        credits_supply: supply,
        // the settlement's totals, the epochs' usage records and the mint agree
        credits_reconcile: burned == expected_fees
            && usage.credits_minted == s.credits_minted_total
            && usage.credits_burned == s.credits_burned_total
            && usage.tokens_burned_for_credits == s.tokens_burned_total
            && suspended == suspended_on_chain,
        credit_price_usd: market.price_usd(),
        customers: market.customers.len() as u64,
        register_compute_units_max: register_cu_max,
        proofs_sent: rewards.sectors.proofs_sent,
        forged_proofs_sent: rewards.sectors.forged_proofs_sent,
        proofs_accepted: rewards.sectors.proofs_accepted.clone(),
        proofs_rejected: rewards.sectors.proofs_rejected.clone(),
        challenges_opened: rewards.sectors.challenges_opened,
        storage_chunks_verified_on_chain: rewards.sectors.storage_chunks_verified_on_chain,
        receipts_sent: rewards.receipts_sent,
        receipts_accepted: rewards.receipts_accepted,
        receipts_rejected: rewards.receipts_rejected,
        bad_receipts_sent: rewards.bad_receipts_sent,
        oracle_roots_agree: rewards.oracle_roots_agree,
        oracles: rewards.oracles,
        oracle_threshold: rewards.threshold,
        epochs_finalized: rewards.epochs_finalized,
        epochs_by_accumulated_approvals: rewards.by_approvals,
        reports_voided: rewards.voided,
        rewards_minted: rewards.emitted + rewards.reminted,
        tokens_emitted: rewards.emitted,
        tokens_reminted: rewards.reminted,
        token_genesis: market.genesis_total,
        token_supply: rewards.token_supply,
        rewards_claimed: rewards.claimed,
        claims: rewards.claims,
        claim_transactions: rewards.claim_transactions,
        transferred_node_rewards_to_new_owner: rewards.transferred_to_new_owner,
        transferred_node_rewards_follow_owner: rewards.follow_owner,
        supply_reconciles: rewards.supply_reconciles,
        elapsed_ms: started.elapsed().as_millis() as u64,
    })
}

/// The demo token's USD price as Pyth would publish it (HNT/USD feed): an EMA of $2.50 with
/// a confidence of $0.0125; the oracles post around it.
const DEMO_EMA_PRICE: i64 = 250_000_000;
const DEMO_EMA_CONF: u64 = 1_250_000;
const DEMO_EXPO: i32 = -8;
/// Their median, $2.47, is below Pyth's conservative $2.475: see [`Market::price`].
const DEMO_ORACLE_POSTS: [i64; 3] = [247_000_000, 245_000_000, 249_000_000];
const DEMO_CUSTOMERS: usize = 3;
/// Each customer's genesis tokens, and what it burns for credits every epoch.
const CUSTOMER_TOKENS: u64 = 1_000_000_000;
const CUSTOMER_TOKENS_PER_EPOCH: u64 = 20_000_000;
/// Credits each customer delegates to the router and burns itself per epoch; the router
/// burns `ROUTER_BURN` of each customer's delegation.
const DELEGATE: u64 = 2_000_000;
const DIRECT_BURN: u64 = 1_000_000;
const ROUTER_BURN: u64 = 1_500_000;

/// The demo's burn-and-mint side: fee_settlement with a Pyth feed and the oracles' median,
/// customers, and a router that is the network's usage authority.
struct Market {
    operator: Keypair,
    network: Pubkey,
    oracles: Vec<Keypair>,
    customers: Vec<Keypair>,
    router: Keypair,
    /// The Pyth price account (embedded runtime only).
    pyth: Option<Pubkey>,
    keys: DemoKeys,
    genesis_total: u64,
    /// The oracle set's clock: epoch `e` starts at `genesis_ts + e · epoch length`.
    genesis_ts: i64,
    /// When the prices were last posted.
    net_clock: std::cell::Cell<i64>,
}

/// Sums over every epoch's usage record.
#[derive(Default)]
struct UsageTotals {
    tokens_burned_for_credits: u64,
    credits_minted: u64,
    credits_burned: u64,
    credits_delegated: u64,
}

impl Market {
    /// The oracle set (its clock numbers the epochs), the settlement with both price
    /// sources, a Pyth price account and the oracles' first posts.
    fn open(net: &DemoCluster, operator: &Keypair, network: &Pubkey) -> Result<Self> {
        use proof_verifier::OracleSetArgs;
        let keys = DemoKeys::market(net.seed());
        let reg = Registry::new(net);
        let oracles: Vec<Keypair> = (0..3).map(|_| keys.next()).collect();
        let router = keys.next();
        for o in oracles.iter().chain([&router]) {
            let fund = crate::ix::transfer_lamports(&operator.pubkey(), &o.pubkey(), 1_000_000_000);
            reg.send(&[fund], operator, &[])
                .context("funding an oracle")?;
        }
        let genesis_ts = net.unix_time()?;
        crate::verifier::Verifier::new(net)
            .init_oracle_set(
                operator,
                network,
                OracleSetArgs {
                    oracles: oracles.iter().map(|k| k.pubkey()).collect(),
                    threshold: 2,
                    genesis_ts,
                    epoch_length_s: net.epoch_length_s(),
                    challenge_period_s: net.challenge_s(),
                },
            )
            .context("creating the oracle set")?;
        // the Pyth account exists only where the demo can write it
        let pyth = keys.next().pubkey();
        let pyth = matches!(net, DemoCluster::Embedded(_)).then_some(pyth);
        let m = Market {
            operator: operator.insecure_clone(),
            network: *network,
            oracles,
            customers: vec![],
            router,
            pyth,
            keys,
            genesis_total: 0,
            genesis_ts,
            net_clock: std::cell::Cell::new(i64::MIN),
        };
        Settle::new(net)
            .initialize(
                operator,
                network,
                fee_settlement::SettlementArgs {
                    credits_per_usd: fee_settlement::state::DEFAULT_CREDITS_PER_USD,
                    source: if pyth.is_some() {
                        PriceSource::Both
                    } else {
                        PriceSource::OracleMedian
                    },
                    pyth_feed_id: st::feed_id(st::HNT_USD_FEED)?,
                    max_price_age_s: 600,
                    max_conf_bps: 200,
                    conf_multiplier: 2,
                    oracle_expo: DEMO_EXPO,
                    usage_authority: m.router.pubkey(),
                    breaker_window_s: 86_400,
                    breaker_threshold: 1_000_000_000_000,
                },
            )
            .context("creating the settlement")?;
        m.refresh_prices(net)?;
        Ok(m)
    }

    /// The conservative price every purchase in the demo gets: the lower of Pyth's
    /// `ema − 2 · conf` and the oracles' median — the median, so a cluster without Pyth
    /// (the oracles' median alone) prices exactly as the embedded run.
    fn price(&self) -> Result<Price> {
        let pyth = Price {
            price: DEMO_EMA_PRICE,
            conf: DEMO_EMA_CONF,
            expo: DEMO_EXPO,
        }
        .conservative(2, 200)
        .map_err(|e| anyhow::anyhow!("demo price: {e:?}"))?;
        let mut posts = DEMO_ORACLE_POSTS;
        posts.sort_unstable();
        let median = Price {
            price: posts[1],
            conf: 0,
            expo: DEMO_EXPO,
        };
        pyth.lower(median)
            .map_err(|e| anyhow::anyhow!("demo price: {e:?}"))
    }

    fn price_usd(&self) -> String {
        self.price()
            .map(|p| crate::cli::format_price(p.price, p.expo))
            .unwrap_or_default()
    }

    /// Token base units that buy at least `credits` at the demo's price.
    fn tokens_for(&self, credits: u64) -> Result<u64> {
        self.price()?
            .tokens_for_credits(credits, 6, fee_settlement::state::DEFAULT_CREDITS_PER_USD)
            .map_err(|e| anyhow::anyhow!("tokens for {credits} credits: {e:?}"))
    }

    /// A fresh Pyth update (written as the receiver would, on the embedded runtime) and
    /// fresh oracle posts, once per point in time (on a cluster, every few minutes).
    fn refresh_prices(&self, net: &DemoCluster) -> Result<()> {
        let now = net.unix_time()?;
        if now < self.net_clock.get().saturating_add(net.price_refresh_s()) {
            return Ok(());
        }
        if let (DemoCluster::Embedded(embedded), Some(pyth)) = (net, self.pyth) {
            let update = PythPrice {
                feed_id: st::feed_id(st::HNT_USD_FEED)?,
                price: DEMO_EMA_PRICE,
                conf: DEMO_EMA_CONF,
                ema_price: DEMO_EMA_PRICE,
                ema_conf: DEMO_EMA_CONF,
                expo: DEMO_EXPO,
                publish_time: now,
                full_verification: true,
            };
            embedded.set_account(&pyth, update.account()?);
        }
        let settle = Settle::new(net);
        for (o, p) in self.oracles.iter().zip(DEMO_ORACLE_POSTS) {
            settle
                .post_price(o, &self.network, p)
                .context("posting an oracle price")?;
        }
        self.net_clock.set(now);
        Ok(())
    }

    /// Mints `amount` genesis tokens to `owner` (the operator is still the mint authority).
    fn genesis(
        &mut self,
        net: &DemoCluster,
        mint: &Pubkey,
        owner: &Pubkey,
        amount: u64,
    ) -> Result<()> {
        Registry::new(net)
            .mint_to_owner(&self.operator, &self.operator, mint, owner, amount)
            .context("minting genesis tokens")?;
        self.genesis_total = self
            .genesis_total
            .checked_add(amount)
            .context("genesis overflows")?;
        Ok(())
    }

    /// `buyer` burns `tokens_amount` for credits at the current prices.
    fn buy(&self, net: &DemoCluster, buyer: &Keypair, tokens_amount: u64) -> Result<()> {
        self.refresh_prices(net)?;
        Settle::new(net)
            .buy(buyer, &self.network, self.pyth, tokens_amount, 0)
            .context("buying credits")?;
        Ok(())
    }

    /// Customers, funded with SOL and genesis tokens.
    fn add_customers(&mut self, net: &DemoCluster, mint: &Pubkey) -> Result<()> {
        for _ in 0..DEMO_CUSTOMERS {
            let c = self.keys.next();
            let fund =
                crate::ix::transfer_lamports(&self.operator.pubkey(), &c.pubkey(), 100_000_000);
            Registry::new(net)
                .send(&[fund], &self.operator, &[])
                .context("funding a customer")?;
            self.genesis(net, mint, &c.pubkey(), CUSTOMER_TOKENS)?;
            self.customers.push(c);
        }
        Ok(())
    }

    /// One epoch of usage: each customer buys credits, delegates some to the router and
    /// burns some itself; the router burns part of each delegation.
    fn epoch_usage(&self, net: &DemoCluster) -> Result<()> {
        let settle = Settle::new(net);
        let router = self.router.pubkey();
        for c in &self.customers {
            self.buy(net, c, CUSTOMER_TOKENS_PER_EPOCH)?;
            settle
                .delegate(c, &self.network, &router, DELEGATE)
                .context("delegating credits to the router")?;
            settle
                .burn(c, &self.network, DIRECT_BURN)
                .context("burning credits for usage")?;
            settle
                .burn_delegated(&self.router, &self.network, &router, ROUTER_BURN)
                .context("the router burning delegated credits")?;
        }
        Ok(())
    }

    /// Sums over every epoch's usage record up to the current epoch.
    fn usage_totals(&self, net: &DemoCluster) -> Result<UsageTotals> {
        let s = st::settlement(net, &self.network)?;
        let now = st::current_epoch(net, &s)?;
        let mut t = UsageTotals::default();
        for e in 0..=now {
            if let Some(u) = st::usage(net, &self.network, e)? {
                t.tokens_burned_for_credits += u.tokens_burned_for_credits;
                t.credits_minted += u.credits_minted;
                t.credits_burned += u.credits_burned;
                t.credits_delegated += u.credits_delegated;
            }
        }
        Ok(t)
    }
}

/// Epochs the demo runs.
pub const DEMO_EPOCHS: u64 = 6;
const EPOCH_LENGTH_S: u32 = 3_600;
const CHALLENGE_S: u32 = 600;

struct RewardsSummary {
    receipts_sent: u64,
    receipts_accepted: u64,
    receipts_rejected: u64,
    bad_receipts_sent: u64,
    oracle_roots_agree: bool,
    oracles: u64,
    threshold: u64,
    epochs_finalized: u64,
    by_approvals: u64,
    voided: u64,
    emitted: u64,
    reminted: u64,
    token_supply: u64,
    claimed: u64,
    claims: u64,
    claim_transactions: u64,
    transferred_to_new_owner: u64,
    follow_owner: bool,
    supply_reconciles: bool,
    sectors: crate::demo_sectors::SectorTally,
}

/// Every active device signs one batch of three receipts adding up to its epoch's work and
/// posts it to oracle `i % 3`; every fourth also to the next oracle, so the oracles hold
/// overlapping parts and agree only after pulling from each other. Oracle 1 gets JSON, the
/// others the binary body. Returns the receipts posted.
fn send_receipts(
    services: &crate::oracle::local::LocalOracles,
    network: &Pubkey,
    devices: &[(Pubkey, Keypair)],
    active: &std::collections::BTreeSet<Pubkey>,
    epoch: u64,
) -> Result<u64> {
    use crate::oracle::receipts::{Receipt, SignedBatch, Submission};
    let n = services.oracles.len();
    let mut per_oracle: Vec<Vec<SignedBatch>> = vec![vec![]; n];
    let signed = crate::par::map(devices.len(), |i| {
        let (node, device) = &devices[i];
        if !active.contains(node) {
            return None;
        }
        let w = demo_work(i, epoch);
        let parts = [w / 3, w / 3, w - 2 * (w / 3)];
        let receipts = parts
            .iter()
            .enumerate()
            .map(|(j, w)| Receipt {
                seq: j as u64,
                work_units: *w,
            })
            .collect();
        Some(SignedBatch::sign(
            &network.to_bytes(),
            device,
            epoch,
            receipts,
        ))
    });
    for (i, b) in signed.into_iter().enumerate() {
        let Some(b) = b else { continue };
        let b = b?;
        if i % 4 == 0 {
            per_oracle[(i + 1) % n].push(b.clone());
        }
        per_oracle[i % n].push(b);
    }
    let mut sent = 0u64;
    for (i, batches) in per_oracle.into_iter().enumerate() {
        let count: u64 = batches.iter().map(|b| b.receipts.len() as u64).sum();
        let sub = Submission {
            network: network.to_bytes(),
            batches,
        };
        let (ct, body) = if i == 1 {
            ("application/json", serde_json::to_vec(&sub.to_json())?)
        } else {
            ("application/octet-stream", sub.encode())
        };
        let r = services
            .http
            .post(&format!("{}/v1/receipts", services.url(i)), ct, body)?;
        anyhow::ensure!(
            r.status == 200,
            "oracle {i} refused receipts: {} {}",
            r.status,
            r.body
        );
        sent += count;
    }
    Ok(sent)
}

/// Three receipts that must be refused, one per reason: a forged signature, a device no
/// node has, and a receipt the oracle already holds.
fn send_bad_receipts(
    services: &crate::oracle::local::LocalOracles,
    network: &Pubkey,
    devices: &[(Pubkey, Keypair)],
) -> Result<u64> {
    use crate::oracle::receipts::{Receipt, SignedBatch, Submission};
    let (_, device) = devices.first().context("the demo has no devices")?;
    let net = network.to_bytes();
    let impostor = Keypair::new_from_array([0xbb; 32]);
    let mut forged = SignedBatch::sign(
        &net,
        &impostor,
        0,
        vec![Receipt {
            seq: 99,
            work_units: 5,
        }],
    )?;
    forged.device = device.pubkey().to_bytes();
    let unknown = SignedBatch::sign(
        &net,
        &impostor,
        0,
        vec![Receipt {
            seq: 0,
            work_units: 5,
        }],
    )?;
    let w = demo_work(0, 0) / 3;
    let replay = SignedBatch::sign(
        &net,
        device,
        0,
        vec![Receipt {
            seq: 0,
            work_units: w,
        }],
    )?;
    let sub = Submission {
        network: net,
        batches: vec![forged, unknown, replay],
    };
    let r = services.http.post(
        &format!("{}/v1/receipts", services.url(0)),
        "application/octet-stream",
        sub.encode(),
    )?;
    anyhow::ensure!(
        r.status == 200,
        "the bad receipts' request: {} {}",
        r.status,
        r.body
    );
    let v: serde_json::Value = serde_json::from_str(&r.body)?;
    let reasons: Vec<&str> = v["rejected"]
        .as_array()
        .map(|a| a.iter().filter_map(|r| r["reason"].as_str()).collect())
        .unwrap_or_default();
    anyhow::ensure!(
        reasons == ["bad_signature", "unknown_device", "replay"] && v["accepted"] == 0,
        "the oracle took bad receipts: {}",
        r.body
    );
    Ok(3)
}

/// Work units the `index`th device reports in an epoch: varied but repeatable, and the
/// same whatever the run's addresses (so every cluster's run pays the same rewards).
fn demo_work(index: usize, epoch: u64) -> u64 {
    let i = index as u64;
    1 + (i * 31 + i / 7 + epoch * 7) % 20
}

fn mint_supply(net: &DemoCluster, mint: &anchor_lang::prelude::Pubkey) -> Result<u64> {
    net.get_account(mint)?
        .and_then(|a| tokens::supply(&a.data))
        .context("reading the reward supply")
}

/// Oracles attest epochs, the schedule mints, owners claim; one node changes hands between
/// claims. Every figure returned is read back from accounts.
#[allow(clippy::too_many_arguments)]
fn run_rewards(
    net: &DemoCluster,
    keys: &DemoKeys,
    operator: &Keypair,
    network: &anchor_lang::prelude::Pubkey,
    token_mint: &anchor_lang::prelude::Pubkey,
    owners: &[Keypair],
    devices: &[(Pubkey, Keypair)],
    market: &mut Market,
    progress: bool,
) -> Result<RewardsSummary> {
    use crate::emissions::{self as em, Emissions, RewardAccounts};
    use crate::rewards::EpochRewardsFile;
    use crate::verifier::Verifier;
    use emissions::{Decay, ScheduleArgs};
    use std::collections::BTreeMap;

    let reg = Registry::new(net);
    let v = Verifier::new(net);
    let e = Emissions::new(net);
    // Customers get their genesis tokens, then the network's token becomes the reward
    // token: the emissions PDA takes its mint authority.
    market.add_customers(net, token_mint)?;
    let oracles = &market.oracles;
    let handover = tokens::set_mint_authority(
        &tokens::TOKEN_PROGRAM,
        token_mint,
        &operator.pubkey(),
        &em::authority_address(network),
    )?;
    reg.send(&[handover], operator, &[])
        .context("handing the mint authority to emissions")?;
    // the supply at the handover: the genesis allocation less what owners burned so far
    let genesis_supply = mint_supply(net, token_mint)?
        + crate::settlement::settlement(net, network)?.tokens_burned_total;
    let mint = token_mint;
    let ata = |owner: &anchor_lang::prelude::Pubkey| {
        crate::pda::associated_token(owner, mint, &tokens::TOKEN_PROGRAM)
    };
    let oracle_wallet = keys.next();
    let treasury_wallet = keys.next();
    for w in [&oracle_wallet, &treasury_wallet] {
        let ix = tokens::create_associated_account(
            &operator.pubkey(),
            &w.pubkey(),
            mint,
            &tokens::TOKEN_PROGRAM,
        );
        reg.send(&[ix], operator, &[])
            .context("creating a share account")?;
    }
    let initial = 1_000_000_000u64; // 1,000 tokens of 6 decimals
    let args = ScheduleArgs {
        initial_per_epoch: initial,
        decay: Decay::Halving { interval_epochs: 2 },
        tail_per_epoch: initial / 10,
        max_supply: 1_000_000 * initial,
        operators_bps: 8_000,
        oracles_bps: 1_000,
        treasury_bps: 1_000,
        breaker_window_s: 86_400,
        breaker_threshold: 10 * initial,
        first_epoch: 0,
        // half of each epoch's burns come back with its emission, at most 100 tokens
        bme_share_bps: 5_000,
        bme_cap_per_epoch: initial / 10,
    };
    let rewards = RewardAccounts {
        reward_mint: *mint,
        oracle_rewards: ata(&oracle_wallet.pubkey()),
        treasury: ata(&treasury_wallet.pubkey()),
        token_program: tokens::TOKEN_PROGRAM,
    };
    e.initialize(operator, network, rewards, args.clone())
        .context("initialising emissions")?;

    let mut previous: BTreeMap<anchor_lang::prelude::Pubkey, u64> = BTreeMap::new();
    let mut claims = 0u64;
    let mut claim_transactions = 0u64;
    let mut by_approvals = 0u64;
    let mut voided = 0u64;
    // The node that changes hands, its new owner, and balances around its later claim.
    let new_owner = keys.next();
    let fund = crate::ix::transfer_lamports(&operator.pubkey(), &new_owner.pubkey(), 100_000_000);
    reg.send(&[fund], operator, &[])?;
    let mut moved: Option<(
        anchor_lang::prelude::Pubkey,
        anchor_lang::prelude::Pubkey,
        u64,
    )> = None;
    let mut moved_before_last = (0u64, 0u64);

    // Three oracle services on loopback, each with its own SQLite store, peers of each
    // other. Devices send them their receipts over HTTP; at each epoch's end every oracle
    // pulls the others' receipts, builds the same tree and attests it on chain.
    let oracle_dir = tempfile::tempdir().context("creating the oracles' data directory")?;
    let services =
        crate::oracle::local::LocalOracles::start(network, oracles, oracle_dir.path(), |c| {
            // the demo's clock jumps from one epoch to the next: no grace period
            c.limits.grace_s = 0;
            crate::demo_sectors::configure(c);
        })?;
    // storage nodes commit their data before the first epoch's seed
    let active_at_start: std::collections::BTreeSet<Pubkey> = accounts::nodes_of(net, network)?
        .into_iter()
        .filter(|(_, n)| n.status == NodeStatus::Active)
        .map(|(k, _)| k)
        .collect();
    let mut sectors =
        crate::demo_sectors::SectorDemo::setup(net, network, devices, owners, &active_at_start)?;
    let mut receipts_sent = 0u64;
    let mut bad_receipts_sent = 0u64;
    let mut roots_agree = true;

    let mut pb = bar(DEMO_EPOCHS as usize, progress, "epochs");
    // where an epoch's time goes, printed with the phase's last line
    let mut split = Split::default();
    for epoch in 0..DEMO_EPOCHS {
        // A slow cluster would move this epoch's usage into the next one.
        let now =
            crate::settlement::current_epoch(net, &crate::settlement::settlement(net, network)?)?;
        anyhow::ensure!(
            now == epoch,
            "epoch {epoch} starts in epoch {now} of {cluster}: {cluster} could not keep up with {}-second epochs (a longer --epoch-seconds, or fewer --nodes)",
            net.epoch_length_s(),
            cluster = net.describe()
        );
        // Customers buy credits and use them, directly and through the router.
        split.start("usage");
        market.epoch_usage(net)?;
        split.start("registry refresh");
        services.refresh(net)?;
        let active: std::collections::BTreeSet<Pubkey> = accounts::nodes_of(net, network)?
            .into_iter()
            .filter(|(_, n)| n.status == NodeStatus::Active)
            .map(|(k, _)| k)
            .collect();
        split.start("sector proofs");
        let late = epoch == 0 && matches!(net, DemoCluster::Embedded(_));
        sectors.epoch(
            net, &services, operator, network, devices, &active, epoch, late,
        )?;
        split.start("receipts");
        receipts_sent += send_receipts(&services, network, devices, &active, epoch)?;
        if epoch == 0 {
            bad_receipts_sent += send_bad_receipts(&services, network, devices)?;
        }
        // The epoch ends by the oracle set's clock before anyone may report it.
        net.end_epoch(market.genesis_ts, epoch)?;
        if epoch == 2 {
            // A faulty oracle inflates one node before the services report; another
            // disputes, the authority voids, and the services report round 1.
            let mut inflated: BTreeMap<_, _> = devices
                .iter()
                .enumerate()
                .filter(|(_, (k, _))| active.contains(k))
                .map(|(i, (k, _))| (*k, demo_work(i, epoch)))
                .collect();
            if let Some(w) = inflated.values_mut().next() {
                *w = w.saturating_mul(1_000);
            }
            let bad =
                EpochRewardsFile::compute_for_network(net, network, epoch, &previous, &inflated)?;
            v.submit_report(&oracles[2], network, bad.report_content(0)?, &[])?;
            v.dispute_report(&oracles[0], network, epoch)?;
            v.void_report(operator, network, epoch)?;
            voided += 1;
        }
        split.start("oracles");
        let results = services.run_epoch(net, epoch)?;
        sectors.record(results.first().and_then(|r| r.sectors.as_ref()));
        roots_agree &= results.windows(2).all(|w| w[0].root == w[1].root)
            && results
                .iter()
                .map(|r| r.action.as_str())
                .collect::<Vec<_>>()
                == ["submitted", "approved", "approved"];
        let report = crate::verifier::report(net, network, epoch)?;
        if report.approval_count as usize == oracles.len() {
            by_approvals += 1;
        }
        // claimers read the tree from an oracle's API
        let file: EpochRewardsFile = services
            .http
            .get_json(&format!("{}/v1/rewards/{epoch}", services.url(0)))?;
        roots_agree &= file.root_bytes()? == report.root;
        split.start("finalise");
        net.wait(net.challenge_s())?;
        v.finalize_report(operator, network, epoch)
            .with_context(|| format!("finalising the report of epoch {epoch}"))?;
        e.finalize_epoch(operator, network, epoch)
            .with_context(|| format!("finalising epoch {epoch}"))?;
        previous = file.cumulative()?;

        // Claims: after epoch 2 for everyone (a crank pays), then node 0 changes hands;
        // after the last epoch everyone claims again and the new owner gets node 0's rest.
        if epoch == 2 || epoch == DEMO_EPOCHS - 1 {
            if epoch == DEMO_EPOCHS - 1 {
                if let Some((_, old, _)) = moved {
                    moved_before_last = (
                        reg.token_balance(&ata(&old)).unwrap_or(0),
                        reg.token_balance(&ata(&new_owner.pubkey())).unwrap_or(0),
                    );
                }
            }
            // a suspended node's rewards wait
            split.start("claims");
            let batch = file
                .claimable(net, accounts::nodes_of(net, network)?)?
                .claims;
            claims += batch.len() as u64;
            for ixs in em::pack_claims(net, &operator.pubkey(), network, batch)? {
                reg.send(&ixs, operator, &[]).context("claiming")?;
                claim_transactions += 1;
            }
            if epoch == 2 {
                let first = owners.first().context("the demo has no owners")?;
                let mut node = None;
                for (k, _) in devices {
                    let n = accounts::node(net, k)?;
                    if n.owner == first.pubkey() && n.status == NodeStatus::Active {
                        node = Some(*k);
                        break;
                    }
                }
                let node = node.context("the first owner has no active node")?;
                let paid = em::claim_record(net, &node)?.map_or(0, |r| r.claimed);
                reg.transfer_node(first, &new_owner, network, &node)?;
                moved = Some((node, first.pubkey(), paid));
            }
        }
        split.stop();
        pb.inc(1);
    }
    pb.finish_and_clear();
    if progress {
        eprintln!("epochs: {}", split.summary());
    }

    let s = em::schedule(net, network)?;
    let supply = mint_supply(net, mint)?;
    // The schedule's promise, recomputed from its parameters alone, and the re-mint from
    // each epoch's usage record.
    let core = s.core();
    let mut expected = 0u64;
    let mut expected_remint = 0u64;
    for epoch in 0..s.epochs_finalized {
        expected = expected
            .checked_add(core.amount_for_epoch(epoch, expected))
            .context("expected emissions overflow")?;
        let burned = em::tokens_burned_in(net, network, epoch)?;
        expected_remint = expected_remint
            .checked_add(depin_core::price::bme_remint(
                burned,
                args.bme_share_bps,
                args.bme_cap_per_epoch,
            ))
            .context("expected re-mint overflows")?;
    }
    let burned_total = crate::settlement::settlement(net, network)?.tokens_burned_total;
    let mut claimed = 0u64;
    for owner in owners
        .iter()
        .map(|o| o.pubkey())
        .chain([new_owner.pubkey()])
    {
        if net.get_account(&ata(&owner))?.is_some() {
            claimed = claimed.saturating_add(reg.token_balance(&ata(&owner))?);
        }
    }
    let (transferred_to_new_owner, follow_owner) = match moved {
        Some((node, old, paid_before)) => {
            let paid_now = em::claim_record(net, &node)?.map_or(0, |r| r.claimed);
            let new_balance = reg.token_balance(&ata(&new_owner.pubkey())).unwrap_or(0);
            let old_balance = reg.token_balance(&ata(&old)).unwrap_or(0);
            let later = paid_now.saturating_sub(paid_before);
            // The old owner's other nodes also claimed in the last round: compare against
            // what those paid, so only node 0's part is attributed.
            let new_gain = new_balance.saturating_sub(moved_before_last.1);
            let owner_now = accounts::node(net, &node)?.owner;
            (
                new_gain,
                later > 0
                    && new_gain == later
                    && owner_now == new_owner.pubkey()
                    && old_balance >= moved_before_last.0,
            )
        }
        None => (0, false),
    };
    let (receipts_accepted, receipts_rejected) = services.totals();
    Ok(RewardsSummary {
        sectors: sectors.tally,
        oracles: oracles.len() as u64,
        threshold: 2,
        epochs_finalized: s.epochs_finalized,
        by_approvals,
        voided,
        emitted: s.emitted_total,
        reminted: s.reminted_total,
        token_supply: supply,
        claimed,
        claims,
        claim_transactions,
        transferred_to_new_owner,
        follow_owner,
        receipts_sent,
        receipts_accepted,
        receipts_rejected,
        bad_receipts_sent,
        oracle_roots_agree: roots_agree,
        supply_reconciles: s.epochs_finalized > 0
            && genesis_supply == market.genesis_total
            && s.emitted_total == expected
            && s.reminted_total == expected_remint
            && u128::from(supply) + u128::from(burned_total)
                == u128::from(market.genesis_total)
                    + u128::from(expected)
                    + u128::from(expected_remint),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_cells_are_valid_and_distinct() {
        let cells: std::collections::BTreeSet<u64> = (0..5000).map(demo_cell).collect();
        assert_eq!(cells.len(), 5000);
        assert!(cells.iter().all(|c| depin_core::h3::is_valid_cell(*c)));
    }
}
