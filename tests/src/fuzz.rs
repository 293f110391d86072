//! The stateful fuzzer (issue 12): actors pick random instructions across all four programs
//! with random, often invalid, arguments and accounts, the clock jumps at random, and after
//! every step the economic invariants are checked against chain state. Every transaction
//! goes through [`Watch`], which checks that a refused one changed no account it named.
//!
//! Hand-rolled rather than Trident or a proptest state machine: Trident pins its own Anchor
//! and Solana versions (not our 1.2.2 / Agave 3.1), and our runtime is the embedded one the
//! whole suite uses; a seeded generator keeps every sequence reproducible by its seed.
use crate::rewards::CHALLENGE_S;
use crate::settlement::{SettlementWorld, EMA_PRICE, EXPO, TOKEN_DECIMALS};
use crate::EPOCH_S_FOR_REWARDS as EPOCH_S;
use anchor_lang::prelude::Pubkey;
use depin::attest;
use depin::emissions::{self as em, Emissions, RewardAccounts};
use depin::registry::{Registration, Registry};
use depin::transport::embedded::EmbeddedNetwork;
use depin::transport::{AccountFilter, Transport, TransportResult, TxOutcome};
use depin::verifier::{ReportContent, Verifier};
use depin_core::rewards::EpochRewards;
use depin_core::sha256::Soft;
use emissions::{ClaimArgs, Decay, ScheduleArgs};
use fee_settlement::state::PriceSource;
use node_registry::state::{Capacity, NodeStatus};
use node_registry::AddMakerArgs;
use solana_account::Account;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// What a run did.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    pub sequences: u64,
    pub steps: u64,
    /// Transactions sent, landed and refused; instructions in the landed ones.
    pub transactions: u64,
    pub landed: u64,
    pub refused: u64,
    pub instructions: u64,
    /// Refusals by error name.
    pub errors: BTreeMap<String, u64>,
    pub invariant_checks: u64,
    /// Account swaps that landed anyway: (instruction, account slot, what was passed).
    pub landed_swaps: BTreeMap<String, u64>,
}

impl Stats {
    pub fn add(&mut self, o: &Stats) {
        self.sequences += o.sequences;
        self.steps += o.steps;
        self.transactions += o.transactions;
        self.landed += o.landed;
        self.refused += o.refused;
        self.instructions += o.instructions;
        self.invariant_checks += o.invariant_checks;
        for (k, v) in &o.errors {
            *self.errors.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &o.landed_swaps {
            *self.landed_swaps.entry(k.clone()).or_default() += v;
        }
    }
}

/// The embedded network, watched: a refused transaction must leave every account it named
/// as it was (its fee payer may lose the fee).
pub struct Watch<'a> {
    pub net: &'a EmbeddedNetwork,
    pub stats: Mutex<Stats>,
    pub violations: Mutex<Vec<String>>,
}

impl Watch<'_> {
    fn snapshot(&self, keys: &[Pubkey]) -> Vec<Option<Account>> {
        keys.iter()
            .map(|k| self.net.get_account(k).ok().flatten())
            .collect()
    }

    fn watched(
        &self,
        keys: &[Pubkey],
        instructions: usize,
        send: impl FnOnce() -> TransportResult<TxOutcome>,
    ) -> TransportResult<TxOutcome> {
        let before = self.snapshot(keys);
        let out = send();
        let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
        stats.transactions += 1;
        match &out {
            Ok(_) => {
                stats.landed += 1;
                stats.instructions += instructions as u64;
            }
            Err(e) => {
                stats.refused += 1;
                let name = match e.failure() {
                    Some(f) => match &f.anchor {
                        Some(a) => a.name.clone(),
                        // a runtime or token-program refusal: its kind, without the index
                        None => match &f.error {
                            solana_transaction_error::TransactionError::InstructionError(_, e) => {
                                format!("{e:?}")
                            }
                            e => format!("{e:?}"),
                        },
                    },
                    None => "transport".into(),
                };
                *stats.errors.entry(name.clone()).or_default() += 1;
                let after = self.snapshot(keys);
                for (i, k) in keys.iter().enumerate() {
                    let (b, a) = (&before[i], &after[i]);
                    let same = if i == 0 {
                        b.as_ref().map(|x| &x.data) == a.as_ref().map(|x| &x.data)
                    } else {
                        b == a
                    };
                    if !same {
                        self.violations
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .push(format!("refused with {name}, yet account {k} changed"));
                    }
                }
            }
        }
        out
    }
}

