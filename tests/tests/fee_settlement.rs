//! fee_settlement: credit purchases at Pyth, oracle-median and combined prices, delegation,
//! usage burns, the circuit breaker, and every refusal with its named error.
use anchor_lang::prelude::Pubkey;
use depin::settlement::{self as st, PythPrice};
use depin::tokens;
use depin_tests::settlement::{
    code, settlement_args, SettlementWorld, BREAKER, EMA_CONF, EMA_PRICE, EXPO, MAX_AGE_S,
};
use fee_settlement::state::PriceSource;
use fee_settlement::{SettlementError as E, UpdateSettlementArgs};
use solana_keypair::Keypair;
use solana_signer::Signer;

/// One whole token (6 decimals).
const TOKEN: u64 = 1_000_000;
/// Credits for one token at $150 − 2 · $0.075 = $149.85 and 100,000 credits per USD.
const CREDITS_PER_TOKEN: u64 = 14_985_000;

fn world() -> SettlementWorld {
    SettlementWorld::new(PriceSource::Pyth)
}

#[test]
fn buying_credits_burns_tokens_at_the_conservative_pyth_price() {
    let w = world();
    let buyer = w.customer(10 * TOKEN);
    let supply_before = w.supply(&w.token_mint);
    w.buy(&buyer, 2 * TOKEN).expect("buy");
    assert_eq!(w.balance(&w.token_account(&buyer.pubkey())), 8 * TOKEN);
    assert_eq!(
        w.balance(&w.credits_account(&buyer.pubkey())),
        2 * CREDITS_PER_TOKEN
    );
    assert_eq!(w.supply(&w.token_mint), supply_before - 2 * TOKEN);
    let u = w.usage(w.epoch()).expect("usage record");
    assert_eq!(u.tokens_burned_for_credits, 2 * TOKEN);
    assert_eq!(u.credits_minted, 2 * CREDITS_PER_TOKEN);
    assert_eq!(u.credits_burned, 0);
    let s = w.settlement();
    assert_eq!(s.tokens_burned_total, 2 * TOKEN);
    assert_eq!(s.credits_minted_total, 2 * CREDITS_PER_TOKEN);
    // the same figure depin-core gives, rounded down
    let p = depin_core::price::Price {
        price: EMA_PRICE,
        conf: EMA_CONF,
        expo: EXPO,
    }
    .conservative(2, 200)
    .unwrap();
    assert_eq!(
        p.credits_for_tokens(2 * TOKEN, 6, 100_000).unwrap(),
        2 * CREDITS_PER_TOKEN
    );
    // a second purchase in the same epoch adds to the same record
    w.buy(&buyer, 1).expect("buy one base unit");
    let u = w.usage(w.epoch()).unwrap();
    assert_eq!(u.tokens_burned_for_credits, 2 * TOKEN + 1);
    assert_eq!(u.credits_minted, 2 * CREDITS_PER_TOKEN + 14); // 14.985 rounded down
}

