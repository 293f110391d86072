//! fee_settlement client: PDAs, instruction builders from the program's own types, reads,
//! calls that open what a call needs (the epoch's usage record, token accounts, escrows),
//! and Pyth `PriceUpdateV2` accounts built with Pyth's own types (fixtures and the demo).
use crate::registry::Registry;
use crate::transport::{Transport, TxOutcome};
use crate::{pda, tokens};
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountDeserialize, AccountSerialize, InstructionData, ToAccountMetas};
use anyhow::{Context, Result};
use fee_settlement::state::{EpochUsage, OraclePrices, Settlement};
use fee_settlement::{
    accounts as acc, instruction as data, seeds, MintCreditsArgs, SettlementArgs,
    UpdateSettlementArgs,
};
use pyth_solana_receiver_sdk::price_update::{PriceFeedMessage, PriceUpdateV2, VerificationLevel};
use solana_account::Account;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_signer::Signer;

const SYSTEM_PROGRAM: Pubkey = anchor_lang::system_program::ID;
pub const PYTH_RECEIVER: Pubkey = pyth_solana_receiver_sdk::ID;
/// Pyth's SOL/USD feed id (hex as Pyth publishes it).
pub const SOL_USD_FEED: &str = "ef0d8b6fda2ceba41da15d4095d1da392a0d2f8ed0c6c7bc0f4cfac8c280b56d";
/// Pyth's HNT/USD feed id.
pub const HNT_USD_FEED: &str = "649fdd7ec08e8e2a20f425729854e90293dcbe2376abc47197a14da6ff339756";

fn pda_of(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &fee_settlement::ID).0
}

pub fn settlement_address(network: &Pubkey) -> Pubkey {
    pda_of(&[seeds::SETTLEMENT, network.as_ref()])
}

pub fn oracle_prices_address(network: &Pubkey) -> Pubkey {
    pda_of(&[seeds::ORACLE_PRICES, network.as_ref()])
}

pub fn usage_address(network: &Pubkey, epoch: u64) -> Pubkey {
    pda_of(&[seeds::USAGE, network.as_ref(), &epoch.to_le_bytes()])
}

pub fn escrow_address(network: &Pubkey, router: &Pubkey) -> Pubkey {
    pda_of(&[seeds::ESCROW, network.as_ref(), router.as_ref()])
}

/// A holder's credits account: the associated Token-2022 account of the credits mint.
pub fn credits_account(owner: &Pubkey, credits_mint: &Pubkey) -> Pubkey {
    pda::associated_token(owner, credits_mint, &tokens::TOKEN_2022_PROGRAM)
}

/// A feed id from Pyth's hex (with or without `0x`).
pub fn feed_id(hex: &str) -> Result<[u8; 32]> {
    pyth_solana_receiver_sdk::price_update::get_feed_id_from_hex(hex)
        .map_err(|e| anyhow::anyhow!("feed id {hex:?}: {e:?}"))
}