impl Transport for Watch<'_> {
    fn get_account(&self, a: &Pubkey) -> TransportResult<Option<Account>> {
        self.net.get_account(a)
    }
    fn latest_blockhash(&self) -> TransportResult<solana_hash::Hash> {
        self.net.latest_blockhash()
    }
    fn send(&self, tx: &solana_transaction::Transaction) -> TransportResult<TxOutcome> {
        self.watched(
            &tx.message.account_keys,
            tx.message.instructions.len(),
            || self.net.send(tx),
        )
    }
    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        let keys = tx.message.static_account_keys().to_vec();
        self.watched(&keys, tx.message.instructions().len(), || {
            self.net.send_versioned(tx)
        })
    }
    fn slot(&self) -> TransportResult<u64> {
        self.net.slot()
    }
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        self.net.wait_past_slot(slot)
    }
    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>> {
        self.net.program_accounts(program, filters)
    }
    fn unix_time(&self) -> TransportResult<i64> {
        self.net.unix_time()
    }
    fn describe(&self) -> String {
        "fuzz".into()
    }
    fn simulate(
        &self,
        tx: &solana_transaction::Transaction,
    ) -> TransportResult<depin::transport::Simulation> {
        self.net.simulate(tx)
    }
    fn fee_for_message(&self, m: &solana_message::Message) -> TransportResult<u64> {
        self.net.fee_for_message(m)
    }
    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<solana_signature::Signature>,
        until: Option<solana_signature::Signature>,
        limit: usize,
    ) -> TransportResult<Vec<depin::transport::SignatureEntry>> {
        self.net
            .signatures_for_address(address, before, until, limit)
    }
    fn transaction_events(
        &self,
        signature: &solana_signature::Signature,
    ) -> TransportResult<depin::transport::LandedEvents> {
        self.net.transaction_events(signature)
    }
}

/// SplitMix64, seeded: the same sequence for the same seed everywhere.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x5eed_f022)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> Option<&'a T> {
        if v.is_empty() {
            None
        } else {
            v.get(self.below(v.len() as u64) as usize)
        }
    }
    /// A value from a range that favours the edges: 0, 1, the maximum, just above a limit.
    pub fn amount(&mut self, typical: u64) -> u64 {
        match self.below(10) {
            0 => 0,
            1 => 1,
            2 => u64::MAX,
            3 => typical.saturating_mul(1_000_000),
            _ => 1 + self.below(typical.max(1)),
        }
    }
}

const TOKEN: u64 = 1_000_000;
const PER_EPOCH: u64 = 1_000 * TOKEN;
const BME_CAP: u64 = 30 * TOKEN;
const MAX_SUPPLY: u64 = 1_000_000 * PER_EPOCH;

struct Maker {
    attestation: Keypair,
    address: Pubkey,
}

struct FuzzNode {
    node: Pubkey,
}

/// One sequence's world and the model the invariants compare against.
pub struct Fuzz<'w> {
    w: &'w SettlementWorld,
    t: &'w Watch<'w>,
    rng: Rng,
    makers: Vec<Maker>,
    /// Owners and customers (index 0.. owners, then customers) and the attacker.
    owners: Vec<Keypair>,
    customers: Vec<Keypair>,
    attacker: Keypair,
    nodes: Vec<FuzzNode>,
    first_epoch: u64,
    /// Next epoch to report, and each node's lifetime total in the newest root.
    next_report: u64,
    newest: Option<(u64, EpochRewards)>,
    /// Token supply before emissions took the mint.
    genesis_supply: u64,
    /// Credits the registry burned for fees (from the fees of what landed).
    fee_credits_burned: u64,
    /// The most credits the buys that landed could mint at the feed's price.
    credits_cap: u128,
    onboarding_fee: u64,
    location_fee: u64,
}

