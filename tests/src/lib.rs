//! The depin-kit test harness: one builder for a runtime with our programs (native by default,
//! SBF when `.so` files exist; see `depin::transport::embedded::RuntimeMode`), funded actors,
//! attestation signing, clock control, and assertions that a refused transaction names the
//! expected error and changed nothing.
#![allow(clippy::result_large_err)]

use anchor_lang::prelude::Pubkey;
use depin::attest;
use depin::registry::{tx_failure, Registration, Registry};
use depin::transport::embedded::{EmbeddedNetwork, RuntimeMode};
use depin::transport::{Transport, TxOutcome};
use depin::{pda, tokens};
use node_registry::state::{Capacity, Device, Maker, Network, Node};
use node_registry::{AddMakerArgs, CreateNetworkArgs, RegistryError, UpdateNetworkArgs};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::collections::BTreeMap;

pub use anchor_lang::error::ErrorCode as AnchorError;

pub mod compressed;
pub mod cu_report;
pub mod fuzz;
pub mod oracle;
pub mod rewards;
pub mod settlement;

/// Epoch length of the rewards test networks.
pub const EPOCH_S_FOR_REWARDS: u32 = 3_600;

/// Every emissions instruction.
pub const EMISSIONS_INSTRUCTIONS: [&str; 6] = [
    "initialize",
    "finalize_epoch",
    "open_claim",
    "claim",
    "prove_compressed_node",
    "claim_compressed",
];

/// Every fee_settlement instruction.
pub const FEE_SETTLEMENT_INSTRUCTIONS: [&str; 9] = [
    "initialize",
    "update_settlement",
    "open_epoch_usage",
    "open_escrow",
    "post_price",
    "mint_credits",
    "delegate_credits",
    "burn_credits",
    "burn_delegated_credits",
];

/// Every node_registry instruction, as the IDL and the compute-unit budgets name them.
pub const NODE_REGISTRY_INSTRUCTIONS: [&str; 22] = [
    "create_network",
    "update_network",
    "propose_authority",
    "accept_authority",
    "add_maker",
    "update_maker",
    "reactivate_maker",
    "revoke_maker",
    "register_node",
    "assert_location",
    "propose_transfer",
    "accept_transfer",
    "cancel_transfer",
    "set_node_status",
    "decommission_node",
    "create_compressed_tree",
    "register_compressed_node",
    "set_compressed_node_status",
    "assert_compressed_location",
    "transfer_compressed_node",
    "decommission_compressed_node",
    "verify_node",
];

/// Every proof_verifier instruction.
pub const PROOF_VERIFIER_INSTRUCTIONS: [&str; 11] = [
    "init_oracle_set",
    "update_oracle_set",
    "submit_report",
    "approve_report",
    "dispute_report",
    "void_report",
    "finalize_report",
    "verify_receipt",
    "open_challenges",
    "commit_storage",
    "verify_storage_chunk",
];

/// The capacity test registrations use (and makers attest).
pub const TEST_CAPACITY: Capacity = Capacity::Gpu {
    gpus: 8,
    vram_gib: 80,
    fp16_tflops: 989,
};

pub const ONBOARDING_FEE: u64 = 1_000;
pub const LOCATION_FEE: u64 = 300;
pub const WINDOW_S: u32 = 3_600;
/// The ed25519 precompile's error for a signature that does not verify.
pub const PRECOMPILE_INVALID_SIGNATURE: u32 = 2;

pub struct TestMaker {
    pub maker_key: Keypair,
    pub attestation: Keypair,
    pub address: Pubkey,
}

pub struct Owner {
    pub keypair: Keypair,
    pub credits: Pubkey,
}

impl Owner {
    pub fn pubkey(&self) -> Pubkey {
        self.keypair.pubkey()
    }
}

/// A running network: operator (authority, mint authority, genesis payer), mints, two makers.
pub struct World {
    pub net: EmbeddedNetwork,
    pub operator: Keypair,
    pub token_mint: Pubkey,
    pub credits_mint: Pubkey,
    pub credits_program: Pubkey,
    pub name: String,
    pub network: Pubkey,
    pub makers: Vec<TestMaker>,
    devices: std::sync::atomic::AtomicU64,
}