fn build(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: fee_settlement::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

pub fn initialize(
    authority: &Pubkey,
    network: &Pubkey,
    token_mint: &Pubkey,
    credits_mint: &Pubkey,
    args: SettlementArgs,
) -> Instruction {
    build(
        acc::Initialize {
            authority: *authority,
            network: *network,
            oracle_set: crate::verifier::oracle_set_address(network),
            settlement: settlement_address(network),
            oracle_prices: oracle_prices_address(network),
            token_mint: *token_mint,
            credits_mint: *credits_mint,
            system_program: SYSTEM_PROGRAM,
        },
        data::Initialize { args },
    )
}

pub fn update_settlement(
    authority: &Pubkey,
    network: &Pubkey,
    args: UpdateSettlementArgs,
) -> Instruction {
    build(
        acc::UpdateSettlement {
            authority: *authority,
            network: *network,
            settlement: settlement_address(network),
        },
        data::UpdateSettlement { args },
    )
}

pub fn open_epoch_usage(payer: &Pubkey, network: &Pubkey, epoch: u64) -> Instruction {
    build(
        acc::OpenEpochUsage {
            payer: *payer,
            settlement: settlement_address(network),
            usage: usage_address(network, epoch),
            system_program: SYSTEM_PROGRAM,
        },
        data::OpenEpochUsage { epoch },
    )
}

pub fn open_escrow(
    payer: &Pubkey,
    network: &Pubkey,
    router: &Pubkey,
    credits_mint: &Pubkey,
) -> Instruction {
    build(
        acc::OpenEscrow {
            payer: *payer,
            settlement: settlement_address(network),
            router: *router,
            credits_mint: *credits_mint,
            escrow: escrow_address(network, router),
            credits_program: tokens::TOKEN_2022_PROGRAM,
            system_program: SYSTEM_PROGRAM,
        },
        data::OpenEscrow {},
    )
}

pub fn post_price(oracle: &Pubkey, network: &Pubkey, price: i64) -> Instruction {
    build(
        acc::PostPrice {
            oracle: *oracle,
            settlement: settlement_address(network),
            oracle_set: crate::verifier::oracle_set_address(network),
            oracle_prices: oracle_prices_address(network),
        },
        data::PostPrice { price },
    )
}

/// The accounts of a credit purchase besides the settlement's own.
#[derive(Debug, Clone, Copy)]
pub struct Purchase {
    pub buyer: Pubkey,
    pub buyer_tokens: Pubkey,
    pub recipient_credits: Pubkey,
    pub token_program: Pubkey,
    /// The pinned feed's `PriceUpdateV2` (sources `Pyth` and `Both`).
    pub pyth_price: Option<Pubkey>,
}

pub fn mint_credits(
    network: &Pubkey,
    s: &Settlement,
    epoch: u64,
    p: Purchase,
    args: MintCreditsArgs,
) -> Instruction {
    let oracles = s.source.uses_oracles();
    build(
        acc::MintCredits {
            buyer: p.buyer,
            settlement: settlement_address(network),
            usage: usage_address(network, epoch),
            token_mint: s.token_mint,
            buyer_tokens: p.buyer_tokens,
            credits_mint: s.credits_mint,
            recipient_credits: p.recipient_credits,
            pyth_price: if s.source.uses_pyth() {
                p.pyth_price
            } else {
                None
            },
            oracle_prices: oracles.then(|| oracle_prices_address(network)),
            oracle_set: oracles.then_some(s.oracle_set),
            token_program: p.token_program,
            credits_program: tokens::TOKEN_2022_PROGRAM,
        },
        data::MintCredits { args },
    )
}

pub fn delegate_credits(
    holder: &Pubkey,
    network: &Pubkey,
    s: &Settlement,
    epoch: u64,
    escrow: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::DelegateCredits {
            holder: *holder,
            settlement: settlement_address(network),
            usage: usage_address(network, epoch),
            credits_mint: s.credits_mint,
            holder_credits: credits_account(holder, &s.credits_mint),
            escrow: *escrow,
            credits_program: tokens::TOKEN_2022_PROGRAM,
        },
        data::DelegateCredits { amount },
    )
}

pub fn burn_credits(
    holder: &Pubkey,
    network: &Pubkey,
    s: &Settlement,
    epoch: u64,
    holder_credits: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::BurnCredits {
            holder: *holder,
            settlement: settlement_address(network),
            usage: usage_address(network, epoch),
            credits_mint: s.credits_mint,
            holder_credits: *holder_credits,
            credits_program: tokens::TOKEN_2022_PROGRAM,
        },
        data::BurnCredits { amount },
    )
}

pub fn burn_delegated_credits(
    usage_authority: &Pubkey,
    network: &Pubkey,
    s: &Settlement,
    epoch: u64,
    escrow: &Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::BurnDelegatedCredits {
            usage_authority: *usage_authority,
            settlement: settlement_address(network),
            usage: usage_address(network, epoch),
            credits_mint: s.credits_mint,
            escrow: *escrow,
            credits_program: tokens::TOKEN_2022_PROGRAM,
        },
        data::BurnDelegatedCredits { amount },
    )
}

fn fetch<T: AccountDeserialize>(
    t: &dyn Transport,
    kind: &'static str,
    address: &Pubkey,
) -> Result<Option<T>> {
    Ok(crate::accounts::fetch_of(
        t,
        kind,
        address,
        &fee_settlement::ID,
    )?)
}

pub fn settlement(t: &dyn Transport, network: &Pubkey) -> Result<Settlement> {
    let at = settlement_address(network);
    fetch(t, "settlement", &at)?.with_context(|| {
        format!("network {network} has no settlement ({at}): run `depin credits init`")
    })
}

pub fn usage(t: &dyn Transport, network: &Pubkey, epoch: u64) -> Result<Option<EpochUsage>> {
    fetch(t, "usage record", &usage_address(network, epoch))
}

pub fn oracle_prices(t: &dyn Transport, network: &Pubkey) -> Result<OraclePrices> {
    fetch(t, "oracle price feed", &oracle_prices_address(network))?
        .context("the network has no oracle price feed")
}

