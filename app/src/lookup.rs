//! Address lookup tables and v0 transactions: a transaction names a table once (32 bytes)
//! and each account in it by a one-byte index instead of 32 bytes. Registration in the
//! compressed registry needs this to carry its proof (docs/compressed-registry.md).
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{ensure, Context, Result};
use solana_address_lookup_table_interface::instruction as alt;
use solana_address_lookup_table_interface::state::AddressLookupTable;
use solana_hash::Hash;
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::{v0, AddressLookupTableAccount, VersionedMessage};
use solana_signer::Signer;
use solana_transaction::versioned::VersionedTransaction;

/// Addresses one extend transaction carries (32 bytes each, inside the packet limit).
const EXTEND_CHUNK: usize = 20;

/// A lookup table holds at most this many addresses (one-byte indexes).
pub const MAX_ADDRESSES: usize = 256;

/// Creates a lookup table owned by `authority`, paid by `payer`, holding `addresses` (in
/// that order), and waits until they are usable. Returns the table's address.
pub fn create(
    t: &dyn Transport,
    payer: &Keypair,
    authority: &Keypair,
    addresses: &[Pubkey],
) -> Result<Pubkey> {
    ensure!(
        !addresses.is_empty() && addresses.len() <= MAX_ADDRESSES,
        "a lookup table holds 1 to {MAX_ADDRESSES} addresses, not {}",
        addresses.len()
    );
    let recent = recent_slot(t)?;
    let (create, table) = alt::create_lookup_table(authority.pubkey(), payer.pubkey(), recent);
    let reg = crate::registry::Registry::new(t);
    let signers: Vec<&Keypair> = if authority.pubkey() == payer.pubkey() {
        vec![]
    } else {
        vec![authority]
    };
    let mut first = true;
    for chunk in addresses.chunks(EXTEND_CHUNK) {
        let extend = alt::extend_lookup_table(
            table,
            authority.pubkey(),
            Some(payer.pubkey()),
            chunk.to_vec(),
        );
        let ixs = if first {
            vec![create.clone(), extend]
        } else {
            vec![extend]
        };
        first = false;
        reg.send(&ixs, payer, &signers)
            .with_context(|| format!("creating lookup table {table}"))?;
    }
    let extended = fetch(t, &table)?.last_extended_slot;
    t.wait_past_slot(extended)?;
    Ok(table)
}

/// The newest slot in the SlotHashes sysvar: the lookup-table program accepts only a slot
/// it has a hash of (a skipped slot never has one, so "the slot before now" can fail).
pub fn recent_slot(t: &dyn Transport) -> Result<u64> {
    const SLOT_HASHES: Pubkey = anchor_lang::pubkey!("SysvarS1otHashes111111111111111111111111111");
    let data = t
        .get_account(&SLOT_HASHES)?
        .context("the cluster has no SlotHashes sysvar")?
        .data;
    // bincode Vec<(u64 slot, [u8; 32] hash)>, newest first
    let count = data
        .get(..8)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
    let newest = data
        .get(8..16)
        .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()));
    match (count, newest) {
        (Some(n), Some(slot)) if n > 0 => Ok(slot),
        _ => anyhow::bail!("the SlotHashes sysvar holds no slot yet"),
    }
}

/// What a table holds, as a message compiles against it.
pub fn table(t: &dyn Transport, address: &Pubkey) -> Result<AddressLookupTableAccount> {
    Ok(AddressLookupTableAccount {
        key: *address,
        addresses: fetch(t, address)?.addresses,
    })
}

/// A table's addresses and the slot they were last extended in.
pub struct TableState {
    pub addresses: Vec<Pubkey>,
    pub last_extended_slot: u64,
    pub authority: Option<Pubkey>,
}

pub fn fetch(t: &dyn Transport, address: &Pubkey) -> Result<TableState> {
    let account = t
        .get_account(address)?
        .with_context(|| format!("lookup table {address} does not exist"))?;
    ensure!(
        account.owner == solana_address_lookup_table_interface::program::id(),
        "{address} is not a lookup table (owner {})",
        account.owner
    );
    let table = AddressLookupTable::deserialize(&account.data)
        .map_err(|e| anyhow::anyhow!("lookup table {address} does not decode: {e}"))?;
    Ok(TableState {
        addresses: table.addresses.to_vec(),
        last_extended_slot: table.meta.last_extended_slot,
        authority: table.meta.authority,
    })
}

/// A v0 transaction of `ixs` paid by `payer`, accounts found in `tables` by index, signed
/// by `payer` and `signers`.
pub fn transaction(
    payer: &Keypair,
    signers: &[&Keypair],
    ixs: &[Instruction],
    tables: &[AddressLookupTableAccount],
    blockhash: Hash,
) -> Result<VersionedTransaction> {
    let message = v0::Message::try_compile(&payer.pubkey(), ixs, tables, blockhash)
        .context("compiling a v0 message")?;
    let mut all: Vec<&Keypair> = vec![payer];
    all.extend(
        signers
            .iter()
            .copied()
            .filter(|s| s.pubkey() != payer.pubkey()),
    );
    VersionedTransaction::try_new(VersionedMessage::V0(message), &all)
        .context("signing a v0 transaction")
}

/// Serialised size of a transaction (what the 1,232-byte packet limit applies to).
pub fn size(tx: &VersionedTransaction) -> usize {
    bincode::serialized_size(tx).map_or(usize::MAX, |n| n as usize)
}
