//! Strict reader for an ed25519 precompile instruction that carries exactly one signature.
//!
//! The runtime verifies a precompile instruction before any program runs, but it verifies
//! whatever the offsets point at — possibly bytes of another instruction. A program that
//! relies on the precompile must therefore check that the offsets point inside the
//! precompile instruction itself and at the canonical positions, then compare the public key
//! and message with what it expects. [`parse_single`] does the first half and hands back the
//! key and message for the second.
//!
//! Canonical layout (what `solana_ed25519_program::new_ed25519_instruction_with_signature`
//! emits): `[count=1, pad=0]`, one 14-byte offsets record, then public key (32) at 16,
//! signature (64) at 48 and the message at 112 to the end of the data.

/// `num_signatures` + padding.
pub const HEADER_LEN: usize = 2;
/// One `Ed25519SignatureOffsets` record: seven little-endian u16.
pub const OFFSETS_LEN: usize = 14;
/// Where the public key sits in a canonical single-signature instruction.
pub const PUBKEY_OFFSET: u16 = (HEADER_LEN + OFFSETS_LEN) as u16;
/// Where the signature sits.
pub const SIGNATURE_OFFSET: u16 = PUBKEY_OFFSET + 32;
/// Where the message starts.
pub const MESSAGE_OFFSET: u16 = SIGNATURE_OFFSET + 64;
/// Instruction index meaning "this precompile instruction".
pub const THIS_INSTRUCTION: u16 = u16::MAX;

/// Why an ed25519 instruction was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LayoutError {
    /// Data shorter than the header, offsets, key and signature.
    TooShort,
    /// More or fewer than one signature.
    NotSingleSignature,
    /// An offset does not point at its canonical position.
    NonCanonicalOffset,
    /// A key, signature or message is read from another instruction.
    ForeignInstruction,
    /// The declared message size does not match the data length.
    MessageSizeMismatch,
}

/// The verified key and message of a single-signature precompile instruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedMessage<'a> {
    pub public_key: &'a [u8; 32],
    pub message: &'a [u8],
}

fn u16_at(data: &[u8], at: usize) -> u16 {
    // Callers check the length first.
    u16::from_le_bytes([data[at], data[at + 1]])
}

/// Reads a precompile instruction's data, accepting only the canonical single-signature
/// layout with every index pointing at the instruction itself.
pub fn parse_single(data: &[u8]) -> Result<SignedMessage<'_>, LayoutError> {
    let min = MESSAGE_OFFSET as usize;
    if data.len() < min {
        return Err(LayoutError::TooShort);
    }
    if data[0] != 1 || data[1] != 0 {
        return Err(LayoutError::NotSingleSignature);
    }
    let o = HEADER_LEN;
    let signature_offset = u16_at(data, o);
    let signature_ix = u16_at(data, o + 2);
    let pubkey_offset = u16_at(data, o + 4);
    let pubkey_ix = u16_at(data, o + 6);
    let message_offset = u16_at(data, o + 8);
    let message_size = u16_at(data, o + 10);
    let message_ix = u16_at(data, o + 12);
    if signature_ix != THIS_INSTRUCTION
        || pubkey_ix != THIS_INSTRUCTION
        || message_ix != THIS_INSTRUCTION
    {
        return Err(LayoutError::ForeignInstruction);
    }
    if signature_offset != SIGNATURE_OFFSET
        || pubkey_offset != PUBKEY_OFFSET
        || message_offset != MESSAGE_OFFSET
    {
        return Err(LayoutError::NonCanonicalOffset);
    }
    if usize::from(message_size) != data.len() - min {
        return Err(LayoutError::MessageSizeMismatch);
    }
    let public_key: &[u8; 32] =
        match data[PUBKEY_OFFSET as usize..SIGNATURE_OFFSET as usize].try_into() {
            Ok(k) => k,
            Err(_) => return Err(LayoutError::TooShort),
        };
    Ok(SignedMessage {
        public_key,
        message: &data[min..],
    })
}

