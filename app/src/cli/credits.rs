//! `depin credits`, `depin price` and `depin bme`: fee_settlement's burn-and-mint.
use super::*;
use crate::emissions as em;
use crate::settlement::{self as st, Settle};
use anchor_lang::AccountDeserialize;
use depin_core::price::Price;
use fee_settlement::state::{PriceSource, Settlement};
use fee_settlement::{MintCreditsArgs, SettlementArgs, UpdateSettlementArgs};
use pyth_solana_receiver_sdk::price_update::PriceUpdateV2;

#[derive(Copy, Clone, Debug, PartialEq, Eq, ValueEnum)]
pub enum SourceArg {
    Pyth,
    Oracle,
    Both,
}

impl From<SourceArg> for PriceSource {
    fn from(s: SourceArg) -> Self {
        match s {
            SourceArg::Pyth => PriceSource::Pyth,
            SourceArg::Oracle => PriceSource::OracleMedian,
            SourceArg::Both => PriceSource::Both,
        }
    }
}

#[derive(Subcommand, Debug)]
pub enum CreditsCmd {
    /// Create the settlement and the oracle price feed (--keypair: the network authority).
    /// The network's credits mint must be Token-2022 NonTransferable with the settlement
    /// (see `credits show`) as mint authority.
    #[command(
        after_help = "Example:\n  depin credits init my-net --source both --feed <PYTH_FEED_ID_HEX> --credits-per-usd 100000"
    )]
    Init {
        /// Network name or address.
        network: String,
        /// Where the USD price comes from: a Pyth feed, the median of the oracle set's
        /// posts, or the lower of both.
        #[arg(long, value_enum)]
        source: SourceArg,
        /// Pyth feed id, hex (needed by --source pyth|both).
        #[arg(long)]
        feed: Option<String>,
        /// Credits a customer gets per US dollar of tokens burned.
        #[arg(long, default_value_t = fee_settlement::state::DEFAULT_CREDITS_PER_USD)]
        credits_per_usd: u64,
        /// Prices older than this many seconds are refused.
        #[arg(long, default_value_t = 600)]
        max_price_age: u32,
        /// Pyth: largest confidence accepted, in basis points of the EMA price.
        #[arg(long, default_value_t = 200)]
        max_conf_bps: u16,
        /// Pyth: the price used is ema − this · ema_conf.
        #[arg(long, default_value_t = 2)]
        conf_multiplier: u8,
        /// Exponent of the oracles' posts (−8: 10⁻⁸ USD).
        #[arg(long, default_value_t = -8, allow_negative_numbers = true)]
        oracle_expo: i32,
        /// May burn delegated credits (default: the network authority).
        #[arg(long, value_parser = parse_address)]
        usage_authority: Option<Pubkey>,
        /// Circuit breaker: at most --breaker-threshold credits minted per this many seconds.
        #[arg(long, default_value_t = 86_400)]
        breaker_window: u64,
        /// Most credits minted per window.
        #[arg(long, default_value_t = 1_000_000_000_000)]
        breaker_threshold: u64,
    },
    /// Change settlement parameters (--keypair: the network authority).
    #[command(after_help = "Example:\n  depin credits update my-net --max-price-age 120")]
    Update {
        /// Network name or address.
        network: String,
        /// New price source.
        #[arg(long, value_enum)]
        source: Option<SourceArg>,
        /// New Pyth feed id, hex.
        #[arg(long)]
        feed: Option<String>,
        /// New credits per US dollar.
        #[arg(long)]
        credits_per_usd: Option<u64>,
        /// New largest price age, seconds.
        #[arg(long)]
        max_price_age: Option<u32>,
        /// New largest Pyth confidence, basis points of the EMA price.
        #[arg(long)]
        max_conf_bps: Option<u16>,
        /// New usage authority (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        usage_authority: Option<Pubkey>,
        /// New most credits minted per breaker window.
        #[arg(long)]
        breaker_threshold: Option<u64>,
    },
    /// The settlement's parameters, totals and addresses.
    #[command(after_help = "Example:\n  depin credits show my-net")]
    Show {
        /// Network name or address.
        network: String,
    },
    /// Burn tokens for credits (--keypair: the buyer, paying with its associated account).
    #[command(
        after_help = "Example:\n  depin credits buy my-net --tokens 1000000 --pyth-price <PRICE_UPDATE_ACCOUNT>"
    )]
    Buy {
        /// Network name or address.
        network: String,
        /// Token base units to burn.
        #[arg(long)]
        tokens: u64,
        /// Refuse if the price gives fewer credits.
        #[arg(long, default_value_t = 0)]
        min_credits: u64,
        /// The Pyth PriceUpdateV2 account (sources pyth and both).
        #[arg(long, value_parser = parse_address)]
        pyth_price: Option<Pubkey>,
        /// Credit another wallet's credits account (default: the buyer's).
        #[arg(long, value_parser = parse_address)]
        to: Option<Pubkey>,
    },
    /// Credits of a wallet (default: --keypair's) or of a router's escrow.
    #[command(after_help = "Example:\n  depin credits balance my-net --owner <WALLET>")]
    Balance {
        /// Network name or address.
        network: String,
        /// The wallet whose credits account is read (public key or keypair file).
        #[arg(long, value_parser = parse_address, conflicts_with = "router")]
        owner: Option<Pubkey>,
        /// Or: the router whose escrow is read.
        #[arg(long, value_parser = parse_address)]
        router: Option<Pubkey>,
    },
    /// Move credits into a router's escrow (--keypair: the holder).
    #[command(
        after_help = "Example:\n  depin credits delegate my-net --router <ROUTER> --amount 500000"
    )]
    Delegate {
        /// Network name or address.
        network: String,
        /// The router whose escrow receives the credits (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        router: Pubkey,
        /// Credits to move.
        #[arg(long)]
        amount: u64,
    },
    /// Burn credits for usage: the holder's own, or with --router the escrow's
    /// (--keypair: the usage authority).
    #[command(
        after_help = "Example:\n  depin -k router.json credits burn my-net --amount 100000 --router <ROUTER>"
    )]
    Burn {
        /// Network name or address.
        network: String,
        /// Credits to burn.
        #[arg(long)]
        amount: u64,
        /// Burn from this router's escrow (--keypair is then the usage authority).
        #[arg(long, value_parser = parse_address)]
        router: Option<Pubkey>,
    },
}

