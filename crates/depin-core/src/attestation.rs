//! Messages that makers and devices sign to onboard a node.
//!
//! Every message starts with [`DOMAIN`], a [`VERSION`] byte and a kind byte, so a signature
//! made for one purpose (or by another protocol) can never be replayed as another.
//!
//! | kind | signer | layout after the 11-byte header |
//! |---|---|---|
//! | [`KIND_MAKER_ATTESTATION`] | maker's attestation key | network (32) · device key (32) · capacity (1–[`MAX_CAPACITY_LEN`]) |
//! | [`KIND_DEVICE_CONSENT`] | the device key | network (32) · owner (32) · nonce (u64 LE) |
//! | [`KIND_WORK_RECEIPT`] | the device key | network (32) · device key (32) · epoch · work units · nonce (u64 LE each) |
//! | [`KIND_EPOCH_REPORT`] | an oracle key | network (32) · epoch (u64) · round (u32) · root (32) · total work (u64) · node count (u32), LE |
//! | [`KIND_RECEIPT_BATCH`] | the device key | network (32) · device key (32) · epoch (u64) · count (u32) · count × (seq, work units) (u64 each), LE |

/// Domain-separation prefix of every depin-kit signed message.
pub const DOMAIN: &[u8; 9] = b"depin-kit";
/// Version of the message encodings below; bumped on any layout change
/// (2: the maker attestation covers the device's class and capacity).
pub const VERSION: u8 = 2;
/// Maker attests that `device_key` is genuine hardware for `network` with the given
/// class and capacity.
pub const KIND_MAKER_ATTESTATION: u8 = 1;
/// Device consents to being registered in `network` under `owner`.
pub const KIND_DEVICE_CONSENT: u8 = 2;

/// A device reports the work it did in an epoch (to the oracles; spot-checked on chain).
pub const KIND_WORK_RECEIPT: u8 = 3;
/// An oracle attests an epoch's reward root.
pub const KIND_EPOCH_REPORT: u8 = 4;
/// A device reports several receipts of one epoch under one signature (to the oracles).
pub const KIND_RECEIPT_BATCH: u8 = 5;
/// Most receipts one batch may carry (a 16 KiB signed message).
pub const MAX_BATCH_RECEIPTS: usize = 1024;
/// Length of a receipt batch message without its receipts.
pub const RECEIPT_BATCH_FIXED_LEN: usize = HEADER_LEN + 32 + 32 + 8 + 4;

const HEADER_LEN: usize = DOMAIN.len() + 2;
/// Length of a work receipt message.
pub const WORK_RECEIPT_LEN: usize = HEADER_LEN + 32 + 32 + 8 + 8 + 8;
/// Length of an epoch report message.
pub const EPOCH_REPORT_LEN: usize = HEADER_LEN + 32 + 8 + 4 + 32 + 8 + 4;
/// Longest capacity encoding a maker attestation may carry. The registry signs the Borsh
/// bytes of its `Capacity` enum (class tag, then the class's fixed-size fields), at most
/// 9 bytes today; the room left lets classes grow without a new message version.
pub const MAX_CAPACITY_LEN: usize = 32;
/// Length of a maker attestation message without its capacity bytes.
pub const MAKER_ATTESTATION_FIXED_LEN: usize = HEADER_LEN + 32 + 32;
/// Longest maker attestation message.
pub const MAKER_ATTESTATION_MAX_LEN: usize = MAKER_ATTESTATION_FIXED_LEN + MAX_CAPACITY_LEN;
/// Length of a device consent message.
pub const DEVICE_CONSENT_LEN: usize = HEADER_LEN + 32 + 32 + 8;

fn header(kind: u8, out: &mut [u8]) {
    out[..DOMAIN.len()].copy_from_slice(DOMAIN);
    out[DOMAIN.len()] = VERSION;
    out[DOMAIN.len() + 1] = kind;
}

