//! A network with fee_settlement: a token (SPL Token), Token-2022 non-transferable credits
//! minted by the settlement, three oracles, a Pyth price account and a usage authority.
use crate::EPOCH_S_FOR_REWARDS as EPOCH_S;
use anchor_lang::prelude::Pubkey;
use depin::registry::Registry;
use depin::settlement::{self as st, PythPrice, Settle};
use depin::transport::embedded::{EmbeddedNetwork, RuntimeMode};
use depin::transport::{Transport, TxOutcome};
use depin::{pda, tokens};
use fee_settlement::state::{EpochUsage, PriceSource, Settlement};
use fee_settlement::SettlementArgs;
use node_registry::CreateNetworkArgs;
use proof_verifier::OracleSetArgs;
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

/// $150.00000000 per token (Pyth exponent −8), the EMA confidence $0.075.
pub const EMA_PRICE: i64 = 15_000_000_000;
pub const EMA_CONF: u64 = 7_500_000;
pub const EXPO: i32 = -8;
pub const TOKEN_DECIMALS: u8 = 6;
pub const MAX_AGE_S: u32 = 600;
pub const BREAKER: u64 = 10_000_000_000;

/// The credits mint a test network is created with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreditsMint {
    /// Token-2022, NonTransferable, the settlement as mint authority.
    Good,
    /// NonTransferable, but the operator as mint authority.
    WrongAuthority,
    /// The settlement as authority, but transferable.
    Transferable,
}

pub struct SettlementWorld {
    pub net: EmbeddedNetwork,
    pub operator: Keypair,
    pub network: Pubkey,
    pub token_mint: Pubkey,
    pub token_program: Pubkey,
    pub credits_mint: Pubkey,
    pub oracles: Vec<Keypair>,
    pub usage_authority: Keypair,
    pub feed: [u8; 32],
    /// Where the Pyth price account lives (written directly, as the receiver would).
    pub pyth: Pubkey,
    keys: std::cell::Cell<u64>,
}

/// Default settlement arguments for `source`.
pub fn settlement_args(
    source: PriceSource,
    feed: [u8; 32],
    usage_authority: Pubkey,
) -> SettlementArgs {
    SettlementArgs {
        credits_per_usd: 100_000,
        source,
        pyth_feed_id: feed,
        max_price_age_s: MAX_AGE_S,
        max_conf_bps: 200,
        conf_multiplier: 2,
        oracle_expo: EXPO,
        usage_authority,
        breaker_window_s: 86_400,
        breaker_threshold: BREAKER,
    }
}

impl SettlementWorld {
    pub fn new(source: PriceSource) -> Self {
        Self::build("bme-net", tokens::TOKEN_PROGRAM, Some(source))
    }

    /// `source: None` leaves the settlement uninitialised (for `initialize`'s own tests).
    pub fn build(name: &str, token_program: Pubkey, source: Option<PriceSource>) -> Self {
        Self::build_with(name, token_program, source, CreditsMint::Good)
    }