fn schedule(first_epoch: u64) -> ScheduleArgs {
    ScheduleArgs {
        initial_per_epoch: PER_EPOCH,
        decay: Decay::Halving { interval_epochs: 3 },
        tail_per_epoch: PER_EPOCH / 10,
        max_supply: MAX_SUPPLY,
        operators_bps: 8_000,
        oracles_bps: 1_000,
        treasury_bps: 1_000,
        breaker_window_s: 86_400,
        breaker_threshold: 10 * (PER_EPOCH + BME_CAP),
        first_epoch,
        bme_share_bps: 5_000,
        bme_cap_per_epoch: BME_CAP,
    }
}

impl<'w> Fuzz<'w> {
    /// A settled network whose token is the reward token: two makers, three owners with
    /// credits, two customers with tokens, an attacker with SOL and tokens of its own.
    pub fn new(w: &'w SettlementWorld, t: &'w Watch<'w>, seed: u64) -> Self {
        let reg = Registry::new(&w.net);
        let mut makers = vec![];
        for _ in 0..2 {
            let maker_key = w.key();
            let attestation = w.key();
            let (address, _) = reg
                .add_maker(
                    &w.operator,
                    &w.network,
                    AddMakerArgs {
                        maker_key: maker_key.pubkey(),
                        attestation_key: attestation.pubkey(),
                        device_cap: Some(20),
                    },
                )
                .expect("maker");
            makers.push(Maker {
                attestation,
                address,
            });
        }
        let owners: Vec<Keypair> = (0..3).map(|_| w.customer(100 * TOKEN)).collect();
        for o in &owners {
            w.buy(o, 10 * TOKEN).expect("owner credits");
        }
        let customers: Vec<Keypair> = (0..2).map(|_| w.customer(1_000 * TOKEN)).collect();
        let attacker = w.customer(100 * TOKEN);
        // the token becomes the reward token
        let authority = em::authority_address(&w.network);
        let ix = depin::tokens::set_mint_authority(
            &w.token_program,
            &w.token_mint,
            &w.operator.pubkey(),
            &authority,
        )
        .expect("authority");
        w.send(&[ix], &w.operator, &[]).expect("hand over the mint");
        let shares: Vec<Pubkey> = (0..2)
            .map(|_| {
                let owner = w.key();
                let ix = depin::tokens::create_associated_account(
                    &w.operator.pubkey(),
                    &owner.pubkey(),
                    &w.token_mint,
                    &w.token_program,
                );
                w.send(&[ix], &w.operator, &[]).expect("share account");
                w.token_account(&owner.pubkey())
            })
            .collect();
        let rewards = RewardAccounts {
            reward_mint: w.token_mint,
            oracle_rewards: shares[0],
            treasury: shares[1],
            token_program: w.token_program,
        };
        let first_epoch = w.epoch();
        Emissions::new(&w.net)
            .initialize(&w.operator, &w.network, rewards, schedule(first_epoch))
            .expect("emissions");
        let settlement = w.settlement();
        let network =
            depin::accounts::fetch::<node_registry::state::Network>(&w.net, "network", &w.network)
                .expect("network")
                .expect("network");
        let s = &settlement;
        let credits_cap = u128::from(s.credits_minted_total);
        Fuzz {
            w,
            t,
            rng: Rng::new(seed),
            makers,
            owners,
            customers,
            attacker,
            nodes: vec![],
            first_epoch,
            next_report: first_epoch,
            newest: None,
            genesis_supply: w.supply(&w.token_mint) + s.tokens_burned_total,
            fee_credits_burned: 0,
            credits_cap,
            onboarding_fee: network.onboarding_fee_credits,
            location_fee: network.location_fee_credits,
        }
    }