/// A maker attestation message in a fixed buffer (no allocation on chain).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MakerAttestation {
    bytes: [u8; MAKER_ATTESTATION_MAX_LEN],
    len: usize,
}

impl MakerAttestation {
    pub fn as_bytes(&self) -> &[u8] {
        // `len` is set only by `maker_attestation_message`, within the buffer.
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

/// The bytes a maker's attestation key signs for one device: the network, the device key
/// and the device's class and capacity as the factory built it (`capacity`: the Borsh
/// encoding of the registry's `Capacity`, 1 to [`MAX_CAPACITY_LEN`] bytes). `None` when
/// `capacity` is empty or longer than that.
///
/// The capacity is the last field, so messages for different inputs never coincide: the
/// fixed-size prefix pins network and device, the signed length pins the capacity's length.
pub fn maker_attestation_message(
    network: &[u8; 32],
    device_key: &[u8; 32],
    capacity: &[u8],
) -> Option<MakerAttestation> {
    if capacity.is_empty() || capacity.len() > MAX_CAPACITY_LEN {
        return None;
    }
    let mut bytes = [0u8; MAKER_ATTESTATION_MAX_LEN];
    header(KIND_MAKER_ATTESTATION, &mut bytes);
    bytes[HEADER_LEN..HEADER_LEN + 32].copy_from_slice(network);
    bytes[HEADER_LEN + 32..MAKER_ATTESTATION_FIXED_LEN].copy_from_slice(device_key);
    let len = MAKER_ATTESTATION_FIXED_LEN + capacity.len();
    bytes[MAKER_ATTESTATION_FIXED_LEN..len].copy_from_slice(capacity);
    Some(MakerAttestation { bytes, len })
}

/// The bytes a device key signs to consent to registration under `owner`.
///
/// `nonce` is the signing time in unix seconds: the registry accepts it only within the
/// network's attestation window, so a consent cannot be replayed later (for example after
/// the node was decommissioned and re-registered by someone else).
pub fn device_consent_message(
    network: &[u8; 32],
    owner: &[u8; 32],
    nonce: u64,
) -> [u8; DEVICE_CONSENT_LEN] {
    let mut m = [0u8; DEVICE_CONSENT_LEN];
    header(KIND_DEVICE_CONSENT, &mut m);
    m[HEADER_LEN..HEADER_LEN + 32].copy_from_slice(network);
    m[HEADER_LEN + 32..HEADER_LEN + 64].copy_from_slice(owner);
    m[HEADER_LEN + 64..].copy_from_slice(&nonce.to_le_bytes());
    m
}

/// The bytes a device signs for the work it did in `epoch`; `nonce` makes two receipts of
/// the same epoch distinct (the oracle keeps the highest per device and epoch).
pub fn work_receipt_message(
    network: &[u8; 32],
    device_key: &[u8; 32],
    epoch: u64,
    work_units: u64,
    nonce: u64,
) -> [u8; WORK_RECEIPT_LEN] {
    let mut m = [0u8; WORK_RECEIPT_LEN];
    header(KIND_WORK_RECEIPT, &mut m);
    let mut at = HEADER_LEN;
    for part in [
        &network[..],
        &device_key[..],
        &epoch.to_le_bytes()[..],
        &work_units.to_le_bytes()[..],
        &nonce.to_le_bytes()[..],
    ] {
        m[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    m
}

/// The bytes every oracle of a network signs for one epoch's report. `round` counts the
/// epoch's voided reports, so signatures for a voided report never count again.
pub fn epoch_report_message(
    network: &[u8; 32],
    epoch: u64,
    round: u32,
    root: &[u8; 32],
    total_work: u64,
    node_count: u32,
) -> [u8; EPOCH_REPORT_LEN] {
    let mut m = [0u8; EPOCH_REPORT_LEN];
    header(KIND_EPOCH_REPORT, &mut m);
    let mut at = HEADER_LEN;
    for part in [
        &network[..],
        &epoch.to_le_bytes()[..],
        &round.to_le_bytes()[..],
        &root[..],
        &total_work.to_le_bytes()[..],
        &node_count.to_le_bytes()[..],
    ] {
        m[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    m
}

/// The bytes a device key signs for a batch of its receipts of `epoch`, each
/// `(seq, work_units)`. One signature covers them all, yet every receipt stays attributable
/// (the batch is kept whole beside it) and replay-checked by its `seq`. `None` for an empty
/// batch or one longer than [`MAX_BATCH_RECEIPTS`].
#[cfg(feature = "std")]
pub fn receipt_batch_message(
    network: &[u8; 32],
    device_key: &[u8; 32],
    epoch: u64,
    receipts: &[(u64, u64)],
) -> Option<Vec<u8>> {
    if receipts.is_empty() || receipts.len() > MAX_BATCH_RECEIPTS {
        return None;
    }
    let count = u32::try_from(receipts.len()).ok()?;
    let mut m = vec![0u8; HEADER_LEN];
    header(KIND_RECEIPT_BATCH, &mut m);
    m.reserve(RECEIPT_BATCH_FIXED_LEN - HEADER_LEN + 16 * receipts.len());
    m.extend_from_slice(network);
    m.extend_from_slice(device_key);
    m.extend_from_slice(&epoch.to_le_bytes());
    m.extend_from_slice(&count.to_le_bytes());
    for (seq, work) in receipts {
        m.extend_from_slice(&seq.to_le_bytes());
        m.extend_from_slice(&work.to_le_bytes());
    }
    Some(m)
}

/// Whether a device consent `nonce` (unix seconds) is acceptable at time `now`:
/// not older than `ttl_s` and not more than `max_skew_s` in the future.
pub fn consent_nonce_is_fresh(nonce: u64, now: i64, ttl_s: u32, max_skew_s: u32) -> bool {
    let Ok(now) = u64::try_from(now) else {
        return false;
    };
    let oldest = now.saturating_sub(u64::from(ttl_s));
    let newest = now.saturating_add(u64::from(max_skew_s));
    nonce >= oldest && nonce <= newest
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn receipt_batch_layout() {
        let m = receipt_batch_message(&[1; 32], &[2; 32], 7, &[(3, 40), (4, 50)]).unwrap();
        assert_eq!(m.len(), RECEIPT_BATCH_FIXED_LEN + 32);
        assert_eq!(&m[..9], b"depin-kit");
        assert_eq!(m[10], KIND_RECEIPT_BATCH);
        assert_eq!(&m[75..83], &7u64.to_le_bytes());
        assert_eq!(&m[83..87], &2u32.to_le_bytes());
        assert_eq!(&m[87..95], &3u64.to_le_bytes());
        assert_eq!(&m[m.len() - 8..], &50u64.to_le_bytes());
        assert!(receipt_batch_message(&[1; 32], &[2; 32], 7, &[]).is_none());
        let too_many = vec![(0, 0); MAX_BATCH_RECEIPTS + 1];
        assert!(receipt_batch_message(&[1; 32], &[2; 32], 7, &too_many).is_none());
        // a single receipt's batch is never a work-receipt message
        let one = receipt_batch_message(&[1; 32], &[2; 32], 7, &[(3, 40)]).unwrap();
        assert_ne!(
            &one[..],
            &work_receipt_message(&[1; 32], &[2; 32], 7, 40, 3)[..]
        );
    }

    #[test]
    fn layouts_are_fixed() {
        let m =
            maker_attestation_message(&[1; 32], &[2; 32], &[1, 8, 0, 80, 0, 221, 3, 0, 0]).unwrap();
        let m = m.as_bytes();
        assert_eq!(m.len(), 84);
        assert_eq!(&m[..9], b"depin-kit");
        assert_eq!(m[9], 2);
        assert_eq!(m[10], KIND_MAKER_ATTESTATION);
        assert_eq!(&m[11..43], &[1; 32]);
        assert_eq!(&m[43..75], &[2; 32]);
        assert_eq!(&m[75..], &[1, 8, 0, 80, 0, 221, 3, 0, 0]);
        assert!(maker_attestation_message(&[1; 32], &[2; 32], &[]).is_none());
        assert!(maker_attestation_message(&[1; 32], &[2; 32], &[0; 33]).is_none());
        assert_eq!(
            maker_attestation_message(&[1; 32], &[2; 32], &[0; 32])
                .unwrap()
                .as_bytes()
                .len(),
            MAKER_ATTESTATION_MAX_LEN
        );

        let d = device_consent_message(&[1; 32], &[3; 32], 0x0102_0304_0506_0708);
        assert_eq!(d.len(), 83);
        assert_eq!(d[10], KIND_DEVICE_CONSENT);
        assert_eq!(&d[43..75], &[3; 32]);
        assert_eq!(&d[75..], &[8, 7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn nonce_window() {
        assert!(consent_nonce_is_fresh(1_000, 1_000, 60, 30));
        assert!(consent_nonce_is_fresh(940, 1_000, 60, 30));
        assert!(!consent_nonce_is_fresh(939, 1_000, 60, 30));
        assert!(consent_nonce_is_fresh(1_030, 1_000, 60, 30));
        assert!(!consent_nonce_is_fresh(1_031, 1_000, 60, 30));
        assert!(!consent_nonce_is_fresh(0, -5, 60, 30));
        assert!(consent_nonce_is_fresh(i64::MAX as u64, i64::MAX, 0, 0));
    }

    #[test]
    fn receipt_and_report_layouts() {
        let r = work_receipt_message(&[1; 32], &[2; 32], 7, 9, 11);
        assert_eq!((r.len(), r[10]), (99, KIND_WORK_RECEIPT));
        assert_eq!(&r[11..43], &[1; 32]);
        assert_eq!(&r[43..75], &[2; 32]);
        assert_eq!(&r[75..83], &7u64.to_le_bytes());
        assert_eq!(&r[83..91], &9u64.to_le_bytes());
        assert_eq!(&r[91..], &11u64.to_le_bytes());
        let p = epoch_report_message(&[1; 32], 3, 2, &[4; 32], 5, 6);
        assert_eq!((p.len(), p[10]), (99, KIND_EPOCH_REPORT));
        assert_eq!(&p[43..51], &3u64.to_le_bytes());
        assert_eq!(&p[51..55], &2u32.to_le_bytes());
        assert_eq!(&p[55..87], &[4; 32]);
        assert_eq!(&p[87..95], &5u64.to_le_bytes());
        assert_eq!(&p[95..], &6u32.to_le_bytes());
    }

    proptest! {
        // Two different inputs never share a message, and the kinds never collide.
        #[test]
        fn messages_are_injective(n1 in any::<[u8; 32]>(), k1 in any::<[u8; 32]>(),
                                  n2 in any::<[u8; 32]>(), k2 in any::<[u8; 32]>(),
                                  c1 in proptest::collection::vec(any::<u8>(), 1..=MAX_CAPACITY_LEN),
                                  c2 in proptest::collection::vec(any::<u8>(), 1..=MAX_CAPACITY_LEN),
                                  same in any::<bool>(),
                                  nonce in any::<u64>()) {
            // half the cases compare equal inputs but for one field
            let (n2, k2, c2) = if same { (n1, k1, c1.clone()) } else { (n2, k2, c2) };
            let a = maker_attestation_message(&n1, &k1, &c1).unwrap();
            let b = maker_attestation_message(&n2, &k2, &c2).unwrap();
            prop_assert_eq!(a.as_bytes() == b.as_bytes(), n1 == n2 && k1 == k2 && c1 == c2);
            let d = device_consent_message(&n1, &k1, nonce);
            prop_assert_ne!(a.as_bytes()[10], d[10]);
            prop_assert_eq!(&d[75..], &nonce.to_le_bytes()[..]);
        }
    }
}