    pub fn build_with(
        name: &str,
        token_program: Pubkey,
        source: Option<PriceSource>,
        credits: CreditsMint,
    ) -> Self {
        let net = EmbeddedNetwork::start_with(RuntimeMode::from_env(), |_| {})
            .expect("start the embedded runtime");
        let operator = net.payer();
        let mut w = SettlementWorld {
            net,
            operator,
            network: pda::network(name).0,
            token_mint: Pubkey::default(),
            token_program,
            credits_mint: Pubkey::default(),
            oracles: vec![],
            usage_authority: Keypair::new(),
            feed: st::feed_id(st::SOL_USD_FEED).expect("feed id"),
            pyth: Pubkey::new_from_array([0x9e; 32]),
            keys: std::cell::Cell::new(0),
        };
        let token_mint = w.key();
        let credits_mint = w.key();
        let reg = w.reg();
        reg.create_mint(
            &w.operator,
            &token_mint,
            &w.operator.pubkey(),
            TOKEN_DECIMALS,
            &token_program,
        )
        .expect("token mint");
        let settlement = st::settlement_address(&w.network);
        match credits {
            CreditsMint::Good => {
                reg.create_credits_mint(&w.operator, &credits_mint, &settlement, 0)
            }
            CreditsMint::WrongAuthority => {
                reg.create_credits_mint(&w.operator, &credits_mint, &w.operator.pubkey(), 0)
            }
            CreditsMint::Transferable => reg.create_mint(
                &w.operator,
                &credits_mint,
                &settlement,
                0,
                &tokens::TOKEN_2022_PROGRAM,
            ),
        }
        .expect("credits mint");
        let (network, _) = reg
            .create_network(
                &w.operator,
                &token_mint.pubkey(),
                &credits_mint.pubkey(),
                CreateNetworkArgs {
                    name: name.into(),
                    onboarding_fee_credits: 1_000,
                    location_fee_credits: 300,
                    attestation_window_s: 3_600,
                },
            )
            .expect("network");
        assert_eq!(network, w.network);
        w.token_mint = token_mint.pubkey();
        w.credits_mint = credits_mint.pubkey();
        w.oracles = (0..3).map(|_| w.key()).collect();
        for k in w
            .oracles
            .iter()
            .map(|k| k.pubkey())
            .chain([w.usage_authority.pubkey()])
        {
            w.fund(&k, 1_000_000_000);
        }
        let genesis = w.net.unix_time().expect("clock") - 20 * i64::from(EPOCH_S);
        depin::verifier::Verifier::new(&w.net)
            .init_oracle_set(
                &w.operator,
                &w.network,
                OracleSetArgs {
                    oracles: w.oracles.iter().map(|k| k.pubkey()).collect(),
                    threshold: 2,
                    genesis_ts: genesis,
                    epoch_length_s: EPOCH_S,
                    challenge_period_s: crate::rewards::CHALLENGE_S,
                },
            )
            .expect("oracle set");
        w.set_pyth(w.pyth_price());
        if let Some(source) = source {
            w.settle()
                .initialize(
                    &w.operator,
                    &w.network,
                    settlement_args(source, w.feed, w.usage_authority.pubkey()),
                )
                .expect("initialize settlement");
        }
        w
    }

    /// A fixed key sequence (repeatable addresses and so compute-unit figures).
    pub fn key(&self) -> Keypair {
        let n = self.keys.get();
        self.keys.set(n + 1);
        let mut secret = [0x3cu8; 32];
        secret[..8].copy_from_slice(&n.to_le_bytes());
        Keypair::new_from_array(secret)
    }