/// The epoch the cluster's clock is in, by the settlement's epoch clock (the program's own
/// rule).
pub fn current_epoch(t: &dyn Transport, s: &Settlement) -> Result<u64> {
    let now = t.unix_time()?;
    s.epoch_at(now)
        .map_err(|_| anyhow::anyhow!("the clock is before the network's first epoch"))
}

/// `open_epoch_usage` for `epoch` if its record does not exist yet.
pub fn open_usage_if_missing(
    t: &dyn Transport,
    payer: &Pubkey,
    network: &Pubkey,
    epoch: u64,
) -> Result<Option<Instruction>> {
    Ok(t.get_account(&usage_address(network, epoch))?
        .is_none()
        .then(|| open_epoch_usage(payer, network, epoch)))
}

/// A `PriceUpdateV2` account as the Pyth receiver writes it, built with Pyth's own types.
#[derive(Debug, Clone, Copy)]
pub struct PythPrice {
    pub feed_id: [u8; 32],
    pub price: i64,
    pub conf: u64,
    pub ema_price: i64,
    pub ema_conf: u64,
    pub expo: i32,
    pub publish_time: i64,
    pub full_verification: bool,
}

impl PythPrice {
    /// Serialized like the receiver program does (discriminator, Borsh, padded to
    /// `PriceUpdateV2::LEN`), owned by the receiver program.
    pub fn account(&self) -> Result<Account> {
        let update = PriceUpdateV2 {
            write_authority: Pubkey::new_from_array([7; 32]),
            verification_level: if self.full_verification {
                VerificationLevel::Full
            } else {
                VerificationLevel::Partial { num_signatures: 5 }
            },
            price_message: PriceFeedMessage {
                feed_id: self.feed_id,
                price: self.price,
                conf: self.conf,
                exponent: self.expo,
                publish_time: self.publish_time,
                prev_publish_time: self.publish_time.saturating_sub(1),
                ema_price: self.ema_price,
                ema_conf: self.ema_conf,
            },
            posted_slot: 1,
        };
        let mut data = Vec::with_capacity(PriceUpdateV2::LEN);
        update
            .try_serialize(&mut data)
            .context("serializing the price update")?;
        data.resize(PriceUpdateV2::LEN, 0);
        Ok(Account {
            lamports: anchor_lang::prelude::Rent::default().minimum_balance(data.len()),
            data,
            owner: PYTH_RECEIVER,
            executable: false,
            rent_epoch: 0,
        })
    }
}

/// One call per instruction, opening what each needs first.
pub struct Settle<'t> {
    reg: Registry<'t>,
}

impl<'t> Settle<'t> {
    pub fn new(transport: &'t dyn Transport) -> Self {
        Settle {
            reg: Registry::new(transport),
        }
    }