#[derive(Subcommand, Debug)]
pub enum PriceCmd {
    /// The price mint_credits would use now, from each source.
    #[command(
        after_help = "Example:\n  depin price show my-net --pyth-price <PRICE_UPDATE_ACCOUNT>"
    )]
    Show {
        /// Network name or address.
        network: String,
        /// The Pyth PriceUpdateV2 account (sources pyth and both).
        #[arg(long, value_parser = parse_address)]
        pyth_price: Option<Pubkey>,
    },
    /// Post this oracle's price (--keypair: a member of the oracle set).
    #[command(after_help = "Example:\n  depin -k oracle1.json price post my-net --usd 2.47")]
    Post {
        /// Network name or address.
        network: String,
        /// USD per whole token, a decimal ("150.25").
        #[arg(long, conflicts_with = "raw", required_unless_present = "raw")]
        usd: Option<String>,
        /// Or the integer at the feed's exponent.
        #[arg(long)]
        raw: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum BmeCmd {
    /// Per epoch: tokens burned for credits, credits minted and burned, emitted,
    /// re-minted, net supply change.
    #[command(after_help = "Example:\n  depin bme stats my-net --output json")]
    Stats {
        /// Network name or address.
        network: String,
        /// An epoch range `A..B` (B excluded; default: the last 10 epochs).
        #[arg(long)]
        epochs: Option<String>,
    },
}

/// "150.25" at exponent −8 → 15,025,000,000 (no floats).
pub fn parse_decimal(s: &str, expo: i32) -> Result<i64> {
    let digits = u32::try_from(-i64::from(expo))
        .ok()
        .filter(|d| *d <= 18)
        .with_context(|| format!("exponent {expo} is not between -18 and 0"))?;
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    anyhow::ensure!(
        !whole.is_empty() && whole.bytes().all(|b| b.is_ascii_digit()),
        "`{s}` is not a positive decimal"
    );
    anyhow::ensure!(
        frac.bytes().all(|b| b.is_ascii_digit()) && frac.len() <= digits as usize,
        "`{s}` has more than {digits} decimals"
    );
    let scale = 10i64.pow(digits);
    let w: i64 = whole
        .parse()
        .with_context(|| format!("`{s}` is too large"))?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        frac.parse::<i64>()? * 10i64.pow(digits - frac.len() as u32)
    };
    w.checked_mul(scale)
        .and_then(|v| v.checked_add(f))
        .with_context(|| format!("`{s}` does not fit at exponent {expo}"))
}

