//! `depin demo` end to end on the embedded runtime (native or SBF, as the suite runs):
//! the figures it prints are read back from accounts, so they are checked here.
use depin::demo;
use depin::transport::embedded::{EmbeddedNetwork, RuntimeMode};

#[test]
fn demo_runs_epochs_and_reconciles() {
    let net = EmbeddedNetwork::start_with(RuntimeMode::from_env(), |_| {}).unwrap();
    let r = demo::run(&net, 12, false).unwrap();
    assert_eq!(r.nodes_registered, 12);
    assert_eq!(r.node_accounts_on_chain, 12);
    assert!(r.credits_reconcile);
    assert_eq!(r.oracles, 3);
    assert_eq!(r.oracle_threshold, 2);
    assert_eq!(r.epochs_finalized, demo::DEMO_EPOCHS);
    assert!(r.epochs_finalized >= 5);
    // the oracle services: one submits, the other two approve, every epoch
    assert_eq!(r.epochs_by_accumulated_approvals, demo::DEMO_EPOCHS);
    assert!(r.oracle_roots_agree);
    // 12 nodes, none suspended (every 25th is), 3 receipts a device an epoch; every fourth
    // device's batch goes to two oracles
    assert_eq!(r.receipts_sent, 6 * (12 + 3) * 3);
    assert_eq!(r.receipts_accepted, r.receipts_sent);
    assert_eq!(r.bad_receipts_sent, 3);
    assert_eq!(r.receipts_rejected, r.bad_receipts_sent);
    assert_eq!(r.reports_voided, 1);
    assert!(r.rewards_claimed > 0);
    assert!(r.rewards_claimed <= r.rewards_minted);
    assert!(r.supply_reconciles);
    // 1,000 tokens halving every 2 epochs: 1000+1000+500+500+250+250 = 3,500 tokens,
    // plus half of each epoch's credit purchases (at most 100 tokens an epoch)
    assert_eq!(r.tokens_emitted, 3_500_000_000);
    assert_eq!(r.rewards_minted, r.tokens_emitted + r.tokens_reminted);
    assert!(r.tokens_reminted > 0 && r.tokens_reminted <= 6 * 100_000_000);
    assert!(r.tokens_reminted <= r.tokens_burned_for_credits / 2);
    // burn-and-mint: customers and owners bought credits, usage and fees burned them
    assert!(r.tokens_burned_for_credits > 0);
    assert!(r.credits_burned > 0 && r.credits_burned_for_usage > 0);
    assert_eq!(
        r.credits_burned,
        r.credits_burned_for_usage + r.credits_burned_for_fees
    );
    assert!(r.credits_delegated > 0);
    assert_eq!(r.customers, 3);
    assert_eq!(
        r.token_supply + r.tokens_burned_for_credits,
        r.token_genesis + r.tokens_emitted + r.tokens_reminted
    );
    // every active node claimed twice; operators got 80 %, less rounding dust
    assert!(r.claims >= 2 * 11);
    assert!(r.rewards_claimed > r.rewards_minted / 10 * 8 - 1_000);
    assert!(r.transferred_node_rewards_to_new_owner > 0);
    assert!(r.transferred_node_rewards_follow_owner);
}

/// The demo's sector proofs (issue 14): all four classes take part every epoch, and every
/// forged proof is rejected for the reason it was forged with.
#[test]
fn demo_judges_sector_proofs_of_every_class() {
    let net = EmbeddedNetwork::start_with(RuntimeMode::from_env(), |_| {}).unwrap();
    // 24 nodes: six of each class, so five sensors can outvote an outlier
    let r = demo::run(&net, 24, false).unwrap();
    let epochs = demo::DEMO_EPOCHS;
    assert_eq!(r.challenges_opened, epochs);
    assert_eq!(r.storage_chunks_verified_on_chain, epochs);
    for class in ["coverage", "storage", "compute", "sensor"] {
        assert!(
            r.proofs_accepted[class] > 0,
            "{class}: {:?}",
            r.proofs_accepted
        );
    }
    let rejected = |class: &str, why: &str| {
        r.proofs_rejected
            .get(class)
            .and_then(|m| m.get(why))
            .copied()
            .unwrap_or(0)
    };
    // one of each forgery an epoch, and one late answer in the first
    assert_eq!(rejected("coverage", "witness_too_close"), epochs);
    assert_eq!(rejected("coverage", "signal_stronger_than_physics"), epochs);
    assert_eq!(rejected("storage", "wrong_chunk_path"), epochs);
    assert_eq!(rejected("compute", "wrong_matrix_product"), epochs);
    assert_eq!(rejected("compute", "late_answer"), 1);
    assert_eq!(rejected("sensor", "outlier_reading"), epochs);
    let all_rejected: u64 = r.proofs_rejected.values().flat_map(|m| m.values()).sum();
    assert_eq!(
        all_rejected, r.forged_proofs_sent,
        "{:?}",
        r.proofs_rejected
    );
    // three honest storage nodes and two honest GPUs an epoch (less the late one)
    assert_eq!(r.proofs_accepted["storage"], 3 * epochs);
    assert_eq!(r.proofs_accepted["compute"], 2 * epochs - 1);
    assert!(r.oracle_roots_agree);
    assert!(r.supply_reconciles);
}