    fn t(&self) -> &'t dyn Transport {
        self.reg.transport
    }

    /// The settlement, the current epoch, and the epoch's `open_epoch_usage` (paid by
    /// `payer`) when its record does not exist yet: what every credit instruction needs.
    fn prelude(
        &self,
        payer: &Pubkey,
        network: &Pubkey,
    ) -> Result<(Settlement, u64, Vec<Instruction>)> {
        let s = settlement(self.t(), network)?;
        let epoch = current_epoch(self.t(), &s)?;
        let ixs = open_usage_if_missing(self.t(), payer, network, epoch)?
            .into_iter()
            .collect();
        Ok((s, epoch, ixs))
    }

    pub fn initialize(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: SettlementArgs,
    ) -> Result<TxOutcome> {
        let n = self.reg.network(network)?;
        let ix = initialize(
            &authority.pubkey(),
            network,
            &n.token_mint,
            &n.credits_mint,
            args,
        );
        self.reg.send(&[ix], authority, &[])
    }

    pub fn update(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: UpdateSettlementArgs,
    ) -> Result<TxOutcome> {
        let ix = update_settlement(&authority.pubkey(), network, args);
        self.reg.send(&[ix], authority, &[])
    }

    pub fn post_price(&self, oracle: &Keypair, network: &Pubkey, price: i64) -> Result<TxOutcome> {
        self.reg
            .send(&[post_price(&oracle.pubkey(), network, price)], oracle, &[])
    }

    /// Instructions of a purchase by `buyer` (its associated token account) into
    /// `recipient`'s credits account, creating the account and the usage record if needed.
    pub fn buy_instructions(
        &self,
        payer: &Pubkey,
        buyer: &Pubkey,
        recipient: &Pubkey,
        network: &Pubkey,
        pyth_price: Option<Pubkey>,
        args: MintCreditsArgs,
    ) -> Result<Vec<Instruction>> {
        let (s, epoch, mut ixs) = self.prelude(payer, network)?;
        let token_program = self
            .t()
            .get_account(&s.token_mint)?
            .context("the token mint does not exist")?
            .owner;
        ixs.push(tokens::create_associated_account(
            payer,
            recipient,
            &s.credits_mint,
            &tokens::TOKEN_2022_PROGRAM,
        ));
        let p = Purchase {
            buyer: *buyer,
            buyer_tokens: pda::associated_token(buyer, &s.token_mint, &token_program),
            recipient_credits: credits_account(recipient, &s.credits_mint),
            token_program,
            pyth_price,
        };
        ixs.push(mint_credits(network, &s, epoch, p, args));
        Ok(ixs)
    }

    /// `buyer` burns `tokens` for credits into its own credits account.
    pub fn buy(
        &self,
        buyer: &Keypair,
        network: &Pubkey,
        pyth_price: Option<Pubkey>,
        tokens: u64,
        min_credits: u64,
    ) -> Result<TxOutcome> {
        let b = buyer.pubkey();
        let ixs = self.buy_instructions(
            &b,
            &b,
            &b,
            network,
            pyth_price,
            MintCreditsArgs {
                tokens,
                min_credits,
            },
        )?;
        self.reg.send(&ixs, buyer, &[])
    }

    /// Instructions moving `amount` of `holder`'s credits into `router`'s escrow (opened
    /// if missing).
    pub fn delegate_instructions(
        &self,
        payer: &Pubkey,
        holder: &Pubkey,
        network: &Pubkey,
        router: &Pubkey,
        amount: u64,
    ) -> Result<Vec<Instruction>> {
        let (s, epoch, mut ixs) = self.prelude(payer, network)?;
        let escrow = escrow_address(network, router);
        if self.t().get_account(&escrow)?.is_none() {
            ixs.push(open_escrow(payer, network, router, &s.credits_mint));
        }
        ixs.push(delegate_credits(
            holder, network, &s, epoch, &escrow, amount,
        ));
        Ok(ixs)
    }

    pub fn delegate(
        &self,
        holder: &Keypair,
        network: &Pubkey,
        router: &Pubkey,
        amount: u64,
    ) -> Result<TxOutcome> {
        let h = holder.pubkey();
        let ixs = self.delegate_instructions(&h, &h, network, router, amount)?;
        self.reg.send(&ixs, holder, &[])
    }

    pub fn burn_instructions(
        &self,
        payer: &Pubkey,
        holder: &Pubkey,
        network: &Pubkey,
        amount: u64,
    ) -> Result<Vec<Instruction>> {
        let (s, epoch, mut ixs) = self.prelude(payer, network)?;
        let from = credits_account(holder, &s.credits_mint);
        ixs.push(burn_credits(holder, network, &s, epoch, &from, amount));
        Ok(ixs)
    }

    pub fn burn(&self, holder: &Keypair, network: &Pubkey, amount: u64) -> Result<TxOutcome> {
        let h = holder.pubkey();
        let ixs = self.burn_instructions(&h, &h, network, amount)?;
        self.reg.send(&ixs, holder, &[])
    }

    /// Instructions by which `usage_authority` burns `amount` from `router`'s escrow.
    pub fn burn_delegated_instructions(
        &self,
        usage_authority: &Pubkey,
        network: &Pubkey,
        router: &Pubkey,
        amount: u64,
    ) -> Result<Vec<Instruction>> {
        let (s, epoch, mut ixs) = self.prelude(usage_authority, network)?;
        let escrow = escrow_address(network, router);
        ixs.push(burn_delegated_credits(
            usage_authority,
            network,
            &s,
            epoch,
            &escrow,
            amount,
        ));
        Ok(ixs)
    }

    /// The usage authority burns `amount` from `router`'s escrow.
    pub fn burn_delegated(
        &self,
        usage_authority: &Keypair,
        network: &Pubkey,
        router: &Pubkey,
        amount: u64,
    ) -> Result<TxOutcome> {
        let ixs =
            self.burn_delegated_instructions(&usage_authority.pubkey(), network, router, amount)?;
        self.reg.send(&ixs, usage_authority, &[])
    }

    /// Credits in `owner`'s credits account (0 if it has none).
    pub fn balance(&self, network: &Pubkey, owner: &Pubkey) -> Result<u64> {
        let s = settlement(self.t(), network)?;
        self.reg
            .token_balance(&credits_account(owner, &s.credits_mint))
    }

    /// Credits in `router`'s escrow.
    pub fn escrow_balance(&self, network: &Pubkey, router: &Pubkey) -> Result<u64> {
        self.reg.token_balance(&escrow_address(network, router))
    }
}