#[test]
fn pyth_prices_that_are_refused() {
    let w = world();
    let buyer = w.customer(10 * TOKEN);
    let watch = [
        w.token_account(&buyer.pubkey()),
        w.credits_account(&buyer.pubkey()),
        st::settlement_address(&w.network),
        w.token_mint,
        w.credits_mint,
    ];
    let ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let mut watch_all = watch.to_vec();
    watch_all.push(w.usage_address());
    let refuse = |p: PythPrice, e: E| {
        w.set_pyth(p);
        w.assert_refused(&watch_all, code(e), || {
            w.send(std::slice::from_ref(&ix), &buyer, &[])
        });
    };
    let fresh = w.pyth_price();
    refuse(
        PythPrice {
            publish_time: w.now() - i64::from(MAX_AGE_S) - 1,
            ..fresh
        },
        E::StalePrice,
    );
    refuse(
        PythPrice {
            publish_time: w.now() + 3_600,
            ..fresh
        },
        E::PriceFromFuture,
    );
    refuse(
        PythPrice {
            feed_id: st::feed_id(st::HNT_USD_FEED).unwrap(),
            ..fresh
        },
        E::WrongPriceFeed,
    );
    refuse(
        PythPrice {
            full_verification: false,
            ..fresh
        },
        E::PartialVerification,
    );
    refuse(
        PythPrice {
            ema_price: 0,
            ..fresh
        },
        E::NonPositivePrice,
    );
    refuse(
        PythPrice {
            ema_price: -EMA_PRICE,
            ..fresh
        },
        E::NonPositivePrice,
    );
    // conf above 2 % of the price
    refuse(
        PythPrice {
            ema_conf: EMA_PRICE as u64 / 50 + 1,
            ..fresh
        },
        E::ConfidenceTooWide,
    );
    // extreme exponents and prices: an error, never a wrap
    refuse(PythPrice { expo: -60, ..fresh }, E::ExponentOutOfRange);
    refuse(
        PythPrice {
            ema_price: i64::MAX,
            ema_conf: 0,
            expo: 12,
            ..fresh
        },
        E::ArithmeticOverflow,
    );
    // not owned by the Pyth receiver
    let mut foreign = fresh.account().unwrap();
    foreign.owner = Pubkey::new_unique();
    w.set_account(&w.pyth, foreign);
    w.assert_refused(&watch_all, code(E::PriceAccountNotPyth), || {
        w.send(std::slice::from_ref(&ix), &buyer, &[])
    });
    // the receiver's, but not a price update
    let mut garbage = fresh.account().unwrap();
    garbage.data[0] ^= 0xff;
    w.set_account(&w.pyth, garbage);
    w.assert_refused(&watch_all, code(E::NotAPriceUpdate), || {
        w.send(std::slice::from_ref(&ix), &buyer, &[])
    });
    // no price account at all
    let mut without = ix.clone();
    let at = without
        .accounts
        .iter()
        .position(|m| m.pubkey == w.pyth)
        .unwrap();
    without.accounts[at].pubkey = fee_settlement::ID; // Anchor's "None"
    w.set_pyth(fresh);
    w.assert_refused(&watch_all, code(E::MissingPythPrice), || {
        w.send(&[without], &buyer, &[])
    });
    // and with a good price the same instruction goes through
    w.set_pyth(w.pyth_price());
    w.send(&[ix], &buyer, &[]).expect("valid price");
}

#[test]
fn a_mainnet_layout_price_update_decodes() {
    // SOL/USD as Pyth publishes it, with a mainnet-like EMA and confidence: the account is
    // Pyth's own PriceUpdateV2 serialisation, 134 bytes, owned by the receiver program.
    let w = world();
    let a = w.pyth_price().account().unwrap();
    assert_eq!(a.data.len(), 134);
    assert_eq!(
        a.owner.to_string(),
        "rec5EKMGg6MxZYaMdyBfgwp4d5rB9T1VQH5pJv5LtFJ"
    );
    assert_eq!(&a.data[..8], &[34, 241, 35, 99, 157, 126, 244, 205]); // "account:PriceUpdateV2"
    let hex: String = w.feed.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(hex, st::SOL_USD_FEED);
    let buyer = w.customer(TOKEN);
    w.set_pyth(PythPrice {
        price: 23_512_345_678,
        conf: 11_250_000,
        ema_price: 23_498_765_432,
        ema_conf: 12_345_678,
        ..w.pyth_price()
    });
    w.buy(&buyer, TOKEN).expect("buy at the mainnet-like price");
    // (234.98765432 − 2 · 0.12345678) USD · 100,000 credits
    assert_eq!(w.balance(&w.credits_account(&buyer.pubkey())), 23_474_074);
}

