//! Compute units of the reward paths the issue sets goals for, per token program, printed
//! as `cu-scenario:` lines in the SBF run (`cargo test -p depin-tests --test cu_scenarios --
//! --nocapture` after `scripts/build-sbf.sh`); the budgets themselves are in
//! `tests/cu-budgets.toml`. The flows are asserted in both modes.
use depin::emissions as em;
use depin::tokens;
use depin::transport::embedded::RuntimeMode;
use depin_core::merkle::pack_proof;
use depin_core::merkle::{hash_pair, reward_leaf};
use depin_core::sha256::Soft;
use depin_tests::rewards::{schedule_args, RewardsWorld};
use depin_tests::*;
use emissions::ClaimArgs;
use solana_signer::Signer;

fn report(what: &str, token: &anchor_lang::prelude::Pubkey, cu: Option<u64>) {
    if matches!(RuntimeMode::from_env(), RuntimeMode::Sbf(_)) {
        let t = if *token == tokens::TOKEN_PROGRAM {
            "spl-token"
        } else {
            "token-2022"
        };
        println!("cu-scenario: {what} ({t}): {}", cu.unwrap_or(0));
    }
}

/// A root for `node`'s `amount` at depth 20 (siblings are arbitrary subtrees).
fn depth_20(
    node: &anchor_lang::prelude::Pubkey,
    amount: u64,
    salt: u8,
) -> ([u8; 32], Vec<[u8; 32]>) {
    let proof: Vec<[u8; 32]> = (0..20u8)
        .map(|i| [i.wrapping_mul(37).wrapping_add(salt); 32])
        .collect();
    let mut root = reward_leaf::<Soft>(&node.to_bytes(), amount);
    for s in &proof {
        root = hash_pair::<Soft>(&root, s);
    }
    (root, proof)
}

fn scenarios(token: anchor_lang::prelude::Pubkey) {
    let rw = RewardsWorld::new(token, schedule_args());
    let owner = rw.w.owner(ONBOARDING_FEE);
    let (_, node) = rw.w.register(&owner);
    let to = rw.owner_rewards(&owner.pubkey());
    let ata = tokens::create_associated_account(
        &rw.w.operator.pubkey(),
        &owner.pubkey(),
        &rw.reward_mint,
        &token,
    );
    rw.w.send(&[ata], &rw.w.operator, &[]).unwrap();
    // the record alone first (clients put it before the first claim, in the same
    // transaction), so each figure below is one instruction's
    let out =
        rw.w.send(
            &[em::open_claim(&rw.w.operator.pubkey(), &node)],
            &rw.w.operator,
            &[],
        )
        .unwrap();
    report("open_claim", &token, out.compute_units);
    let mut paid = 0;
    for (epoch, amount) in [(0u64, 100_000u64), (1, 250_000)] {
        let (root, proof) = depth_20(&node, amount, epoch as u8 + 1);
        rw.report_root(epoch, root, 1, 1 << 20);
        let out = rw
            .em()
            .finalize_epoch(&rw.w.operator, &rw.w.network, epoch)
            .unwrap();
        report(
            &format!("finalize_epoch {epoch}"),
            &token,
            out.compute_units,
        );
        let out = rw
            .em()
            .claim(
                &rw.w.operator,
                &rw.w.network,
                &node,
                ClaimArgs {
                    epoch,
                    cumulative_amount: amount,
                    proof: pack_proof(&proof),
                },
            )
            .unwrap();
        let which = if epoch == 0 { "first" } else { "second" };
        report(
            &format!("claim depth 20, {which}"),
            &token,
            out.compute_units,
        );
        paid = amount;
    }
    assert_eq!(rw.balance(&to), paid);
    let record = em::claim_record(&rw.w.net, &node).unwrap().unwrap();
    assert_eq!((record.claimed, record.last_epoch), (250_000, 1));
}

#[test]
fn spl_token() {
    scenarios(tokens::TOKEN_PROGRAM);
}

#[test]
fn token_2022() {
    scenarios(tokens::TOKEN_2022_PROGRAM);
}

/// Credit purchases and burns, per token program of the network's token and price source.
/// The goals (mint_credits ≤ 15,000, burn_delegated_credits ≤ 12,000; Helium 36,033
/// and 36,574) are asserted in the SBF run for a Token-2022 token; with an SPL Token token
/// SPL Token's own burn (4,707) comes on top and the figure is reported, not asserted.
fn settlement_scenarios(token: anchor_lang::prelude::Pubkey) {
    use depin::settlement as st;
    use depin_tests::settlement::SettlementWorld;
    use fee_settlement::state::PriceSource;
    let sbf = matches!(RuntimeMode::from_env(), RuntimeMode::Sbf(_));
    for (source, name) in [(PriceSource::Pyth, "pyth"), (PriceSource::Both, "both")] {
        let w = SettlementWorld::build(&format!("cu-{name}"), token, Some(source));
        let buyer = w.customer(10_000_000);
        let settle = w.settle();
        for o in &w.oracles[..2] {
            settle.post_price(o, &w.network, 15_000_000_000).unwrap();
        }
        let ix = w.mint_ix(&buyer.pubkey(), 1_000_000, 0);
        let out = w.send(&[ix], &buyer, &[]).unwrap();
        report(&format!("mint_credits, {name}"), &token, out.compute_units);
        if sbf && token == tokens::TOKEN_2022_PROGRAM {
            let cu = out.compute_units.unwrap();
            assert!(
                cu <= 15_000,
                "mint_credits ({name}, Token-2022) took {cu} CU"
            );
        }
        assert!(w.balance(&w.credits_account(&buyer.pubkey())) > 0);
        if source == PriceSource::Pyth {
            let router = w.key();
            settle
                .delegate(&buyer, &w.network, &router.pubkey(), 1_000)
                .unwrap();
            let s = w.settlement();
            let escrow = st::escrow_address(&w.network, &router.pubkey());
            let ix = st::burn_delegated_credits(
                &w.usage_authority.pubkey(),
                &w.network,
                &s,
                w.epoch(),
                &escrow,
                600,
            );
            let out = w.send(&[ix], &w.usage_authority, &[]).unwrap();
            report("burn_delegated_credits", &token, out.compute_units);
            if sbf {
                let cu = out.compute_units.unwrap();
                assert!(cu <= 12_000, "burn_delegated_credits took {cu} CU");
            }
            assert_eq!(w.balance(&escrow), 400);
        }
    }
}

#[test]
fn settlement_spl_token() {
    settlement_scenarios(tokens::TOKEN_PROGRAM);
}

#[test]
fn settlement_token_2022() {
    settlement_scenarios(tokens::TOKEN_2022_PROGRAM);
}
