//! `depin credits`, `depin price` and `depin bme` through the CLI's parser against an
//! embedded network: set up the settlement, post prices, buy, delegate, burn, read the
//! epoch's accounting, and hand a purchase to a wallet unsigned.
use depin::settlement as st;
use depin_tests::run_cli_on;
use depin_tests::settlement::SettlementWorld;
use serde_json::Value;
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::path::Path;

fn write_key(dir: &Path, name: &str, k: &Keypair) -> String {
    let p = dir.join(name);
    depin::config::write_keypair(k, &p).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn credits_from_setup_to_usage() {
    let w = SettlementWorld::build("cli-bme", depin::tokens::TOKEN_PROGRAM, None);
    let dir = tempfile::tempdir().unwrap();
    let depin = |args: &[&str]| -> Result<Value, String> { run_cli_on(&w.net, args) };
    let operator = write_key(dir.path(), "operator.json", &w.operator);
    let oracles: Vec<String> = w
        .oracles
        .iter()
        .enumerate()
        .map(|(i, k)| write_key(dir.path(), &format!("oracle{i}.json"), k))
        .collect();
    let router = write_key(dir.path(), "router.json", &w.usage_authority);
    let buyer_key = w.customer(10_000_000);
    let buyer = write_key(dir.path(), "buyer.json", &buyer_key);
    let pyth = w.pyth.to_string();

    let show = depin(&["credits", "show", "cli-bme"]).unwrap();
    assert_eq!(show["initialized"], false);
    assert_eq!(
        show["settlement"],
        st::settlement_address(&w.network).to_string()
    );
    // pyth or both need the feed id
    let err = depin(&[
        "credits",
        "init",
        "cli-bme",
        "--source",
        "both",
        "--keypair",
        &operator,
    ])
    .unwrap_err();
    assert!(err.contains("--feed"), "{err}");
    let usage_authority = w.usage_authority.pubkey().to_string();
    depin(&[
        "credits",
        "init",
        "cli-bme",
        "--source",
        "both",
        "--feed",
        st::SOL_USD_FEED,
        "--usage-authority",
        &usage_authority,
        "--keypair",
        &operator,
    ])
    .unwrap();
    let show = depin(&["credits", "show", "cli-bme"]).unwrap();
    assert_eq!(show["initialized"], true);
    assert_eq!(show["source"], "Both");
    assert_eq!(show["credits_per_usd"], 100_000);

    // two of three oracles post; the lower of Pyth's $149.85 and the median $149.50 wins
    depin(&[
        "price",
        "post",
        "cli-bme",
        "--usd",
        "150.5",
        "--keypair",
        &oracles[0],
    ])
    .unwrap();
    depin(&[
        "price",
        "post",
        "cli-bme",
        "--usd",
        "149.5",
        "--keypair",
        &oracles[1],
    ])
    .unwrap();
    let err = depin(&[
        "price",
        "post",
        "cli-bme",
        "--usd",
        "1",
        "--keypair",
        &buyer,
    ])
    .unwrap_err();
    assert!(err.contains("NotAnOracle"), "{err}");
    let price = depin(&["price", "show", "cli-bme", "--pyth-price", &pyth]).unwrap();
    assert_eq!(price["pyth"]["conservative"], "149.85000000");
    assert_eq!(price["oracle_median"], "149.50000000");
    assert_eq!(price["effective_price"], "149.50000000");
    assert_eq!(price["credits_per_token"], 14_950_000);

    // buy 1 token, delegate, burn directly and through the router
    let out = depin(&[
        "credits",
        "buy",
        "cli-bme",
        "--tokens",
        "1000000",
        "--pyth-price",
        &pyth,
        "--keypair",
        &buyer,
    ])
    .unwrap();
    assert_eq!(out["credits_minted"], 14_950_000);
    let bal = depin(&["credits", "balance", "cli-bme", "--keypair", &buyer]).unwrap();
    assert_eq!(bal["credits"], 14_950_000);
    let r = w.key().pubkey().to_string();
    depin(&[
        "credits",
        "delegate",
        "cli-bme",
        "--router",
        &r,
        "--amount",
        "1000000",
        "--keypair",
        &buyer,
    ])
    .unwrap();
    depin(&[
        "credits",
        "burn",
        "cli-bme",
        "--amount",
        "500",
        "--keypair",
        &buyer,
    ])
    .unwrap();
    depin(&[
        "credits",
        "burn",
        "cli-bme",
        "--router",
        &r,
        "--amount",
        "400000",
        "--keypair",
        &router,
    ])
    .unwrap();
    // the buyer is not the usage authority
    let err = depin(&[
        "credits",
        "burn",
        "cli-bme",
        "--router",
        &r,
        "--amount",
        "1",
        "--keypair",
        &buyer,
    ])
    .unwrap_err();
    assert!(err.contains("NotUsageAuthority"), "{err}");
    let esc = depin(&["credits", "balance", "cli-bme", "--router", &r]).unwrap();
    assert_eq!(esc["credits"], 600_000);

    // the epoch's accounting
    let stats = depin(&["bme", "stats", "cli-bme"]).unwrap();
    let rows = stats["epochs"].as_array().unwrap();
    let now = rows.last().unwrap();
    assert_eq!(now["tokens_burned_for_credits"], 1_000_000);
    assert_eq!(now["credits_minted"], 14_950_000);
    assert_eq!(now["credits_burned"], 400_500);
    assert_eq!(now["credits_delegated"], 1_000_000);
    assert_eq!(now["finalised"], false);
    assert_eq!(stats["credits_supply"], 14_950_000 - 400_500);
    assert_eq!(stats["credits_burned_for_fees_total"], 0);
    assert!(
        stats.get("table").is_none(),
        "the text table is not in JSON"
    );
    let epoch = w.epoch();
    let range = format!("{}..{}", epoch - 1, epoch + 1);
    let stats = depin(&["bme", "stats", "cli-bme", "--epochs", &range]).unwrap();
    assert_eq!(stats["epochs"].as_array().unwrap().len(), 2);
    assert_eq!(stats["epochs"][0]["tokens_burned_for_credits"], 0);

    // a wallet signs a purchase offline
    let signer = buyer_key.pubkey().to_string();
    let unsigned = depin(&[
        "credits",
        "buy",
        "cli-bme",
        "--tokens",
        "1000",
        "--pyth-price",
        &pyth,
        "--sign-only",
        "--keypair",
        &signer,
    ])
    .unwrap();
    assert_eq!(unsigned["missing_signers"][0], signer);
    let tx = unsigned["transaction"].as_str().unwrap();
    let signed = depin(&["tx", "sign", tx, "--keypair", &buyer]).unwrap();
    depin(&["tx", "send", signed["transaction"].as_str().unwrap()]).unwrap();
    let bal = depin(&["credits", "balance", "cli-bme", "--keypair", &buyer]).unwrap();
    assert_eq!(bal["credits"], 14_950_000 - 1_000_500 + 14_950);
}