/// `price · 10^expo` as a decimal string.
pub fn format_price(p: i64, expo: i32) -> String {
    if expo >= 0 {
        return (i128::from(p) * 10i128.pow(expo.unsigned_abs())).to_string();
    }
    let d = expo.unsigned_abs() as usize;
    let s = format!("{:0>width$}", p.unsigned_abs(), width = d + 1);
    let (w, f) = s.split_at(s.len() - d);
    format!("{}{w}.{f}", if p < 0 { "-" } else { "" })
}

fn parse_range(s: &str) -> Result<(u64, u64)> {
    let (a, b) = s
        .split_once("..")
        .with_context(|| format!("`{s}` is not a range A..B"))?;
    let a: u64 = a
        .parse()
        .with_context(|| format!("`{a}` is not an epoch"))?;
    let b: u64 = b
        .parse()
        .with_context(|| format!("`{b}` is not an epoch"))?;
    anyhow::ensure!(
        a < b && b - a <= 10_000,
        "range {s}: A < B and at most 10,000 epochs"
    );
    Ok((a, b))
}

fn settlement_json(network: &Pubkey, s: &Settlement) -> Value {
    json!({
        "settlement": st::settlement_address(network).to_string(),
        "network": s.network.to_string(),
        "token_mint": s.token_mint.to_string(),
        "credits_mint": s.credits_mint.to_string(),
        "credits_per_usd": s.credits_per_usd,
        "source": format!("{:?}", s.source),
        "pyth_feed_id": crate::rewards::to_hex(&s.pyth_feed_id),
        "max_price_age_s": s.max_price_age_s,
        "max_conf_bps": s.max_conf_bps,
        "conf_multiplier": s.conf_multiplier,
        "usage_authority": s.usage_authority.to_string(),
        "oracle_prices": st::oracle_prices_address(network).to_string(),
        "breaker_window_s": s.breaker_window_s,
        "breaker_threshold": s.breaker_threshold,
        "tokens_burned_total": s.tokens_burned_total,
        "credits_minted_total": s.credits_minted_total,
        "credits_burned_total": s.credits_burned_total,
    })
}

