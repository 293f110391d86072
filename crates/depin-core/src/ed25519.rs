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

/// Most signatures [`parse_shared`] reads from one instruction.
pub const MAX_SHARED_SIGNATURES: usize = 16;

/// The keys of a multi-signature precompile instruction whose signatures all cover one
/// shared message, and that message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SharedMessage<'a> {
    pub count: usize,
    data: &'a [u8],
    pub message: &'a [u8],
}

impl<'a> SharedMessage<'a> {
    /// The `i`-th signer's public key (`i < count`).
    pub fn key(&self, i: usize) -> Option<&'a [u8; 32]> {
        if i >= self.count {
            return None;
        }
        let at = shared_key_offset(self.count, i);
        self.data.get(at..at + 32)?.try_into().ok()
    }
}

fn shared_key_offset(count: usize, i: usize) -> usize {
    HEADER_LEN + OFFSETS_LEN * count + 96 * i
}

/// Reads a precompile instruction carrying `count` (1 to [`MAX_SHARED_SIGNATURES`])
/// signatures over one message, in the canonical shared layout: `[count, 0]`, `count`
/// offset records, then `count` × (public key 32 · signature 64), then the message to the
/// end. Every index must point at the instruction itself and every offset at its canonical
/// position, so the runtime verified exactly these keys over exactly this message.
pub fn parse_shared(data: &[u8]) -> Result<SharedMessage<'_>, LayoutError> {
    if data.len() < HEADER_LEN {
        return Err(LayoutError::TooShort);
    }
    let count = usize::from(data[0]);
    if count == 0 || count > MAX_SHARED_SIGNATURES || data[1] != 0 {
        return Err(LayoutError::NotSingleSignature);
    }
    let message_at = shared_key_offset(count, count);
    if data.len() < message_at {
        return Err(LayoutError::TooShort);
    }
    let message_len = data.len() - message_at;
    let (Ok(message_offset), Ok(message_size)) =
        (u16::try_from(message_at), u16::try_from(message_len))
    else {
        return Err(LayoutError::MessageSizeMismatch);
    };
    for i in 0..count {
        let o = HEADER_LEN + OFFSETS_LEN * i;
        let key_at = shared_key_offset(count, i);
        let fields = [
            u16_at(data, o),
            u16_at(data, o + 2),
            u16_at(data, o + 4),
            u16_at(data, o + 6),
            u16_at(data, o + 8),
            u16_at(data, o + 10),
            u16_at(data, o + 12),
        ];
        let [sig_off, sig_ix, key_off, key_ix, msg_off, msg_size, msg_ix] = fields;
        if sig_ix != THIS_INSTRUCTION || key_ix != THIS_INSTRUCTION || msg_ix != THIS_INSTRUCTION {
            return Err(LayoutError::ForeignInstruction);
        }
        if usize::from(key_off) != key_at
            || usize::from(sig_off) != key_at + 32
            || msg_off != message_offset
        {
            return Err(LayoutError::NonCanonicalOffset);
        }
        if msg_size != message_size {
            return Err(LayoutError::MessageSizeMismatch);
        }
    }
    Ok(SharedMessage {
        count,
        data,
        message: &data[message_at..],
    })
}

/// Builds canonical shared-message instruction data for `signatures` over `message`.
#[cfg(feature = "std")]
pub fn encode_shared(signatures: &[([u8; 32], [u8; 64])], message: &[u8]) -> Vec<u8> {
    let n = signatures.len();
    let message_at = shared_key_offset(n, n) as u16;
    let mut d = vec![n as u8, 0];
    for i in 0..n {
        let key_at = shared_key_offset(n, i) as u16;
        for v in [
            key_at + 32,
            THIS_INSTRUCTION,
            key_at,
            THIS_INSTRUCTION,
            message_at,
            message.len() as u16,
            THIS_INSTRUCTION,
        ] {
            d.extend_from_slice(&v.to_le_bytes());
        }
    }
    for (key, sig) in signatures {
        d.extend_from_slice(key);
        d.extend_from_slice(sig);
    }
    d.extend_from_slice(message);
    d
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

    #[test]
    fn shared_layout() {
        let sigs = [
            ([1u8; 32], [2u8; 64]),
            ([3u8; 32], [4u8; 64]),
            ([5u8; 32], [6u8; 64]),
        ];
        let d = encode_shared(&sigs, b"report");
        let s = parse_shared(&d).unwrap();
        assert_eq!((s.count, s.message), (3, &b"report"[..]));
        assert_eq!(s.key(0), Some(&[1u8; 32]));
        assert_eq!(s.key(2), Some(&[5u8; 32]));
        assert_eq!(s.key(3), None);
        // one signature in the shared layout is the single layout
        let one = encode_shared(&sigs[..1], b"m");
        assert_eq!(one, encode_single(&[1; 32], &[2; 64], b"m"));
        // every deviation is refused
        let mut bad = d.clone();
        bad[2 + 14 + 2] = 0; // second record's signature index → instruction 0
        bad[2 + 14 + 3] = 0;
        assert_eq!(parse_shared(&bad), Err(LayoutError::ForeignInstruction));
        let mut bad = d.clone();
        bad[2 + 28 + 8] ^= 1; // third record's message offset moved
        assert_eq!(parse_shared(&bad), Err(LayoutError::NonCanonicalOffset));
        let mut bad = d.clone();
        bad[2 + 10] ^= 1; // first record's message size
        assert_eq!(parse_shared(&bad), Err(LayoutError::MessageSizeMismatch));
        assert_eq!(parse_shared(&[0, 0]), Err(LayoutError::NotSingleSignature));
        assert_eq!(parse_shared(&[17, 0]), Err(LayoutError::NotSingleSignature));
        assert_eq!(parse_shared(&d[..100]), Err(LayoutError::TooShort));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        // Any bytes: no panic; anything accepted re-encodes to itself.
        #[test]
        fn shared_arbitrary(seed in proptest::collection::vec(any::<u8>(), 0..40), n in 1usize..5,
                            edits in proptest::collection::vec((any::<u16>(), any::<u8>()), 0..3)) {
            let sigs: Vec<([u8; 32], [u8; 64])> = (0..n).map(|i| ([i as u8; 32], [7; 64])).collect();
            let mut d = encode_shared(&sigs, &seed);
            for (at, v) in edits {
                let i = usize::from(at) % d.len();
                d[i] = v;
            }
            if let Ok(s) = parse_shared(&d) {
                let back: Vec<([u8; 32], [u8; 64])> = (0..s.count)
                    .map(|i| {
                        let at = shared_key_offset(s.count, i);
                        let mut sig = [0u8; 64];
                        sig.copy_from_slice(&d[at + 32..at + 96]);
                        (*s.key(i).unwrap(), sig)
                    })
                    .collect();
                prop_assert_eq!(encode_shared(&back, s.message), d);
            }
        }
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