    pub fn reg(&self) -> Registry<'_> {
        Registry::new(&self.net)
    }

    pub fn settle(&self) -> Settle<'_> {
        Settle::new(&self.net)
    }

    pub fn fund(&self, to: &Pubkey, lamports: u64) {
        let ix = depin::ix::transfer_lamports(&self.operator.pubkey(), to, lamports);
        self.reg().send(&[ix], &self.operator, &[]).expect("fund");
    }

    pub fn now(&self) -> i64 {
        self.net.unix_time().expect("clock")
    }

    /// A fresh, valid price update of the pinned feed published now.
    pub fn pyth_price(&self) -> PythPrice {
        PythPrice {
            feed_id: self.feed,
            price: EMA_PRICE,
            conf: EMA_CONF,
            ema_price: EMA_PRICE,
            ema_conf: EMA_CONF,
            expo: EXPO,
            publish_time: self.now(),
            full_verification: true,
        }
    }

    pub fn set_pyth(&self, p: PythPrice) {
        self.set_pyth_at(&self.pyth, p)
    }

    pub fn set_pyth_at(&self, at: &Pubkey, p: PythPrice) {
        self.net
            .set_account(at, p.account().expect("price account"));
    }

    pub fn set_account(&self, at: &Pubkey, a: Account) {
        self.net.set_account(at, a)
    }

    /// A wallet with 1 SOL and `tokens` token base units in its associated account.
    pub fn customer(&self, tokens_amount: u64) -> Keypair {
        let k = self.key();
        self.fund(&k.pubkey(), 1_000_000_000);
        self.reg()
            .mint_to_owner(
                &self.operator,
                &self.operator,
                &self.token_mint,
                &k.pubkey(),
                tokens_amount,
            )
            .expect("tokens");
        k
    }

    pub fn token_account(&self, owner: &Pubkey) -> Pubkey {
        pda::associated_token(owner, &self.token_mint, &self.token_program)
    }

    pub fn credits_account(&self, owner: &Pubkey) -> Pubkey {
        st::credits_account(owner, &self.credits_mint)
    }

    pub fn balance(&self, account: &Pubkey) -> u64 {
        self.reg().token_balance(account).expect("balance")
    }

    /// A mint's supply.
    pub fn supply(&self, mint: &Pubkey) -> u64 {
        self.account(mint)
            .and_then(|a| tokens::supply(&a.data))
            .expect("mint supply")
    }

    pub fn settlement(&self) -> Settlement {
        st::settlement(&self.net, &self.network).expect("settlement")
    }

    pub fn epoch(&self) -> u64 {
        st::current_epoch(&self.net, &self.settlement()).expect("epoch")
    }

    pub fn usage(&self, epoch: u64) -> Option<EpochUsage> {
        st::usage(&self.net, &self.network, epoch).expect("usage")
    }

    pub fn usage_address(&self) -> Pubkey {
        st::usage_address(&self.network, self.epoch())
    }

    /// Opens the current epoch's usage record if needed.
    pub fn open_usage(&self) -> Pubkey {
        let epoch = self.epoch();
        if let Some(ix) =
            st::open_usage_if_missing(&self.net, &self.operator.pubkey(), &self.network, epoch)
                .expect("usage")
        {
            self.send(&[ix], &self.operator, &[]).expect("open usage");
        }
        st::usage_address(&self.network, epoch)
    }

    pub fn send(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        extra: &[&Keypair],
    ) -> anyhow::Result<TxOutcome> {
        self.reg().send(ixs, payer, extra)
    }

    /// `buyer` burns `tokens` for its own credits at the Pyth account `self.pyth`.
    pub fn buy(&self, buyer: &Keypair, tokens_amount: u64) -> anyhow::Result<TxOutcome> {
        self.settle()
            .buy(buyer, &self.network, Some(self.pyth), tokens_amount, 0)
    }

    /// The mint-credits instruction alone (usage and credits account opened first).
    pub fn mint_ix(&self, buyer: &Pubkey, tokens_amount: u64, min_credits: u64) -> Instruction {
        self.open_usage();
        let ata = tokens::create_associated_account(
            &self.operator.pubkey(),
            buyer,
            &self.credits_mint,
            &tokens::TOKEN_2022_PROGRAM,
        );
        self.send(&[ata], &self.operator, &[])
            .expect("credits account");
        let s = self.settlement();
        st::mint_credits(
            &self.network,
            &s,
            self.epoch(),
            st::Purchase {
                buyer: *buyer,
                buyer_tokens: self.token_account(buyer),
                recipient_credits: self.credits_account(buyer),
                token_program: self.token_program,
                pyth_price: Some(self.pyth),
            },
            fee_settlement::MintCreditsArgs {
                tokens: tokens_amount,
                min_credits,
            },
        )
    }

    pub fn account(&self, a: &Pubkey) -> Option<Account> {
        self.net.get_account(a).expect("account")
    }

    /// Asserts `action` is refused with `code` and none of `watch` changed (fee payers may
    /// lose the fee only).
    pub fn assert_refused<T: std::fmt::Debug>(
        &self,
        watch: &[Pubkey],
        code: u32,
        action: impl FnOnce() -> anyhow::Result<T>,
    ) {
        let before: Vec<_> = watch.iter().map(|k| self.account(k)).collect();
        let err = match action() {
            Ok(v) => panic!("expected error code {code}, but it succeeded: {v:?}"),
            Err(e) => e,
        };
        let failure = depin::registry::tx_failure(&err)
            .unwrap_or_else(|| panic!("not a refused transaction: {err:#}"));
        assert_eq!(
            failure.custom_code(),
            Some(code),
            "wrong error: {failure}; expected code {code}"
        );
        let after: Vec<_> = watch.iter().map(|k| self.account(k)).collect();
        for ((k, b), a) in watch.iter().zip(before).zip(after) {
            assert_eq!(b, a, "account {k} changed although the transaction failed");
        }
    }
}

/// The error number of a settlement error.
pub fn code(e: fee_settlement::SettlementError) -> u32 {
    u32::from(e)
}