#[test]
fn the_oracle_median_needs_a_fresh_majority() {
    let w = SettlementWorld::new(PriceSource::OracleMedian);
    let buyer = w.customer(10 * TOKEN);
    let ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let watch = [
        w.token_account(&buyer.pubkey()),
        w.credits_account(&buyer.pubkey()),
        w.usage_address(),
    ];
    let s = w.settle();
    // no posts, then one of three
    w.assert_refused(&watch, code(E::NoOracleMajority), || {
        w.send(std::slice::from_ref(&ix), &buyer, &[])
    });
    s.post_price(&w.oracles[0], &w.network, 14_000_000_000)
        .unwrap();
    w.assert_refused(&watch, code(E::NoOracleMajority), || {
        w.send(std::slice::from_ref(&ix), &buyer, &[])
    });
    // someone outside the set cannot post
    let outsider = w.customer(0);
    w.assert_refused(
        &[st::oracle_prices_address(&w.network)],
        code(E::NotAnOracle),
        || s.post_price(&outsider, &w.network, 1),
    );
    w.assert_refused(
        &[st::oracle_prices_address(&w.network)],
        code(E::NonPositivePrice),
        || s.post_price(&w.oracles[1], &w.network, 0),
    );
    // two of three: the lower median, $140
    s.post_price(&w.oracles[1], &w.network, 16_000_000_000)
        .unwrap();
    w.send(std::slice::from_ref(&ix), &buyer, &[])
        .expect("majority");
    assert_eq!(w.balance(&w.credits_account(&buyer.pubkey())), 14_000_000);
    // once the posts are stale they no longer count
    w.net.advance_time(i64::from(MAX_AGE_S) + 1).unwrap();
    let ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let watch = [w.token_account(&buyer.pubkey()), w.usage_address()];
    w.assert_refused(&watch, code(E::NoOracleMajority), || {
        w.send(std::slice::from_ref(&ix), &buyer, &[])
    });
    // three fresh posts: the median, $150
    for (o, p) in w
        .oracles
        .iter()
        .zip([15_000_000_000i64, 99_000_000_000, 1_000_000])
    {
        s.post_price(o, &w.network, p).unwrap();
    }
    w.send(&[ix], &buyer, &[]).expect("fresh majority");
    assert_eq!(
        w.balance(&w.credits_account(&buyer.pubkey())),
        14_000_000 + 15_000_000
    );
}

#[test]
fn with_both_sources_the_lower_price_wins() {
    let w = SettlementWorld::new(PriceSource::Both);
    let buyer = w.customer(10 * TOKEN);
    let s = w.settle();
    for o in &w.oracles[..2] {
        s.post_price(o, &w.network, 12_000_000_000).unwrap();
    }
    w.buy(&buyer, TOKEN).unwrap();
    assert_eq!(w.balance(&w.credits_account(&buyer.pubkey())), 12_000_000);
    for o in &w.oracles[..2] {
        s.post_price(o, &w.network, 20_000_000_000).unwrap();
    }
    w.buy(&buyer, TOKEN).unwrap();
    assert_eq!(
        w.balance(&w.credits_account(&buyer.pubkey())),
        12_000_000 + CREDITS_PER_TOKEN
    );
    // both are required: without the oracle accounts the purchase is refused
    let mut ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let feed = st::oracle_prices_address(&w.network);
    let at = ix.accounts.iter().position(|m| m.pubkey == feed).unwrap();
    ix.accounts[at].pubkey = fee_settlement::ID;
    w.assert_refused(
        &[w.token_account(&buyer.pubkey())],
        code(E::MissingOraclePrices),
        || w.send(&[ix], &buyer, &[]),
    );
}