    fn reg(&self) -> Registry<'_> {
        Registry::new(self.t)
    }

    /// Someone who may or may not be entitled: an owner, a customer or the attacker.
    fn anyone(&mut self) -> &Keypair {
        match self.rng.below(3) {
            0 => &self.attacker,
            1 => {
                let i = self.rng.below(self.customers.len() as u64) as usize;
                &self.customers[i]
            }
            _ => {
                let i = self.rng.below(self.owners.len() as u64) as usize;
                &self.owners[i]
            }
        }
    }

    fn capacity(&mut self) -> Capacity {
        match self.rng.below(4) {
            0 => Capacity::Hotspot {
                radios: 1 + self.rng.below(4) as u8,
                antenna_gain_dbi_x10: self.rng.below(120) as u16,
                elevation_m: self.rng.below(50) as u16,
            },
            1 => Capacity::Gpu {
                gpus: 1 + self.rng.below(8) as u16,
                vram_gib: 80,
                fp16_tflops: 1 + self.rng.below(1_000) as u32,
            },
            2 => Capacity::Storage {
                bytes: 1 + self.rng.below(1 << 44),
            },
            _ => Capacity::Sensor {
                channels: 1 + self.rng.below(8) as u16,
                sample_interval_s: 60,
            },
        }
    }

    /// One random step.
    pub fn step(&mut self) {
        match self.rng.below(100) {
            0..=19 => self.register(),
            20..=27 => self.assert_location(),
            28..=33 => self.transfer(),
            34..=39 => self.set_status(),
            40..=43 => self.decommission(),
            44..=53 => self.buy(),
            54..=59 => self.burn(),
            60..=61 => self.refresh_price(),
            62..=71 => self.advance(),
            72..=81 => self.report(),
            82..=89 => self.claim(),
            90..=95 => self.swap_account(),
            _ => self.attack_report(),
        }
    }

    /// An honest instruction with one of its accounts (not a signer, not a program)
    /// swapped for another account: one of our programs' accounts of any type or network,
    /// a mint, a token account, or the attacker's wallet. It must be refused, or, if it
    /// lands, leave every invariant standing.
    fn swap_account(&mut self) {
        let t = self.t;
        let w = self.w;
        let payer = self.owners[0].insecure_clone();
        let mut bought = 0u64;
        let (mut ixs, signers): (Vec<solana_instruction::Instruction>, Vec<Keypair>) =
            match self.rng.below(4) {
                0 => {
                    let Some((epoch, r)) = &self.newest else {
                        return;
                    };
                    let Some(node) = self
                        .rng
                        .pick(&r.cumulative.keys().copied().collect::<Vec<_>>())
                        .copied()
                    else {
                        return;
                    };
                    let Some((amount, proof)) = r.proof(&node) else {
                        return;
                    };
                    let Ok(ra) = em::reward_accounts(t, &w.network) else {
                        return;
                    };
                    let args = ClaimArgs {
                        epoch: *epoch,
                        cumulative_amount: amount,
                        proof: depin_core::merkle::pack_proof(&proof),
                    };
                    let node = Pubkey::new_from_array(node);
                    match em::claim_instructions(
                        t,
                        &payer.pubkey(),
                        &w.network,
                        &ra,
                        &node,
                        args,
                        &mut BTreeSet::new(),
                    ) {
                        Ok(ixs) => (ixs, vec![]),
                        Err(_) => return,
                    }
                }
                1 => {
                    let settle = depin::settlement::Settle::new(t);
                    bought = 1 + self.rng.below(TOKEN);
                    match settle.buy_instructions(
                        &payer.pubkey(),
                        &payer.pubkey(),
                        &payer.pubkey(),
                        &w.network,
                        Some(w.pyth),
                        fee_settlement::MintCreditsArgs {
                            tokens: bought,
                            min_credits: 0,
                        },
                    ) {
                        Ok(ixs) => (ixs, vec![]),
                        Err(_) => return,
                    }
                }
                2 => {
                    let settle = depin::settlement::Settle::new(t);
                    match settle.burn_instructions(&payer.pubkey(), &payer.pubkey(), &w.network, 1)
                    {
                        Ok(ixs) => (ixs, vec![]),
                        Err(_) => return,
                    }
                }
                _ => {
                    let epoch = self.next_report;
                    match em::finalize_epoch_instructions(t, &payer.pubkey(), &w.network, epoch) {
                        Ok(ixs) => (ixs, vec![]),
                        Err(_) => return,
                    }
                }
            };
        let ours = [
            node_registry::ID,
            proof_verifier::ID,
            emissions::ID,
            fee_settlement::ID,
        ];
        let targets: Vec<usize> = ixs
            .iter()
            .enumerate()
            .filter(|(_, ix)| ours.contains(&ix.program_id))
            .map(|(i, _)| i)
            .collect();
        let Some(&i) = self.rng.pick(&targets) else {
            return;
        };
        let slots: Vec<usize> = ixs[i]
            .accounts
            .iter()
            .enumerate()
            .filter(|(_, m)| !m.is_signer)
            .map(|(j, _)| j)
            .collect();
        let Some(&j) = self.rng.pick(&slots) else {
            return;
        };
        let mut pool: Vec<Pubkey> = vec![
            w.token_mint,
            w.credits_mint,
            w.token_account(&self.attacker.pubkey()),
            self.attacker.pubkey(),
            w.pyth,
        ];
        for program in ours {
            if let Ok(accounts) = w.net.program_accounts(&program, &[]) {
                pool.extend(accounts.into_iter().map(|(k, _)| k));
            }
        }
        let Some(&other) = self.rng.pick(&pool) else {
            return;
        };
        if ixs[i].accounts[j].pubkey == other {
            return;
        }
        let what = format!(
            "{} account {j} ({}) given {}",
            program_name(&ixs[i].program_id),
            ixs[i].accounts[j].pubkey,
            kind_of(w, &other)
        );
        ixs[i].accounts[j].pubkey = other;
        let refs: Vec<&Keypair> = signers.iter().collect();
        if Registry::new(t).send(&ixs, &payer, &refs).is_ok() {
            self.credits_cap += self.credits_for(bought);
            let mut stats = t.stats.lock().unwrap_or_else(|p| p.into_inner());
            *stats.landed_swaps.entry(what).or_default() += 1;
        }
    }

    /// The most credits `tokens` buy at the feed's price ($150 a token, expo −8).
    fn credits_for(&self, tokens: u64) -> u128 {
        let s = self.w.settlement();
        let usd_per_token = (EMA_PRICE as u128) / 10u128.pow((-EXPO) as u32);
        u128::from(tokens) * usd_per_token * u128::from(s.credits_per_usd)
            / 10u128.pow(u32::from(TOKEN_DECIMALS))
    }

    fn register(&mut self) {
        let device = self.w.key();
        let owner_i = self.rng.below(self.owners.len() as u64) as usize;
        let capacity = self.capacity();
        let maker_i = self.rng.below(self.makers.len() as u64) as usize;
        // the attacker attests with its own key half of the time it is chosen
        let forged = self.rng.chance(15);
        let attestation = if forged {
            &self.attacker
        } else {
            &self.makers[maker_i].attestation
        };
        let nonce = self.w.now() as u64 + self.rng.below(3);
        let owner = &self.owners[owner_i];
        let r = Registration {
            network: self.w.network,
            maker: self.makers[maker_i].address,
            maker_attestation: attest::sign_maker_attestation(
                attestation,
                &self.w.network,
                &device.pubkey(),
                &capacity,
            ),
            device_consent: attest::sign_device_consent(
                &device,
                &self.w.network,
                &owner.pubkey(),
                nonce,
            ),
            nonce,
            capacity,
            owner_credits: None,
            max_fee_credits: if self.rng.chance(10) { Some(0) } else { None },
        };
        if let Ok((node, _)) = self.reg().register_node(owner, &r) {
            self.fee_credits_burned += self.onboarding_fee;
            self.nodes.push(FuzzNode { node });
        }
    }

    fn some_node(&mut self) -> Option<(Pubkey, Option<node_registry::state::Node>)> {
        let i = self.rng.below(self.nodes.len() as u64) as usize;
        let n = self.nodes.get(i)?;
        let state =
            depin::accounts::fetch::<node_registry::state::Node>(&self.w.net, "node", &n.node)
                .ok()
                .flatten();
        Some((n.node, state))
    }

    /// The node's owner most of the time, someone else otherwise.
    fn owner_or_not(&mut self, owner: Option<Pubkey>) -> Keypair {
        let rightful = owner.and_then(|o| {
            self.owners
                .iter()
                .chain(&self.customers)
                .find(|k| k.pubkey() == o)
                .map(|k| k.insecure_clone())
        });
        match rightful {
            Some(k) if self.rng.chance(75) => k,
            _ => self.anyone().insecure_clone(),
        }
    }

    fn assert_location(&mut self) {
        let Some((node, state)) = self.some_node() else {
            return;
        };
        let signer = self.owner_or_not(state.as_ref().map(|n| n.owner));
        let cell = if self.rng.chance(10) {
            self.rng.next_u64() // rarely a valid cell
        } else {
            depin::demo::demo_cell(self.rng.below(5_000) as usize)
        };
        let ok = self
            .reg()
            .assert_location(&signer, &self.w.network, &node, cell)
            .is_ok();
        if ok {
            self.fee_credits_burned += self.location_fee;
        }
    }

    fn transfer(&mut self) {
        let Some((node, state)) = self.some_node() else {
            return;
        };
        let signer = self.owner_or_not(state.as_ref().map(|n| n.owner));
        let to_i = self.rng.below(self.owners.len() as u64) as usize;
        let to = self.owners[to_i].insecure_clone();
        match self.rng.below(3) {
            0 => {
                let _ = self
                    .reg()
                    .propose_transfer(&signer, &self.w.network, &node, to.pubkey());
            }
            1 => {
                let _ = self.reg().accept_transfer(&to, &self.w.network, &node);
            }
            _ => {
                let _ = self.reg().cancel_transfer(&signer, &node);
            }
        }
    }

    fn set_status(&mut self) {
        let Some((node, _)) = self.some_node() else {
            return;
        };
        let signer = if self.rng.chance(60) {
            self.w.operator.insecure_clone()
        } else {
            self.anyone().insecure_clone()
        };
        let status = if self.rng.chance(50) {
            NodeStatus::Suspended
        } else {
            NodeStatus::Active
        };
        let _ = self
            .reg()
            .set_node_status(&signer, &self.w.network, &node, status);
    }

    fn decommission(&mut self) {
        let Some((node, state)) = self.some_node() else {
            return;
        };
        let signer = self.owner_or_not(state.as_ref().map(|n| n.owner));
        let _ = self
            .reg()
            .decommission_node(&signer, &self.w.network, &node);
    }

    fn buy(&mut self) {
        let buyer = self.anyone().insecure_clone();
        let tokens = self.rng.amount(20 * TOKEN);
        let settle = depin::settlement::Settle::new(self.t);
        if settle
            .buy(&buyer, &self.w.network, Some(self.w.pyth), tokens, 0)
            .is_ok()
        {
            self.credits_cap += self.credits_for(tokens);
        }
    }

    fn burn(&mut self) {
        let holder = self.anyone().insecure_clone();
        let amount = self.rng.amount(1_000);
        let _ = depin::settlement::Settle::new(self.t).burn(&holder, &self.w.network, amount);
    }

    fn refresh_price(&mut self) {
        self.w.set_pyth(self.w.pyth_price());
    }

    fn advance(&mut self) {
        let s = match self.rng.below(4) {
            0 => 1 + self.rng.below(60),
            1 => i64::from(CHALLENGE_S) as u64,
            _ => 1 + self.rng.below(u64::from(EPOCH_S)),
        };
        let _ = self.w.net.advance_time(s as i64);
    }

    /// Reports the next closed epoch: work for some live nodes, two oracles attest, the
    /// challenge period passes, the report and the epoch are finalised.
    fn report(&mut self) {
        let epoch = self.next_report;
        if self.w.epoch() <= epoch {
            return;
        }
        let live: Vec<Pubkey> = self
            .nodes
            .iter()
            .map(|n| n.node)
            .filter(|k| matches!(self.w.net.get_account(k), Ok(Some(_))))
            .collect();
        let mut work = BTreeMap::new();
        for k in &live {
            if self.rng.chance(70) {
                work.insert(k.to_bytes(), 1 + self.rng.below(1_000));
            }
        }
        if work.is_empty() {
            return;
        }
        let s = em::schedule(&self.w.net, &self.w.network).expect("schedule");
        let burned = em::tokens_burned_in(&self.w.net, &self.w.network, epoch).unwrap_or(0);
        let Ok(share) = depin::rewards::operators_amount(&s, epoch, burned) else {
            return;
        };
        let cumulative: BTreeMap<[u8; 32], u64> = self
            .newest
            .as_ref()
            .map(|(_, r)| r.cumulative.clone())
            .unwrap_or_default();
        let Ok(r) = EpochRewards::compute::<Soft>(&cumulative, &work, share) else {
            return;
        };
        let content = ReportContent {
            epoch,
            round: 0,
            root: r.root(),
            total_work: r.total_work,
            node_count: r.cumulative.len() as u32,
        };
        let v = Verifier::new(self.t);
        if v.submit_report(
            &self.w.oracles[0],
            &self.w.network,
            content,
            &[&self.w.oracles[1]],
        )
        .is_err()
        {
            return;
        }
        let _ = self.w.net.advance_time(i64::from(CHALLENGE_S));
        if v.finalize_report(&self.w.operator, &self.w.network, epoch)
            .is_err()
        {
            return;
        }
        self.w.set_pyth(self.w.pyth_price());
        let e = Emissions::new(self.t);
        if e.finalize_epoch(&self.w.operator, &self.w.network, epoch)
            .is_ok()
        {
            self.next_report = epoch + 1;
            self.newest = Some((epoch, r));
        }
    }

    /// A crank claims for a node with its proof; sometimes a tampered amount, proof or epoch.
    fn claim(&mut self) {
        let Some((epoch, r)) = &self.newest else {
            return;
        };
        let epoch = *epoch;
        let keys: Vec<[u8; 32]> = r.cumulative.keys().copied().collect();
        let Some(node) = self.rng.pick(&keys).copied() else {
            return;
        };
        let Some((amount, proof)) = r.proof(&node) else {
            return;
        };
        let mut args = ClaimArgs {
            epoch,
            cumulative_amount: amount,
            proof: depin_core::merkle::pack_proof(&proof),
        };
        match self.rng.below(8) {
            0 => args.cumulative_amount = args.cumulative_amount.saturating_add(1),
            1 => {
                if let Some(b) = args.proof.first_mut() {
                    *b ^= 1;
                }
            }
            2 => args.epoch = epoch.saturating_add(1 + self.rng.below(3)),
            _ => {}
        }
        let node = Pubkey::new_from_array(node);
        let payer = self.anyone().insecure_clone();
        let _ = Emissions::new(self.t).claim(&payer, &self.w.network, &node, args);
    }

    /// The attacker submits a report for an epoch as if it were an oracle, or disputes.
    fn attack_report(&mut self) {
        let v = Verifier::new(self.t);
        let epoch = self.next_report;
        let content = ReportContent {
            epoch,
            round: 0,
            root: [7; 32],
            total_work: 1,
            node_count: 1,
        };
        let _ = if self.rng.chance(50) {
            v.submit_report(&self.attacker, &self.w.network, content, &[])
        } else {
            v.dispute_report(&self.attacker, &self.w.network, epoch.saturating_sub(1))
        };
    }

    /// Every invariant against chain state; the failures, by name.
    pub fn check(&self) -> Vec<String> {
        let mut bad = vec![];
        let w = self.w;
        let s = em::schedule(&w.net, &w.network).expect("schedule");
        let st = w.settlement();
        // reward supply: genesis less burns, plus what the finalised epochs emitted and
        // re-minted, which is exactly the schedule's amounts; never above max supply
        let supply = w.supply(&w.token_mint);
        let expected = u128::from(self.genesis_supply) - u128::from(st.tokens_burned_total)
            + u128::from(s.emitted_total)
            + u128::from(s.reminted_total);
        if u128::from(supply) != expected {
            bad.push(format!("token supply {supply} != {expected}"));
        }
        let mut emitted = 0u64;
        for e in self.first_epoch..s.next_epoch {
            emitted += s.core().amount_for_epoch(e, emitted);
        }
        if emitted != s.emitted_total {
            bad.push(format!(
                "emitted {} != the schedule's {emitted} over epochs {}..{}",
                s.emitted_total, self.first_epoch, s.next_epoch
            ));
        }
        if s.emitted_total.saturating_add(s.reminted_total) > MAX_SUPPLY {
            bad.push("more minted than max supply".into());
        }
        // claims: never above the newest root's total
        if let Some((_, r)) = &self.newest {
            for (k, total) in &r.cumulative {
                let node = Pubkey::new_from_array(*k);
                if let Ok(Some(c)) = em::claim_record(&w.net, &node) {
                    if c.claimed > *total {
                        bad.push(format!("node {node} claimed {} of {total}", c.claimed));
                    }
                }
            }
        }
        // credits: supply = minted − burned for usage − burned for fees; minted within the
        // feed's price for the tokens burned
        let credits = w.supply(&w.credits_mint);
        let expected = u128::from(st.credits_minted_total)
            - u128::from(st.credits_burned_total)
            - u128::from(self.fee_credits_burned);
        if u128::from(credits) != expected {
            bad.push(format!("credits supply {credits} != {expected}"));
        }
        if u128::from(st.credits_minted_total) > self.credits_cap {
            bad.push(format!(
                "credits minted {} above {} at the feed's price",
                st.credits_minted_total, self.credits_cap
            ));
        }
        // the registry: node_count, makers of this network, suspended devices
        let network =
            depin::accounts::fetch::<node_registry::state::Network>(&w.net, "network", &w.network)
                .ok()
                .flatten();
        let nodes = depin::accounts::nodes_of(&w.net, &w.network).unwrap_or_default();
        if let Some(n) = &network {
            if n.node_count != nodes.len() as u64 {
                bad.push(format!(
                    "node_count {} but {} node accounts",
                    n.node_count,
                    nodes.len()
                ));
            }
        }
        let makers: BTreeSet<Pubkey> = self.makers.iter().map(|m| m.address).collect();
        for (k, n) in &nodes {
            if !makers.contains(&n.maker) {
                bad.push(format!(
                    "node {k} names maker {} of another network",
                    n.maker
                ));
            }
            let device = depin::pda::device(&w.network, &n.device_key).0;
            if let Ok(Some(d)) =
                depin::accounts::fetch::<node_registry::state::Device>(&w.net, "device", &device)
            {
                if d.status == NodeStatus::Suspended && n.status == NodeStatus::Active {
                    bad.push(format!("node {k} is active while its device is suspended"));
                }
            }
        }
        // rent: every account of our programs stays rent-exempt
        for program in [
            node_registry::ID,
            proof_verifier::ID,
            emissions::ID,
            fee_settlement::ID,
        ] {
            for (k, a) in w.net.program_accounts(&program, &[]).unwrap_or_default() {
                let min = (128 + a.data.len() as u64) * 3_480 * 2;
                if a.lamports < min {
                    bad.push(format!("account {k} holds {} < rent {min}", a.lamports));
                }
            }
        }
        bad.extend(
            self.t
                .violations
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .drain(..),
        );
        bad
    }
}

