//! The embedded runtime behaves as a cluster does for repeated transactions: many per slot,
//! an identical signed transaction refused as `AlreadyProcessed`, and the client library
//! signing an identical action again on the next blockhash.
use depin::transport::Transport;
use depin_tests::*;
use solana_keypair::Keypair;
use solana_signer::Signer;
use solana_transaction_error::TransactionError;

#[test]
fn repeated_actions_land_and_replayed_transactions_do_not() {
    let w = World::new();
    let to = Keypair::new_from_array([0x77; 32]).pubkey();
    let ix = depin::ix::transfer_lamports(&w.operator.pubkey(), &to, 1_000_000);
    let balance = |w: &World| w.account(&to).map_or(0, |a| a.lamports);
    // the same instruction three times in a row: three transfers
    for _ in 0..3 {
        w.send(std::slice::from_ref(&ix), &w.operator, &[]).unwrap();
    }
    assert_eq!(balance(&w), 3_000_000);
    // one signed transaction sent twice: the second is a replay
    let reg = w.reg();
    let other = depin::ix::transfer_lamports(&w.operator.pubkey(), &to, 1);
    let mut tx = reg.unsigned(&[other], &w.operator.pubkey()).unwrap();
    depin::txcodec::sign(&mut tx, &w.operator).unwrap();
    w.net.send(&tx).unwrap();
    let e = w.net.send(&tx).unwrap_err();
    assert_eq!(
        e.failure().map(|f| f.error.clone()),
        Some(TransactionError::AlreadyProcessed)
    );
    assert_eq!(balance(&w), 3_000_001);
}