impl Ctx<'_> {
    fn credits_supply(&self, s: &Settlement) -> Result<u64> {
        self.t()
            .get_account(&s.credits_mint)?
            .and_then(|m| crate::tokens::supply(&m.data))
            .context("reading the credits supply")
    }

    fn feed(&self, hex: &Option<String>) -> Result<Option<[u8; 32]>> {
        hex.as_deref().map(st::feed_id).transpose()
    }

    pub(super) fn credits(&self, c: &CreditsCmd) -> Result<Value> {
        let settle = Settle::new(self.t());
        match c {
            CreditsCmd::Init {
                network,
                source,
                feed,
                credits_per_usd,
                max_price_age,
                max_conf_bps,
                conf_multiplier,
                oracle_expo,
                usage_authority,
                breaker_window,
                breaker_threshold,
            } => {
                let a = network_address(network)?;
                let n = self.reg.network(&a)?;
                let source = PriceSource::from(*source);
                let feed = self.feed(feed)?;
                anyhow::ensure!(
                    !source.uses_pyth() || feed.is_some(),
                    "--source pyth|both needs --feed (the Pyth feed id, hex)"
                );
                let args = SettlementArgs {
                    credits_per_usd: *credits_per_usd,
                    source,
                    pyth_feed_id: feed.unwrap_or_default(),
                    max_price_age_s: *max_price_age,
                    max_conf_bps: *max_conf_bps,
                    conf_multiplier: *conf_multiplier,
                    oracle_expo: *oracle_expo,
                    usage_authority: usage_authority.unwrap_or(n.authority),
                    breaker_window_s: *breaker_window,
                    breaker_threshold: *breaker_threshold,
                };
                let ix = st::initialize(
                    &self.signer_key()?,
                    &a,
                    &n.token_mint,
                    &n.credits_mint,
                    args,
                );
                self.deliver(
                    &[ix],
                    json!({
                        "settlement": st::settlement_address(&a).to_string(),
                        "oracle_prices": st::oracle_prices_address(&a).to_string(),
                    }),
                )
            }
            CreditsCmd::Update {
                network,
                source,
                feed,
                credits_per_usd,
                max_price_age,
                max_conf_bps,
                usage_authority,
                breaker_threshold,
            } => {
                let a = network_address(network)?;
                let args = UpdateSettlementArgs {
                    credits_per_usd: *credits_per_usd,
                    source: source.map(PriceSource::from),
                    pyth_feed_id: self.feed(feed)?,
                    max_price_age_s: *max_price_age,
                    max_conf_bps: *max_conf_bps,
                    conf_multiplier: None,
                    usage_authority: *usage_authority,
                    breaker_window_s: None,
                    breaker_threshold: *breaker_threshold,
                };
                let ix = st::update_settlement(&self.signer_key()?, &a, args);
                self.deliver(&[ix], json!({}))
            }
            CreditsCmd::Show { network } => {
                let a = network_address(network)?;
                match self.t().get_account(&st::settlement_address(&a))? {
                    None => Ok(json!({
                        "settlement": st::settlement_address(&a).to_string(),
                        "initialized": false,
                        "note": "create the credits mint with this settlement address as mint authority, then `depin credits init`",
                    })),
                    Some(_) => {
                        let s = st::settlement(self.t(), &a)?;
                        let supply = self.credits_supply(&s)?;
                        let epoch = st::current_epoch(self.t(), &s)?;
                        Ok(merged(
                            settlement_json(&a, &s),
                            json!({ "initialized": true, "credits_supply": supply, "current_epoch": epoch }),
                        ))
                    }
                }
            }
            CreditsCmd::Buy {
                network,
                tokens,
                min_credits,
                pyth_price,
                to,
            } => {
                let a = network_address(network)?;
                let buyer = self.signer_key()?;
                let ixs = settle.buy_instructions(
                    &buyer,
                    &buyer,
                    &to.unwrap_or(buyer),
                    &a,
                    *pyth_price,
                    MintCreditsArgs {
                        tokens: *tokens,
                        min_credits: *min_credits,
                    },
                )?;
                let before = settle.balance(&a, &to.unwrap_or(buyer))?;
                let mut out = self.deliver(&ixs, json!({ "tokens_burned": tokens }))?;
                if !self.cli.sign_only {
                    let after = settle.balance(&a, &to.unwrap_or(buyer))?;
                    out = merged(
                        out,
                        json!({ "credits_minted": after.saturating_sub(before), "credits_balance": after }),
                    );
                }
                Ok(out)
            }
            CreditsCmd::Balance {
                network,
                owner,
                router,
            } => {
                let a = network_address(network)?;
                match router {
                    Some(r) => Ok(json!({
                        "router": r.to_string(),
                        "escrow": st::escrow_address(&a, r).to_string(),
                        "credits": settle.escrow_balance(&a, r)?,
                    })),
                    None => {
                        let owner = match owner {
                            Some(o) => *o,
                            None => self.signer_key()?,
                        };
                        let s = st::settlement(self.t(), &a)?;
                        let account = st::credits_account(&owner, &s.credits_mint);
                        Ok(json!({
                            "owner": owner.to_string(),
                            "account": account.to_string(),
                            "credits": self.reg.token_balance(&account)?,
                        }))
                    }
                }
            }
            CreditsCmd::Delegate {
                network,
                router,
                amount,
            } => {
                let a = network_address(network)?;
                let holder = self.signer_key()?;
                let ixs = settle.delegate_instructions(&holder, &holder, &a, router, *amount)?;
                self.deliver(
                    &ixs,
                    json!({ "escrow": st::escrow_address(&a, router).to_string(), "credits": amount }),
                )
            }
            CreditsCmd::Burn {
                network,
                amount,
                router,
            } => {
                let a = network_address(network)?;
                let signer = self.signer_key()?;
                let ixs = match router {
                    None => settle.burn_instructions(&signer, &signer, &a, *amount)?,
                    Some(r) => settle.burn_delegated_instructions(&signer, &a, r, *amount)?,
                };
                self.deliver(&ixs, json!({ "credits_burned": amount }))
            }
        }
    }

    pub(super) fn price(&self, c: &PriceCmd) -> Result<Value> {
        match c {
            PriceCmd::Post { network, usd, raw } => {
                let a = network_address(network)?;
                let feed = st::oracle_prices(self.t(), &a)?;
                let price = match (usd, raw) {
                    (Some(u), _) => parse_decimal(u, feed.expo)?,
                    (None, Some(r)) => *r,
                    (None, None) => bail!("give --usd or --raw"),
                };
                let ix = st::post_price(&self.signer_key()?, &a, price);
                self.deliver(
                    &[ix],
                    json!({ "price": price, "expo": feed.expo, "usd": format_price(price, feed.expo) }),
                )
            }
            PriceCmd::Show {
                network,
                pyth_price,
            } => {
                let a = network_address(network)?;
                let s = st::settlement(self.t(), &a)?;
                let now = self.t().unix_time()?;
                let mut out = json!({ "source": format!("{:?}", s.source), "now": now });
                let mut prices: Vec<Price> = vec![];
                if let Some(at) = pyth_price {
                    let acct = self
                        .t()
                        .get_account(at)?
                        .with_context(|| format!("price account {at} does not exist"))?;
                    anyhow::ensure!(
                        acct.owner == st::PYTH_RECEIVER,
                        "{at} is not owned by the Pyth receiver program"
                    );
                    let u = PriceUpdateV2::try_deserialize(&mut &acct.data[..])
                        .with_context(|| format!("{at} is not a PriceUpdateV2"))?;
                    let m = &u.price_message;
                    let conservative = s.pyth_price(&u, now);
                    out = merged(
                        out,
                        json!({ "pyth": {
                            "feed_id": crate::rewards::to_hex(&m.feed_id),
                            "ema_price": format_price(m.ema_price, m.exponent),
                            "ema_conf": format_price(i64::try_from(m.ema_conf).unwrap_or(i64::MAX), m.exponent),
                            "age_s": now - m.publish_time,
                            "conservative": conservative.as_ref().ok().map(|p| format_price(p.price, p.expo)),
                            "refused": conservative.as_ref().err().map(|e| e.to_string()),
                        }}),
                    );
                    if let Ok(p) = conservative {
                        prices.push(p);
                    }
                }
                let feed = st::oracle_prices(self.t(), &a)?;
                let set = crate::verifier::oracle_set(self.t(), &a)?;
                let posts: Vec<Value> = set
                    .oracles
                    .iter()
                    .zip(feed.posts.iter())
                    .map(|(k, p)| {
                        json!({
                            "oracle": k.to_string(),
                            "price": (p.posted_at > 0).then(|| format_price(p.price, feed.expo)),
                            "age_s": (p.posted_at > 0).then_some(now - p.posted_at),
                            "counts": p.posted_at > 0 && p.set_version == set.version
                                && now - p.posted_at <= i64::from(s.max_price_age_s),
                        })
                    })
                    .collect();
                let median = feed.median(set.oracles.len(), set.version, now, s.max_price_age_s);
                out = merged(
                    out,
                    json!({ "oracle_posts": posts,
                            "oracle_median": median.as_ref().ok().map(|p| format_price(p.price, p.expo)) }),
                );
                if let Ok(p) = median {
                    if s.source.uses_oracles() {
                        prices.push(p);
                    }
                }
                let effective = match s.source {
                    PriceSource::Both if prices.len() == 2 => prices[0].lower(prices[1]).ok(),
                    PriceSource::Both => None,
                    _ => prices.first().copied(),
                };
                let per_token = effective.and_then(|p| {
                    p.credits_for_tokens(
                        10u64.pow(u32::from(s.token_decimals)),
                        s.token_decimals,
                        s.credits_per_usd,
                    )
                    .ok()
                });
                Ok(merged(
                    out,
                    json!({
                        "effective_price": effective.map(|p| format_price(p.price, p.expo)),
                        "credits_per_token": per_token,
                    }),
                ))
            }
        }
    }

    pub(super) fn bme(&self, c: &BmeCmd) -> Result<Value> {
        let BmeCmd::Stats { network, epochs } = c;
        let a = network_address(network)?;
        let s = st::settlement(self.t(), &a)?;
        let schedule = em::schedule(self.t(), &a).ok();
        let current = st::current_epoch(self.t(), &s)?;
        let (from, to) = match epochs {
            Some(r) => parse_range(r)?,
            None => (current.saturating_sub(9), current + 1),
        };
        // replay the schedule from its first epoch: what each finalised epoch emitted
        let first = schedule
            .as_ref()
            .map(|s| s.next_epoch - s.epochs_finalized)
            .unwrap_or(u64::MAX);
        let mut emitted_before = 0u64;
        let mut rows = vec![];
        let mut table = format!(
            "{:>7} {:>16} {:>16} {:>16} {:>16} {:>14} {:>16}\n",
            "epoch",
            "tokens_burned",
            "credits_minted",
            "credits_burned",
            "emitted",
            "re-minted",
            "net_supply"
        );
        if let Some(sch) = &schedule {
            for e in first..from.max(first) {
                emitted_before =
                    emitted_before.saturating_add(sch.core().amount_for_epoch(e, emitted_before));
            }
        }
        for e in from..to {
            let u = st::usage(self.t(), &a, e)?;
            let burned = u.as_ref().map_or(0, |u| u.tokens_burned_for_credits);
            let (emitted, reminted, finalised) = match &schedule {
                Some(sch) if e >= first && e < sch.next_epoch => {
                    let amount = sch.core().amount_for_epoch(e, emitted_before);
                    emitted_before = emitted_before.saturating_add(amount);
                    (amount, sch.remint_for(burned), true)
                }
                _ => (0, 0, false),
            };
            let net = i128::from(emitted) + i128::from(reminted) - i128::from(burned);
            let minted = u.as_ref().map_or(0, |u| u.credits_minted);
            let cburned = u.as_ref().map_or(0, |u| u.credits_burned);
            table.push_str(&format!(
                "{e:>7} {burned:>16} {minted:>16} {cburned:>16} {emitted:>16} {reminted:>14} {net:>16}{}\n",
                if finalised { "" } else { "  (not finalised)" }
            ));
            rows.push(json!({
                "epoch": e,
                "tokens_burned_for_credits": burned,
                "credits_minted": minted,
                "credits_burned": cburned,
                "credits_delegated": u.as_ref().map_or(0, |u| u.credits_delegated),
                "emitted": emitted,
                "reminted": reminted,
                "net_supply_change": net.to_string(),
                "finalised": finalised,
            }));
        }
        let supply = self.credits_supply(&s)?;
        // node_registry burns its fees directly: they are what the settlement's totals do
        // not explain of the supply
        let fee_burns = s
            .credits_minted_total
            .saturating_sub(s.credits_burned_total)
            .saturating_sub(supply);
        table.push_str(&format!(
            "lifetime: tokens burned {}, credits minted {}, burned for usage {}, burned for registry fees {}, supply {}\n",
            s.tokens_burned_total, s.credits_minted_total, s.credits_burned_total, fee_burns, supply
        ));
        Ok(json!({
            "table": table,
            "epochs": rows,
            "tokens_burned_total": s.tokens_burned_total,
            "credits_minted_total": s.credits_minted_total,
            "credits_burned_for_usage_total": s.credits_burned_total,
            "credits_burned_for_fees_total": fee_burns,
            "credits_supply": supply,
            "emitted_total": schedule.as_ref().map(|s| s.emitted_total),
            "reminted_total": schedule.as_ref().map(|s| s.reminted_total),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_without_floats() {
        assert_eq!(parse_decimal("150.25", -8).unwrap(), 15_025_000_000);
        assert_eq!(parse_decimal("150", -8).unwrap(), 15_000_000_000);
        assert_eq!(parse_decimal("0.00000001", -8).unwrap(), 1);
        assert!(parse_decimal("0.000000001", -8).is_err());
        assert!(parse_decimal("-1", -8).is_err());
        assert!(parse_decimal("1e5", -8).is_err());
        assert!(parse_decimal("999999999999", -8).is_err());
        assert_eq!(format_price(15_025_000_000, -8), "150.25000000");
        assert_eq!(format_price(1, -8), "0.00000001");
        assert_eq!(format_price(-5, -2), "-0.05");
        assert_eq!(format_price(7, 2), "700");
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("3..7").unwrap(), (3, 7));
        assert!(parse_range("7..3").is_err());
        assert!(parse_range("x").is_err());
    }
}
