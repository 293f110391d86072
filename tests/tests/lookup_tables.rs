//! Address lookup tables and v0 transactions on the embedded runtime (natively and on the
//! SBF files): a registration sent as v0 lands and is smaller than the legacy one; a missing
//! table, an index the table lacks and addresses used in the slot they were added are
//! refused by name and cost nothing.
use depin::lookup;
use depin::transport::Transport;
use depin::txcodec;
use depin_tests::World;
use solana_address_lookup_table_interface::instruction as alt;
use solana_keypair::Keypair;
use solana_message::{AddressLookupTableAccount, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;
use solana_transaction_error::TransactionError;

/// Every account the instructions name (the compiler keeps signers and programs static).
fn accounts_of(ixs: &[solana_instruction::Instruction]) -> Vec<solana_pubkey::Pubkey> {
    let mut keys = vec![];
    for ix in ixs {
        for k in std::iter::once(ix.program_id).chain(ix.accounts.iter().map(|a| a.pubkey)) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    keys
}

fn refused(r: depin::transport::TransportResult<depin::transport::TxOutcome>) -> TransactionError {
    r.err()
        .and_then(|e| e.failure().map(|f| f.error.clone()))
        .expect("the transaction is refused")
}

#[test]
fn a_registration_as_v0_lands_and_is_smaller() {
    let w = World::new();
    let owner = w.owner(1_000_000);
    let device = w.device();
    let r = w.registration(&owner.pubkey(), &w.makers[0], &device);
    let ixs = w
        .reg()
        .register_node_instructions(&owner.pubkey(), &r)
        .unwrap();
    let mut legacy = w.reg().unsigned(&ixs, &owner.pubkey()).unwrap();
    txcodec::sign(&mut legacy, &owner.keypair).unwrap();
    let legacy_bytes = txcodec::size(&legacy);

    let table = lookup::create(&w.net, &w.operator, &w.operator, &accounts_of(&ixs)).unwrap();
    let state = lookup::fetch(&w.net, &table).unwrap();
    assert_eq!(state.addresses, accounts_of(&ixs));
    assert_eq!(state.authority, Some(w.operator.pubkey()));
    let tables = [lookup::table(&w.net, &table).unwrap()];
    let tx = lookup::transaction(
        &owner.keypair,
        &[],
        &ixs,
        &tables,
        w.net.latest_blockhash().unwrap(),
    )
    .unwrap();
    let v0_bytes = lookup::size(&tx);
    eprintln!(
        "register_node: legacy {legacy_bytes} bytes, v0 with a lookup table {v0_bytes} bytes"
    );
    assert!(
        v0_bytes + 150 < legacy_bytes,
        "v0 {v0_bytes} bytes against legacy {legacy_bytes}"
    );
    w.net.send_versioned(&tx).unwrap();
    let node = w.node_state(&w.node_address(&device.pubkey()));
    assert_eq!(node.owner, owner.pubkey());
    // the same transaction again is a replay
    assert_eq!(
        refused(w.net.send_versioned(&tx)),
        TransactionError::AlreadyProcessed
    );
}

#[test]
fn bad_tables_are_refused_by_name_and_cost_nothing() {
    let w = World::new();
    let payer = Keypair::new();
    w.fund(&payer.pubkey(), 1_000_000_000);
    let to = Keypair::new().pubkey();
    let pay = depin::ix::transfer_lamports(&payer.pubkey(), &to, 5_000_000);
    let balance = || w.account(&payer.pubkey()).map_or(0, |a| a.lamports);
    let before = balance();

    // a table nobody created
    let ghost = AddressLookupTableAccount {
        key: Keypair::new().pubkey(),
        addresses: vec![to],
    };
    let blockhash = w.net.latest_blockhash().unwrap();
    let tx =
        lookup::transaction(&payer, &[], std::slice::from_ref(&pay), &[ghost], blockhash).unwrap();
    assert_eq!(
        refused(w.net.send_versioned(&tx)),
        TransactionError::AddressLookupTableNotFound
    );

    // a real table, and an index past its end
    let table = lookup::create(&w.net, &w.operator, &w.operator, &[to]).unwrap();
    let tables = [lookup::table(&w.net, &table).unwrap()];
    let tx =
        lookup::transaction(&payer, &[], std::slice::from_ref(&pay), &tables, blockhash).unwrap();
    let mut message = tx.message.clone();
    if let VersionedMessage::V0(m) = &mut message {
        m.address_table_lookups[0].writable_indexes[0] = 7;
    }
    let bad = VersionedTransaction::try_new(message, &[&payer]).unwrap();
    assert_eq!(
        refused(w.net.send_versioned(&bad)),
        TransactionError::InvalidAddressLookupTableIndex
    );

    // addresses used in the slot that added them
    let recent = w.net.slot().unwrap() - 1;
    let (create, fresh) =
        alt::create_lookup_table(w.operator.pubkey(), w.operator.pubkey(), recent);
    let other = Keypair::new().pubkey();
    let extend = alt::extend_lookup_table(
        fresh,
        w.operator.pubkey(),
        Some(w.operator.pubkey()),
        vec![other],
    );
    w.send(&[create, extend], &w.operator, &[]).unwrap();
    // pays `other`, found through the fresh table
    let pay_other = |blockhash| {
        lookup::transaction(
            &payer,
            &[],
            &[depin::ix::transfer_lamports(
                &payer.pubkey(),
                &other,
                5_000_000,
            )],
            &[lookup::table(&w.net, &fresh).unwrap()],
            blockhash,
        )
        .unwrap()
    };
    let early = pay_other(blockhash);
    assert_eq!(
        refused(w.net.send_versioned(&early)),
        TransactionError::InvalidAddressLookupTableIndex
    );
    assert_eq!(
        balance(),
        before,
        "refused v0 transactions charged the payer"
    );
    assert!(w.account(&other).is_none());

    // once the slot has passed the same addresses work
    let extended = lookup::fetch(&w.net, &fresh).unwrap().last_extended_slot;
    w.net.wait_past_slot(extended).unwrap();
    let later = pay_other(w.net.latest_blockhash().unwrap());
    w.net.send_versioned(&later).unwrap();
    assert_eq!(w.account(&other).map(|a| a.lamports), Some(5_000_000));

    // what is not a table, and tables of no or too many addresses
    let e = lookup::fetch(&w.net, &payer.pubkey()).err().unwrap();
    assert!(format!("{e:#}").contains("is not a lookup table"), "{e:#}");
    let too_many: Vec<_> = (0..257).map(|_| Keypair::new().pubkey()).collect();
    for keys in [&[][..], &too_many[..]] {
        let e = lookup::create(&w.net, &w.operator, &w.operator, keys)
            .err()
            .unwrap();
        assert!(
            format!("{e:#}").contains("holds 1 to 256 addresses"),
            "{e:#}"
        );
    }
}
