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
    assert_eq!(r.epochs_by_accumulated_approvals, 1);
    assert_eq!(r.reports_voided, 1);
    assert!(r.rewards_claimed > 0);
    assert!(r.rewards_claimed <= r.rewards_minted);
    assert!(r.supply_reconciles);
    // 1,000 tokens halving every 2 epochs: 1000+1000+500+500+250+250 = 3,500 tokens
    assert_eq!(r.rewards_minted, 3_500_000_000);
    // every active node claimed twice; operators got 80 %, less rounding dust
    assert!(r.claims >= 2 * 11);
    assert!(r.rewards_claimed > r.rewards_minted / 10 * 8 - 1_000);
    assert!(r.transferred_node_rewards_to_new_owner > 0);
    assert!(r.transferred_node_rewards_follow_owner);
}