fn program_name(p: &Pubkey) -> &'static str {
    match *p {
        k if k == node_registry::ID => "node_registry",
        k if k == proof_verifier::ID => "proof_verifier",
        k if k == emissions::ID => "emissions",
        k if k == fee_settlement::ID => "fee_settlement",
        _ => "other",
    }
}

/// What an account is, for the record of swaps that landed: its owner program and size.
fn kind_of(w: &SettlementWorld, k: &Pubkey) -> String {
    match w.net.get_account(k).ok().flatten() {
        Some(a) => format!(
            "{}-byte account of {}",
            a.data.len(),
            program_name(&a.owner)
        ),
        None => "a missing account".into(),
    }
}

/// Runs one sequence of `steps` from `seed`; its figures, or the first broken invariant.
pub fn run_sequence(seed: u64, steps: u64) -> Result<Stats, String> {
    let w = SettlementWorld::new(PriceSource::Pyth);
    let watch = Watch {
        net: &w.net,
        stats: Mutex::new(Stats::default()),
        violations: Mutex::new(vec![]),
    };
    let mut f = Fuzz::new(&w, &watch, seed);
    let mut checks = 0;
    for step in 0..steps {
        f.step();
        let bad = f.check();
        checks += 1;
        if !bad.is_empty() {
            return Err(format!("seed {seed}, step {step}: {}", bad.join("; ")));
        }
    }
    let mut stats = watch
        .stats
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    stats.sequences = 1;
    stats.steps = steps;
    stats.invariant_checks = checks;
    Ok(stats)
}