impl World {
    /// The next key of a fixed sequence (devices, makers). Node addresses (and so the number of bump
    /// attempts `register_node` makes) are then the same on every run, which keeps the
    /// compute-unit figures of the SBF run reproducible.
    pub fn device(&self) -> Keypair {
        let n = self
            .devices
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut secret = [0x5au8; 32];
        secret[..8].copy_from_slice(&n.to_le_bytes());
        Keypair::new_from_array(secret)
    }

    /// Network "test-net" with Token-2022 non-transferable credits.
    pub fn new() -> Self {
        Self::build("test-net", tokens::TOKEN_2022_PROGRAM)
    }

    /// Same, with credits under the given token program.
    pub fn build(name: &str, credits_program: Pubkey) -> Self {
        Self::build_with(name, credits_program, |_| {})
    }

    /// Same, letting `setup` add programs (a CPI caller) before the runtime starts.
    #[allow(deprecated)] // program-test's types, as the embedded transport uses them
    pub fn build_with(
        name: &str,
        credits_program: Pubkey,
        setup: impl FnOnce(&mut solana_program_test::ProgramTest),
    ) -> Self {
        Self::build_full(name, credits_program, setup, |_| {})
    }

    /// Same, running `before_makers` once the network exists and before its two makers are
    /// approved (where a network chooses compressed mode).
    #[allow(deprecated)] // program-test's types, as the embedded transport uses them
    pub fn build_full(
        name: &str,
        credits_program: Pubkey,
        setup: impl FnOnce(&mut solana_program_test::ProgramTest),
        before_makers: impl FnOnce(&World),
    ) -> Self {
        let net = EmbeddedNetwork::start_with(RuntimeMode::from_env(), setup)
            .expect("start the embedded runtime");
        let operator = net.payer();
        let reg = Registry::new(&net);
        let token_mint = Keypair::new();
        let credits_mint = Keypair::new();
        reg.create_mint(
            &operator,
            &token_mint,
            &operator.pubkey(),
            6,
            &tokens::TOKEN_PROGRAM,
        )
        .expect("token mint");
        if credits_program == tokens::TOKEN_2022_PROGRAM {
            reg.create_credits_mint(&operator, &credits_mint, &operator.pubkey(), 0)
        } else {
            reg.create_mint(
                &operator,
                &credits_mint,
                &operator.pubkey(),
                0,
                &credits_program,
            )
        }
        .expect("credits mint");
        let mut w = World {
            operator,
            token_mint: token_mint.pubkey(),
            credits_mint: credits_mint.pubkey(),
            credits_program,
            name: name.to_string(),
            network: Pubkey::default(),
            makers: vec![],
            devices: std::sync::atomic::AtomicU64::new(0),
            net,
        };
        w.network = w.create_network(name).expect("create network");
        before_makers(&w);
        for _ in 0..2 {
            let m = w.add_maker(None).expect("add maker");
            w.makers.push(m);
        }
        w
    }