/// Builds canonical single-signature instruction data (the same bytes the Solana helper
/// emits); used by clients that sign with their own ed25519 implementation and by tests.
#[cfg(feature = "std")]
pub fn encode_single(public_key: &[u8; 32], signature: &[u8; 64], message: &[u8]) -> Vec<u8> {
    let mut d = Vec::with_capacity(MESSAGE_OFFSET as usize + message.len());
    d.extend_from_slice(&[1, 0]);
    for v in [
        SIGNATURE_OFFSET,
        THIS_INSTRUCTION,
        PUBKEY_OFFSET,
        THIS_INSTRUCTION,
        MESSAGE_OFFSET,
        message.len() as u16,
        THIS_INSTRUCTION,
    ] {
        d.extend_from_slice(&v.to_le_bytes());
    }
    d.extend_from_slice(public_key);
    d.extend_from_slice(signature);
    d.extend_from_slice(message);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn canonical(msg: &[u8]) -> Vec<u8> {
        encode_single(&[7; 32], &[9; 64], msg)
    }

    #[test]
    fn accepts_canonical() {
        let d = canonical(b"hello");
        let s = parse_single(&d).unwrap();
        assert_eq!(s.public_key, &[7; 32]);
        assert_eq!(s.message, b"hello");
    }

    #[test]
    fn refuses_each_deviation() {
        let base = canonical(b"hello");
        let mut d = base.clone();
        d[0] = 2;
        assert_eq!(parse_single(&d), Err(LayoutError::NotSingleSignature));
        // each of the three instruction indexes pointing at instruction 0
        for at in [4usize, 8, 14] {
            let mut d = base.clone();
            d[at] = 0;
            d[at + 1] = 0;
            assert_eq!(
                parse_single(&d),
                Err(LayoutError::ForeignInstruction),
                "{at}"
            );
        }
        // each offset moved
        for at in [2usize, 6, 10] {
            let mut d = base.clone();
            d[at] = d[at].wrapping_add(1);
            assert_eq!(
                parse_single(&d),
                Err(LayoutError::NonCanonicalOffset),
                "{at}"
            );
        }
        let mut d = base.clone();
        d[12] = 4;
        assert_eq!(parse_single(&d), Err(LayoutError::MessageSizeMismatch));
        assert_eq!(parse_single(&base[..100]), Err(LayoutError::TooShort));
    }

    proptest! {
        #[test]
        fn roundtrip(key in any::<[u8; 32]>(), msg in proptest::collection::vec(any::<u8>(), 0..300)) {
            let d = encode_single(&key, &[1; 64], &msg);
            let s = parse_single(&d).unwrap();
            prop_assert_eq!(s.public_key, &key);
            prop_assert_eq!(s.message, &msg[..]);
        }

        // Arbitrary bytes never panic; anything accepted re-encodes to itself.
        #[test]
        fn arbitrary_never_panics(data in proptest::collection::vec(any::<u8>(), 0..200)) {
            check_reencodes(&data)?;
        }

        // Canonical data with a few bytes changed: passes the header often enough that the
        // accepting branch (and its re-encoding) runs, and every accepted input still
        // re-encodes to itself.
        #[test]
        fn mutated_canonical_reencodes_or_is_refused(
            key in any::<[u8; 32]>(),
            msg in proptest::collection::vec(any::<u8>(), 0..120),
            edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 0..3),
            cut in 0usize..4,
        ) {
            let mut data = encode_single(&key, &[3; 64], &msg);
            for (at, v) in edits {
                let i = usize::from(at) % data.len();
                data[i] = v;
            }
            data.truncate(data.len().saturating_sub(cut));
            check_reencodes(&data)?;
        }
    }

    fn check_reencodes(data: &[u8]) -> Result<(), proptest::test_runner::TestCaseError> {
        if let Ok(s) = parse_single(data) {
            let mut sig = [0u8; 64];
            sig.copy_from_slice(&data[48..112]);
            prop_assert_eq!(encode_single(s.public_key, &sig, s.message), data);
        }
        Ok(())
    }

    /// The mutation strategy above really reaches both outcomes (a fixed-seed sample).
    #[test]
    fn mutations_reach_both_branches() {
        let (mut accepted, mut refused) = (0, 0);
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..2_000 {
            let len = (next() % 100) as usize;
            let msg: Vec<u8> = (0..len).map(|_| next() as u8).collect();
            let mut data = encode_single(&[5; 32], &[6; 64], &msg);
            let i = (next() as usize) % data.len();
            data[i] = next() as u8;
            match parse_single(&data) {
                Ok(_) => accepted += 1,
                Err(_) => refused += 1,
            }
        }
        assert!(
            accepted > 500 && refused > 50,
            "accepted {accepted}, refused {refused}"
        );
    }
}
