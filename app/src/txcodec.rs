//! Offline signing: a transaction travels as base64 (bincode, as `solana` CLI and wallets
//! use) between the machine that builds it, the wallets that sign it and the one that sends.
use anchor_lang::prelude::Pubkey;
use base64::Engine;
use solana_signature::Signature;
use solana_signer::Signer;
use solana_transaction::Transaction;

#[derive(Debug, thiserror::Error)]
pub enum TxCodecError {
    #[error("transaction is not valid base64: {0}")]
    Base64(#[from] base64::DecodeError),
    #[error("transaction bytes do not decode: {0}")]
    Decode(String),
    #[error("{0} is not a signer of this transaction (signers: {1})")]
    NotASigner(Pubkey, String),
    #[error("transaction still needs signatures from: {0}")]
    MissingSignatures(String),
    #[error("signature of {0} does not verify against the message")]
    BadSignature(Pubkey),
    #[error("signing failed: {0}")]
    Signing(String),
}

pub fn encode(tx: &Transaction) -> String {
    // Serialising a Transaction into a Vec cannot fail.
    let bytes = bincode::serialize(tx).unwrap_or_default();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

pub fn decode(b64: &str) -> Result<Transaction, TxCodecError> {
    let bytes = base64::engine::general_purpose::STANDARD.decode(b64.trim())?;
    let tx: Transaction =
        bincode::deserialize(&bytes).map_err(|e| TxCodecError::Decode(e.to_string()))?;
    let n = usize::from(tx.message.header.num_required_signatures);
    if tx.signatures.len() != n || tx.message.account_keys.len() < n {
        return Err(TxCodecError::Decode(format!(
            "{} signatures for {} required signers",
            tx.signatures.len(),
            n
        )));
    }
    Ok(tx)
}

/// Serialized size in bytes (the 1,232-byte packet limit applies to this).
pub fn size(tx: &Transaction) -> usize {
    bincode::serialized_size(tx)
        .map(|n| n as usize)
        .unwrap_or(usize::MAX)
}

fn signers(tx: &Transaction) -> &[Pubkey] {
    let n = usize::from(tx.message.header.num_required_signatures);
    &tx.message.account_keys[..n.min(tx.message.account_keys.len())]
}

/// Required signers whose signature slot is still empty.
pub fn missing_signers(tx: &Transaction) -> Vec<Pubkey> {
    signers(tx)
        .iter()
        .zip(&tx.signatures)
        .filter(|(_, s)| **s == Signature::default())
        .map(|(k, _)| *k)
        .collect()
}

fn list(keys: &[Pubkey]) -> String {
    keys.iter()
        .map(|k| k.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Adds `keypair`'s signature; refuses keys the transaction does not ask for.
pub fn sign(tx: &mut Transaction, signer: &(impl Signer + ?Sized)) -> Result<(), TxCodecError> {
    let me = signer
        .try_pubkey()
        .map_err(|e| TxCodecError::Signing(e.to_string()))?;
    let at = signers(tx)
        .iter()
        .position(|k| *k == me)
        .ok_or_else(|| TxCodecError::NotASigner(me, list(signers(tx))))?;
    // a hardware wallet can refuse (or the user can decline on the device)
    tx.signatures[at] = signer
        .try_sign_message(&tx.message_data())
        .map_err(|e| TxCodecError::Signing(e.to_string()))?;
    Ok(())
}

/// Checks that every required signature is present and valid.
pub fn verify_complete(tx: &Transaction) -> Result<(), TxCodecError> {
    let missing = missing_signers(tx);
    if !missing.is_empty() {
        return Err(TxCodecError::MissingSignatures(list(&missing)));
    }
    let message = tx.message_data();
    for (k, s) in signers(tx).iter().zip(&tx.signatures) {
        if !s.verify(k.as_ref(), &message) {
            return Err(TxCodecError::BadSignature(*k));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_hash::Hash;
    use solana_instruction::{AccountMeta, Instruction};
    use solana_keypair::Keypair;
    use solana_message::Message;

    #[test]
    fn sign_only_roundtrip() {
        let payer = Keypair::new();
        let other = Keypair::new();
        let ix = Instruction::new_with_bytes(
            Pubkey::new_unique(),
            b"x",
            vec![AccountMeta::new_readonly(other.pubkey(), true)],
        );
        let msg = Message::new_with_blockhash(&[ix], Some(&payer.pubkey()), &Hash::new_unique());
        let tx = Transaction::new_unsigned(msg);
        let b64 = encode(&tx);
        let mut back = decode(&b64).unwrap();
        assert_eq!(missing_signers(&back), vec![payer.pubkey(), other.pubkey()]);
        assert!(matches!(
            verify_complete(&back),
            Err(TxCodecError::MissingSignatures(_))
        ));
        sign(&mut back, &other).unwrap();
        assert_eq!(missing_signers(&back), vec![payer.pubkey()]);
        assert!(matches!(
            sign(&mut back, &Keypair::new()),
            Err(TxCodecError::NotASigner(..))
        ));
        let mut back = decode(&encode(&back)).unwrap();
        sign(&mut back, &payer).unwrap();
        verify_complete(&back).unwrap();
        assert!(decode("not base64!").is_err());
        assert!(decode("AAAA").is_err());
    }
}