    pub fn reg(&self) -> Registry<'_> {
        Registry::new(&self.net)
    }

    pub fn create_network(&self, name: &str) -> anyhow::Result<Pubkey> {
        let (network, _) = self.reg().create_network(
            &self.operator,
            &self.token_mint,
            &self.credits_mint,
            CreateNetworkArgs {
                name: name.into(),
                onboarding_fee_credits: ONBOARDING_FEE,
                location_fee_credits: LOCATION_FEE,
                attestation_window_s: WINDOW_S,
            },
        )?;
        Ok(network)
    }

    pub fn add_maker(&self, device_cap: Option<u64>) -> anyhow::Result<TestMaker> {
        let maker_key = self.device();
        let attestation = self.device();
        let (address, _) = self.reg().add_maker(
            &self.operator,
            &self.network,
            AddMakerArgs {
                maker_key: maker_key.pubkey(),
                attestation_key: attestation.pubkey(),
                device_cap,
            },
        )?;
        Ok(TestMaker {
            maker_key,
            attestation,
            address,
        })
    }

    /// A wallet with 1 SOL and `credits` credits in its associated account.
    pub fn owner(&self, credits: u64) -> Owner {
        let keypair = Keypair::new();
        self.fund(&keypair.pubkey(), 1_000_000_000);
        let credits = self
            .reg()
            .mint_to_owner(
                &self.operator,
                &self.operator,
                &self.credits_mint,
                &keypair.pubkey(),
                credits,
            )
            .expect("mint credits");
        Owner { keypair, credits }
    }

    pub fn fund(&self, to: &Pubkey, lamports: u64) {
        let ix = depin::ix::transfer_lamports(&self.operator.pubkey(), to, lamports);
        self.reg().send(&[ix], &self.operator, &[]).expect("fund");
    }

    pub fn now(&self) -> u64 {
        self.net.unix_time().expect("clock") as u64
    }

    /// A registration of `device` by `owner` through maker `maker`, signed now.
    pub fn registration(
        &self,
        owner: &Pubkey,
        maker: &TestMaker,
        device: &Keypair,
    ) -> Registration {
        self.registration_with_nonce(owner, maker, device, self.now())
    }

    /// The same with the device consent signed over `nonce`.
    pub fn registration_with_nonce(
        &self,
        owner: &Pubkey,
        maker: &TestMaker,
        device: &Keypair,
        nonce: u64,
    ) -> Registration {
        Registration {
            network: self.network,
            maker: maker.address,
            maker_attestation: attest::sign_maker_attestation(
                &maker.attestation,
                &self.network,
                &device.pubkey(),
                &TEST_CAPACITY,
            ),
            device_consent: attest::sign_device_consent(device, &self.network, owner, nonce),
            nonce,
            capacity: TEST_CAPACITY,
            owner_credits: None,
            max_fee_credits: None,
        }
    }

    /// Registers a fresh device for `owner`; returns (device, node address).
    pub fn register(&self, owner: &Owner) -> (Keypair, Pubkey) {
        let device = self.device();
        let r = self.registration(&owner.pubkey(), &self.makers[0], &device);
        let (node, _) = self
            .reg()
            .register_node(&owner.keypair, &r)
            .expect("register node");
        (device, node)
    }

    /// Creates the network's oracle set, one fresh oracle, whose clock is 5 seconds into
    /// epoch `epoch` of `epoch_length_s`-second epochs.
    pub fn init_oracle_set_in_epoch(&self, epoch: u64, epoch_length_s: u32) {
        let genesis = self.now() as i64 - epoch as i64 * i64::from(epoch_length_s) - 5;
        depin::verifier::Verifier::new(&self.net)
            .init_oracle_set(
                &self.operator,
                &self.network,
                proof_verifier::OracleSetArgs {
                    oracles: vec![self.device().pubkey()],
                    threshold: 1,
                    genesis_ts: genesis,
                    epoch_length_s,
                    challenge_period_s: 60,
                },
            )
            .expect("oracle set");
    }

    /// Registers a fresh device of `capacity` (attested by the first maker) for `owner`;
    /// returns (device, node address).
    pub fn register_capacity(&self, owner: &Owner, capacity: Capacity) -> (Keypair, Pubkey) {
        let device = self.device();
        let maker = &self.makers[0];
        let r = Registration {
            maker_attestation: attest::sign_maker_attestation(
                &maker.attestation,
                &self.network,
                &device.pubkey(),
                &capacity,
            ),
            capacity,
            ..self.registration(&owner.pubkey(), maker, &device)
        };
        let (node, _) = self
            .reg()
            .register_node(&owner.keypair, &r)
            .expect("register node");
        (device, node)
    }

    /// Signs with `payer` first, then `signers`, and sends.
    pub fn send(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> anyhow::Result<TxOutcome> {
        self.reg().send(ixs, payer, signers)
    }

    pub fn account(&self, a: &Pubkey) -> Option<Account> {
        self.net.get_account(a).expect("get account")
    }

    /// Changes some settings as the authority: `w.configure(|a| a.paused = Some(true))`.
    pub fn configure(&self, change: impl FnOnce(&mut UpdateNetworkArgs)) {
        let mut args = UpdateNetworkArgs::default();
        change(&mut args);
        self.reg()
            .update_network(&self.operator, &self.network, args)
            .expect("update network");
    }

    pub fn network_state(&self) -> Network {
        depin::accounts::network(&self.net, &self.network).expect("network")
    }
    pub fn maker_state(&self, a: &Pubkey) -> Maker {
        depin::accounts::maker(&self.net, a).expect("maker")
    }
    pub fn node_state(&self, a: &Pubkey) -> Node {
        depin::accounts::node(&self.net, a).expect("node")
    }
    /// The permanent record of `device` in this network.
    pub fn device_state(&self, device: &Pubkey) -> Device {
        depin::accounts::device(&self.net, &self.device_address(device)).expect("device record")
    }
    pub fn device_address(&self, device: &Pubkey) -> Pubkey {
        pda::device(&self.network, device).0
    }
    pub fn credits_of(&self, owner: &Owner) -> u64 {
        self.reg().token_balance(&owner.credits).expect("balance")
    }
    pub fn node_address(&self, device: &Pubkey) -> Pubkey {
        pda::node(&self.network, device).0
    }

    /// Runs `action`, which must be refused with custom error `code`, and checks that none of
    /// `watch` changed (lamports of `fee_payers` may drop by the transaction fee).
    #[track_caller]
    pub fn assert_refused<T: std::fmt::Debug>(
        &self,
        watch: &[Pubkey],
        fee_payers: &[Pubkey],
        code: u32,
        action: impl FnOnce() -> anyhow::Result<T>,
    ) {
        let before = self.snapshot(watch);
        let result = action();
        let err = match result {
            Ok(v) => panic!("expected error code {code}, but it succeeded: {v:?}"),
            Err(e) => e,
        };
        let failure =
            tx_failure(&err).unwrap_or_else(|| panic!("not a refused transaction: {err:#}"));
        assert_eq!(
            failure.custom_code(),
            Some(code),
            "wrong error: {failure} ({:?}); expected code {code} ({:?})",
            failure.error,
            depin::errors::name_of_code(code).map(|i| i.name)
        );
        let after = self.snapshot(watch);
        for k in watch {
            let (b, a) = (&before[k], &after[k]);
            if fee_payers.contains(k) {
                assert_eq!(
                    b.as_ref().map(|x| &x.data),
                    a.as_ref().map(|x| &x.data),
                    "data of {k} changed"
                );
                assert!(a.as_ref().map(|x| x.lamports) <= b.as_ref().map(|x| x.lamports));
            } else {
                assert_eq!(b, a, "account {k} changed");
            }
        }
    }

    pub fn snapshot(&self, keys: &[Pubkey]) -> BTreeMap<Pubkey, Option<Account>> {
        keys.iter().map(|k| (*k, self.account(k))).collect()
    }
}

impl Default for World {
    fn default() -> Self {
        Self::new()
    }
}

/// Custom error number of a registry error.
pub fn code(e: RegistryError) -> u32 {
    u32::from(e)
}

/// Custom error number of an Anchor framework error.
pub fn anchor(e: AnchorError) -> u32 {
    u32::from(e)
}

/// Runs `depin <args> --output json` through the CLI's own parser and code against `w`'s
/// embedded network; the JSON it prints, or the error text.
pub fn run_cli(w: &World, args: &[&str]) -> Result<serde_json::Value, String> {
    run_cli_on(&w.net, args)
}

/// [`run_cli`] against any embedded network.
pub fn run_cli_on(net: &EmbeddedNetwork, args: &[&str]) -> Result<serde_json::Value, String> {
    use clap::Parser;
    let mut argv = vec![
        "depin",
        "--output",
        "json",
        "--config",
        "/nonexistent-is-not-read",
    ];
    argv.extend_from_slice(args);
    let cli = depin::cli::Cli::try_parse_from(&argv).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    depin::cli::run_with(cli, net, &mut out).map_err(|e| depin::errors::one_line(&e))?;
    serde_json::from_slice(&out).map_err(|e| e.to_string())
}