#[test]
fn purchase_refusals() {
    let w = world();
    let buyer = w.customer(100_000 * TOKEN);
    let watch = [
        w.token_account(&buyer.pubkey()),
        w.credits_account(&buyer.pubkey()),
        st::settlement_address(&w.network),
    ];
    let send = |ix: solana_instruction::Instruction| w.send(&[ix], &buyer, &[]);
    // slippage bound, zero amount, a burn too small to buy a credit
    let ix = w.mint_ix(&buyer.pubkey(), TOKEN, CREDITS_PER_TOKEN + 1);
    w.assert_refused(&watch, code(E::CreditsBelowMinimum), || send(ix));
    let ix = w.mint_ix(&buyer.pubkey(), 0, 0);
    w.assert_refused(&watch, code(E::ZeroAmount), || send(ix));
    w.set_pyth(PythPrice {
        ema_price: 1,
        ema_conf: 0,
        ..w.pyth_price()
    });
    let ix = w.mint_ix(&buyer.pubkey(), 1, 0);
    w.assert_refused(&watch, code(E::ZeroCredits), || send(ix));
    w.set_pyth(w.pyth_price());
    // the circuit breaker: the threshold is 10,000,000,000 credits a day (≈ 667 tokens)
    let ix = w.mint_ix(&buyer.pubkey(), 700 * TOKEN, 0);
    w.assert_refused(&watch, code(E::CircuitBreakerTripped), || send(ix));
    let ix = w.mint_ix(&buyer.pubkey(), 600 * TOKEN, 0);
    send(ix).expect("under the breaker");
    assert!(w.settlement().breaker_current <= BREAKER);
    let ix = w.mint_ix(&buyer.pubkey(), 100 * TOKEN, 0);
    w.assert_refused(&watch, code(E::CircuitBreakerTripped), || send(ix));
    // a day later the window has drained
    w.net.advance_time(86_400).unwrap();
    w.set_pyth(w.pyth_price());
    let ix = w.mint_ix(&buyer.pubkey(), 100 * TOKEN, 0);
    send(ix).expect("window drained");

    // another epoch's usage record
    let mut ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let old = st::usage_address(&w.network, w.epoch() - 1);
    w.send(
        &[st::open_epoch_usage(
            &w.operator.pubkey(),
            &w.network,
            w.epoch() - 1,
        )],
        &w.operator,
        &[],
    )
    .unwrap();
    let now = w.usage_address();
    let at = ix.accounts.iter().position(|m| m.pubkey == now).unwrap();
    ix.accounts[at].pubkey = old;
    w.assert_refused(&[old, watch[0]], code(E::WrongEpochUsage), || send(ix));
    // the recipient must be a credits account (here: the buyer's token account)
    let mut ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let credits = w.credits_account(&buyer.pubkey());
    let at = ix
        .accounts
        .iter()
        .position(|m| m.pubkey == credits)
        .unwrap();
    ix.accounts[at].pubkey = w.token_account(&buyer.pubkey());
    w.assert_refused(&watch, code(E::NotACreditsAccount), || send(ix));
    // a token mint other than the network's
    let mut ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let at = ix
        .accounts
        .iter()
        .position(|m| m.pubkey == w.token_mint)
        .unwrap();
    ix.accounts[at].pubkey = w.credits_mint;
    w.assert_refused(&watch, code(E::WrongTokenMint), || send(ix));
    // another wallet's tokens: the token program refuses the burn (owner mismatch)
    let thief = w.customer(0);
    let mut ix = w.mint_ix(&thief.pubkey(), TOKEN, 0);
    let theirs = w.token_account(&thief.pubkey());
    let at = ix.accounts.iter().position(|m| m.pubkey == theirs).unwrap();
    ix.accounts[at].pubkey = w.token_account(&buyer.pubkey());
    let token_owner_mismatch = 4; // spl-token's TokenError::OwnerMismatch
    w.assert_refused(&watch, token_owner_mismatch, || w.send(&[ix], &thief, &[]));
}

#[test]
fn credits_cannot_be_transferred() {
    let w = world();
    let buyer = w.customer(TOKEN);
    w.buy(&buyer, TOKEN).unwrap();
    let other = w.customer(0);
    let ata = tokens::create_associated_account(
        &w.operator.pubkey(),
        &other.pubkey(),
        &w.credits_mint,
        &tokens::TOKEN_2022_PROGRAM,
    );
    w.send(&[ata], &w.operator, &[]).unwrap();
    let from = w.credits_account(&buyer.pubkey());
    let to = w.credits_account(&other.pubkey());
    #[allow(deprecated)]
    let ix = anchor_spl::token_2022::spl_token_2022::instruction::transfer_checked(
        &tokens::TOKEN_2022_PROGRAM,
        &from,
        &w.credits_mint,
        &to,
        &buyer.pubkey(),
        &[],
        1,
        0,
    )
    .unwrap();
    let non_transferable =
        anchor_spl::token_2022::spl_token_2022::error::TokenError::NonTransferable as u32;
    w.assert_refused(&[from, to], non_transferable, || w.send(&[ix], &buyer, &[]));
    // nor "delegated" into another holder's account
    w.open_usage();
    let s = w.settlement();
    let ix = st::delegate_credits(&buyer.pubkey(), &w.network, &s, w.epoch(), &to, 1);
    w.assert_refused(&[from, to], code(E::NotAnEscrow), || {
        w.send(&[ix], &buyer, &[])
    });
}

#[test]
fn usage_burns_direct_and_delegated() {
    let w = world();
    let customer = w.customer(10 * TOKEN);
    let router = w.key();
    w.buy(&customer, TOKEN).unwrap();
    let s = w.settle();
    let mine = w.credits_account(&customer.pubkey());
    // direct burn
    s.burn(&customer, &w.network, 1_000_000).unwrap();
    assert_eq!(w.balance(&mine), CREDITS_PER_TOKEN - 1_000_000);
    // delegation moves credits into the router's escrow without changing the supply
    let supply = w.supply(&w.credits_mint);
    s.delegate(&customer, &w.network, &router.pubkey(), 5_000_000)
        .unwrap();
    let escrow = st::escrow_address(&w.network, &router.pubkey());
    assert_eq!(w.balance(&escrow), 5_000_000);
    assert_eq!(w.balance(&mine), CREDITS_PER_TOKEN - 6_000_000);
    assert_eq!(w.supply(&w.credits_mint), supply);
    // the usage authority burns from the escrow
    s.burn_delegated(&w.usage_authority, &w.network, &router.pubkey(), 2_000_000)
        .unwrap();
    assert_eq!(w.balance(&escrow), 3_000_000);
    let u = w.usage(w.epoch()).unwrap();
    assert_eq!(u.credits_burned, 3_000_000);
    assert_eq!(u.credits_delegated, 5_000_000);
    assert_eq!(w.settlement().credits_burned_total, 3_000_000);
    assert_eq!(
        w.supply(&w.credits_mint),
        CREDITS_PER_TOKEN - 3_000_000,
        "supply = minted − burned"
    );

    // refusals
    let epoch = w.epoch();
    let st_ = w.settlement();
    let stranger = w.customer(0);
    let watch = [mine, escrow, w.usage_address(), w.credits_mint];
    // a non-authority cannot burn delegated credits
    let ix = st::burn_delegated_credits(&stranger.pubkey(), &w.network, &st_, epoch, &escrow, 1);
    w.assert_refused(&watch, code(E::NotUsageAuthority), || {
        w.send(&[ix], &stranger, &[])
    });
    // nor burn from a holder's account (not an escrow)
    let ix = st::burn_delegated_credits(
        &w.usage_authority.pubkey(),
        &w.network,
        &st_,
        epoch,
        &mine,
        1,
    );
    w.assert_refused(&watch, code(E::NotAnEscrow), || {
        w.send(&[ix], &w.usage_authority, &[])
    });
    // burning someone else's credits
    let ix = st::burn_credits(&stranger.pubkey(), &w.network, &st_, epoch, &mine, 1);
    w.assert_refused(&watch, code(E::NotCreditsOwner), || {
        w.send(&[ix], &stranger, &[])
    });
    // delegating someone else's credits
    let mut ix = st::delegate_credits(&stranger.pubkey(), &w.network, &st_, epoch, &escrow, 1);
    let theirs = w.credits_account(&stranger.pubkey());
    let at = ix.accounts.iter().position(|m| m.pubkey == theirs).unwrap();
    ix.accounts[at].pubkey = mine;
    w.assert_refused(&watch, code(E::NotCreditsOwner), || {
        w.send(&[ix], &stranger, &[])
    });
    // more than the escrow holds: Token-2022's insufficient funds
    let ix = st::burn_delegated_credits(
        &w.usage_authority.pubkey(),
        &w.network,
        &st_,
        epoch,
        &escrow,
        3_000_001,
    );
    w.assert_refused(&watch, 1, || w.send(&[ix], &w.usage_authority, &[]));
    // zero amounts
    let ix = st::burn_credits(&customer.pubkey(), &w.network, &st_, epoch, &mine, 0);
    w.assert_refused(&watch, code(E::ZeroAmount), || {
        w.send(&[ix], &customer, &[])
    });
    // the same account twice (escrow as the holder's account): not the holder's
    let ix = st::delegate_credits(&customer.pubkey(), &w.network, &st_, epoch, &escrow, 1);
    let mut dup = ix.clone();
    dup.accounts[4].pubkey = escrow;
    w.assert_refused(&watch, code(E::NotCreditsOwner), || {
        w.send(&[dup], &customer, &[])
    });
    // opening an escrow twice is refused by the runtime (account in use), not silently
    let again = st::open_escrow(
        &w.operator.pubkey(),
        &w.network,
        &router.pubkey(),
        &w.credits_mint,
    );
    assert!(w.send(&[again], &w.operator, &[]).is_err());
}

#[test]
fn only_the_network_authority_configures() {
    let w = world();
    let s = w.settle();
    let stranger = w.customer(0);
    let at = st::settlement_address(&w.network);
    w.assert_refused(&[at], code(E::NotNetworkAuthority), || {
        s.update(&stranger, &w.network, UpdateSettlementArgs::default())
    });
    w.assert_refused(&[at], code(E::InvalidPriceConfig), || {
        s.update(
            &w.operator,
            &w.network,
            UpdateSettlementArgs {
                credits_per_usd: Some(0),
                ..Default::default()
            },
        )
    });
    w.assert_refused(&[at], code(E::InvalidBreaker), || {
        s.update(
            &w.operator,
            &w.network,
            UpdateSettlementArgs {
                breaker_threshold: Some(0),
                ..Default::default()
            },
        )
    });
    let new_usage = Keypair::new();
    s.update(
        &w.operator,
        &w.network,
        UpdateSettlementArgs {
            credits_per_usd: Some(50_000),
            usage_authority: Some(new_usage.pubkey()),
            source: Some(PriceSource::Both),
            ..Default::default()
        },
    )
    .unwrap();
    let st_ = w.settlement();
    assert_eq!(st_.credits_per_usd, 50_000);
    assert_eq!(st_.usage_authority, new_usage.pubkey());
    assert_eq!(st_.source, PriceSource::Both);
}

#[test]
fn initialize_checks_the_credits_mint_and_the_authority() {
    use depin_tests::settlement::CreditsMint;
    for (name, credits, e) in [
        (
            "bme-a",
            CreditsMint::WrongAuthority,
            E::WrongCreditsMintAuthority,
        ),
        (
            "bme-b",
            CreditsMint::Transferable,
            E::CreditsNotNonTransferable,
        ),
    ] {
        let w = SettlementWorld::build_with(name, tokens::TOKEN_PROGRAM, None, credits);
        let at = st::settlement_address(&w.network);
        let a = settlement_args(PriceSource::Pyth, w.feed, w.usage_authority.pubkey());
        w.assert_refused(&[at], code(e), || {
            w.settle().initialize(&w.operator, &w.network, a)
        });
    }
    let w = SettlementWorld::build("bme-c", tokens::TOKEN_PROGRAM, None);
    let stranger = w.customer(0);
    let at = st::settlement_address(&w.network);
    let a = settlement_args(PriceSource::Pyth, w.feed, w.usage_authority.pubkey());
    w.assert_refused(&[at], code(E::NotNetworkAuthority), || {
        w.settle().initialize(&stranger, &w.network, a.clone())
    });
    for (bad, e) in [
        (
            fee_settlement::SettlementArgs {
                max_conf_bps: 0,
                ..a.clone()
            },
            E::InvalidPriceConfig,
        ),
        (
            fee_settlement::SettlementArgs {
                credits_per_usd: 0,
                ..a.clone()
            },
            E::InvalidPriceConfig,
        ),
        (
            fee_settlement::SettlementArgs {
                breaker_window_s: 0,
                ..a.clone()
            },
            E::InvalidBreaker,
        ),
        (
            fee_settlement::SettlementArgs {
                oracle_expo: -60,
                ..a.clone()
            },
            E::ExponentOutOfRange,
        ),
    ] {
        w.assert_refused(&[at], code(e), || {
            w.settle().initialize(&w.operator, &w.network, bad)
        });
    }
    w.settle()
        .initialize(&w.operator, &w.network, a.clone())
        .unwrap();
    let s = w.settlement();
    assert_eq!(s.credits_mint, w.credits_mint);
    assert_eq!(s.token_decimals, 6);
    let (_, bump) =
        Pubkey::find_program_address(&[b"settlement", w.network.as_ref()], &fee_settlement::ID);
    assert_eq!(s.bump, bump);
    // once only
    assert!(w.settle().initialize(&w.operator, &w.network, a).is_err());
}

#[test]
fn records_addresses_and_replays() {
    use depin::transport::Transport;
    let w = world();
    let buyer = w.customer(10 * TOKEN);
    // a usage record only at its own address: epoch 7's seeds with epoch 8's address
    let mut ix = st::open_epoch_usage(&w.operator.pubkey(), &w.network, 7);
    let wrong = st::usage_address(&w.network, 8);
    let at = ix
        .accounts
        .iter()
        .position(|m| m.pubkey == st::usage_address(&w.network, 7))
        .unwrap();
    ix.accounts[at].pubkey = wrong;
    let seeds = u32::from(depin_tests::AnchorError::ConstraintSeeds);
    w.assert_refused(&[wrong], seeds, || w.send(&[ix], &w.operator, &[]));
    // opening the same record twice is refused (the account exists), its counters kept
    w.buy(&buyer, TOKEN).unwrap();
    let current = w.usage_address();
    let again = st::open_epoch_usage(&w.operator.pubkey(), &w.network, w.epoch());
    let before = w.account(&current);
    assert!(w.send(&[again], &w.operator, &[]).is_err());
    assert_eq!(w.account(&current), before);
    // the same signed purchase sent twice burns once
    let ix = w.mint_ix(&buyer.pubkey(), TOKEN, 0);
    let mut tx = w.reg().unsigned(&[ix], &buyer.pubkey()).unwrap();
    depin::txcodec::sign(&mut tx, &buyer).unwrap();
    w.net.send(&tx).unwrap();
    let balance = w.balance(&w.token_account(&buyer.pubkey()));
    assert!(
        w.net.send(&tx).is_err(),
        "a replayed transaction is refused"
    );
    assert_eq!(w.balance(&w.token_account(&buyer.pubkey())), balance);
    // an account of another type where the oracle feed goes (the settlement itself)
    let feed = st::oracle_prices_address(&w.network);
    let mut post = st::post_price(&w.oracles[0].pubkey(), &w.network, 5);
    let at = post.accounts.iter().position(|m| m.pubkey == feed).unwrap();
    post.accounts[at].pubkey = st::settlement_address(&w.network);
    let mismatch = u32::from(depin_tests::AnchorError::AccountDiscriminatorMismatch);
    w.assert_refused(&[feed], mismatch, || w.send(&[post], &w.oracles[0], &[]));
}
