//! Device receipts as the oracle takes them: a device signs a batch of its receipts of one
//! epoch (`{network, device_key, epoch, [(seq, work_units)]}`, depin-core's
//! [`receipt_batch_message`]) once, so a million receipts cost thousands of signature checks,
//! not a million; every receipt stays attributable (its batch is stored whole) and replay
//! checked by `(device, epoch, seq)`.
//!
//! Two bodies for `POST /v1/receipts`: JSON ([`JsonSubmission`]) and a compact binary one
//! ([`Submission::encode`]: `DPR1` · network · batch count (u32) · batches, little endian).
use anyhow::{bail, ensure, Context, Result};
use base64::Engine;
use depin_core::attestation::{receipt_batch_message, MAX_BATCH_RECEIPTS};
use ed25519_dalek::{Signature, VerifyingKey};
use serde::{Deserialize, Serialize};
use solana_keypair::Keypair;
use solana_signer::Signer;
use std::str::FromStr;

pub const BINARY_MAGIC: &[u8; 4] = b"DPR1";
/// Signatures verified together (ed25519-dalek's batch equation).
pub const VERIFY_CHUNK: usize = 64;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub seq: u64,
    pub work_units: u64,
}

/// One device's signed receipts of one epoch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedBatch {
    pub device: [u8; 32],
    pub epoch: u64,
    pub receipts: Vec<Receipt>,
    pub signature: [u8; 64],
}

impl SignedBatch {
    pub fn sign(
        network: &[u8; 32],
        device: &Keypair,
        epoch: u64,
        receipts: Vec<Receipt>,
    ) -> Result<Self> {
        let mut b = SignedBatch {
            device: device.pubkey().to_bytes(),
            epoch,
            receipts,
            signature: [0; 64],
        };
        let m = b.message(network).with_context(|| {
            format!(
                "a batch holds 1 to {MAX_BATCH_RECEIPTS} receipts, not {}",
                b.receipts.len()
            )
        })?;
        b.signature = device.sign_message(&m).into();
        Ok(b)
    }

    /// The bytes the device signed (`None`: empty or too many receipts).
    pub fn message(&self, network: &[u8; 32]) -> Option<Vec<u8>> {
        let pairs: Vec<(u64, u64)> = self
            .receipts
            .iter()
            .map(|r| (r.seq, r.work_units))
            .collect();
        receipt_batch_message(network, &self.device, self.epoch, &pairs)
    }

    /// device (32) · epoch (u64) · count (u16) · count × (seq, work) · signature (64).
    pub fn encode(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.device);
        out.extend_from_slice(&self.epoch.to_le_bytes());
        out.extend_from_slice(&(self.receipts.len() as u16).to_le_bytes());
        for r in &self.receipts {
            out.extend_from_slice(&r.seq.to_le_bytes());
            out.extend_from_slice(&r.work_units.to_le_bytes());
        }
        out.extend_from_slice(&self.signature);
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(106 + 16 * self.receipts.len());
        self.encode(&mut v);
        v
    }

    /// Reads one batch from the front of `buf` and advances it.
    pub fn decode(buf: &mut &[u8]) -> Result<Self> {
        let device = take::<32>(buf).context("batch device key")?;
        let epoch = u64::from_le_bytes(take::<8>(buf).context("batch epoch")?);
        let count = usize::from(u16::from_le_bytes(take::<2>(buf).context("batch count")?));
        ensure!(
            (1..=MAX_BATCH_RECEIPTS).contains(&count),
            "a batch holds 1 to {MAX_BATCH_RECEIPTS} receipts, not {count}"
        );
        let mut receipts = Vec::with_capacity(count);
        for _ in 0..count {
            receipts.push(Receipt {
                seq: u64::from_le_bytes(take::<8>(buf).context("receipt seq")?),
                work_units: u64::from_le_bytes(take::<8>(buf).context("receipt work units")?),
            });
        }
        let signature = take::<64>(buf).context("batch signature")?;
        Ok(SignedBatch {
            device,
            epoch,
            receipts,
            signature,
        })
    }

    pub fn from_bytes(mut bytes: &[u8]) -> Result<Self> {
        let b = Self::decode(&mut bytes)?;
        ensure!(bytes.is_empty(), "{} bytes after the batch", bytes.len());
        Ok(b)
    }
}

fn take<const N: usize>(buf: &mut &[u8]) -> Result<[u8; N]> {
    ensure!(buf.len() >= N, "the body ends early");
    let (head, rest) = buf.split_at(N);
    *buf = rest;
    let mut a = [0u8; N];
    a.copy_from_slice(head);
    Ok(a)
}

/// A request body: one network's batches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Submission {
    pub network: [u8; 32],
    pub batches: Vec<SignedBatch>,
}

impl Submission {
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(40 + self.batches.len() * 140);
        out.extend_from_slice(BINARY_MAGIC);
        out.extend_from_slice(&self.network);
        out.extend_from_slice(&(self.batches.len() as u32).to_le_bytes());
        for b in &self.batches {
            b.encode(&mut out);
        }
        out
    }

    pub fn decode_binary(mut buf: &[u8]) -> Result<Self> {
        ensure!(
            buf.get(..4) == Some(&BINARY_MAGIC[..]),
            "not a depin receipts body (no `DPR1` magic)"
        );
        buf = &buf[4..];
        let network = take::<32>(&mut buf).context("network")?;
        let n = u32::from_le_bytes(take::<4>(&mut buf).context("batch count")?) as usize;
        // each batch is at least 122 bytes: refuse counts the body cannot hold
        ensure!(
            n <= buf.len() / 122 + 1,
            "the body claims {n} batches it cannot hold"
        );
        let mut batches = Vec::with_capacity(n);
        for i in 0..n {
            batches.push(SignedBatch::decode(&mut buf).with_context(|| format!("batch {i}"))?);
        }
        ensure!(buf.is_empty(), "{} bytes after the last batch", buf.len());
        Ok(Submission { network, batches })
    }

    pub fn to_json(&self) -> JsonSubmission {
        JsonSubmission {
            network: bs58::encode(self.network).into_string(),
            batches: self
                .batches
                .iter()
                .map(|b| JsonBatch {
                    device: bs58::encode(b.device).into_string(),
                    epoch: b.epoch,
                    receipts: b.receipts.clone(),
                    signature: bs58::encode(b.signature).into_string(),
                })
                .collect(),
        }
    }
}

/// `{"network": base58, "batches": [{"device", "epoch", "receipts": [{"seq", "work_units"}],
/// "signature": base58}]}`
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonSubmission {
    pub network: String,
    pub batches: Vec<JsonBatch>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsonBatch {
    pub device: String,
    pub epoch: u64,
    pub receipts: Vec<Receipt>,
    pub signature: String,
}

fn b58<const N: usize>(s: &str, what: &str) -> Result<[u8; N]> {
    let v = bs58::decode(s)
        .into_vec()
        .with_context(|| format!("{what} `{s}` is not base58"))?;
    v.try_into()
        .map_err(|v: Vec<u8>| anyhow::anyhow!("{what} is {} bytes, not {N}", v.len()))
}

impl JsonSubmission {
    pub fn parse(self) -> Result<Submission> {
        let network = b58::<32>(&self.network, "network")?;
        let mut batches = Vec::with_capacity(self.batches.len());
        for (i, b) in self.batches.into_iter().enumerate() {
            ensure!(
                (1..=MAX_BATCH_RECEIPTS).contains(&b.receipts.len()),
                "batch {i}: 1 to {MAX_BATCH_RECEIPTS} receipts, not {}",
                b.receipts.len()
            );
            batches.push(SignedBatch {
                device: b58::<32>(&b.device, "device").with_context(|| format!("batch {i}"))?,
                epoch: b.epoch,
                receipts: b.receipts,
                signature: b58::<64>(&b.signature, "signature")
                    .with_context(|| format!("batch {i}"))?,
            });
        }
        Ok(Submission { network, batches })
    }
}

/// Whether each batch's signature is valid: batches of [`VERIFY_CHUNK`] through the batch
/// equation on `threads` threads, and a failed chunk one by one to find the bad ones.
/// Weak (small-order) device keys never pass, so the answer never depends on how batches
/// happen to be grouped.
pub fn verify_batches<B: std::borrow::Borrow<SignedBatch> + Sync>(
    network: &[u8; 32],
    batches: &[B],
    threads: usize,
) -> Vec<bool> {
    let mut ok = vec![false; batches.len()];
    let chunks: Vec<(&[B], &mut [bool])> = batches
        .chunks(VERIFY_CHUNK)
        .zip(ok.chunks_mut(VERIFY_CHUNK))
        .collect();
    let threads = threads.max(1).min(chunks.len().max(1));
    if threads <= 1 {
        for (b, o) in chunks {
            verify_chunk(network, b, o);
        }
        return ok;
    }
    let per = chunks.len().div_ceil(threads);
    let mut groups: Vec<Vec<(&[B], &mut [bool])>> = vec![];
    let mut it = chunks.into_iter().peekable();
    while it.peek().is_some() {
        groups.push(it.by_ref().take(per).collect());
    }
    std::thread::scope(|s| {
        for g in groups {
            s.spawn(move || {
                for (b, o) in g {
                    verify_chunk(network, b, o);
                }
            });
        }
    });
    ok
}

fn verify_chunk<B: std::borrow::Borrow<SignedBatch>>(
    network: &[u8; 32],
    batches: &[B],
    ok: &mut [bool],
) {
    let mut msgs = Vec::with_capacity(batches.len());
    let mut sigs = Vec::with_capacity(batches.len());
    let mut keys = Vec::with_capacity(batches.len());
    let mut idx = Vec::with_capacity(batches.len());
    for (i, b) in batches.iter().enumerate() {
        let b = b.borrow();
        let (Some(m), Ok(k)) = (b.message(network), VerifyingKey::from_bytes(&b.device)) else {
            continue;
        };
        if k.is_weak() {
            continue;
        }
        msgs.push(m);
        sigs.push(Signature::from_bytes(&b.signature));
        keys.push(k);
        idx.push(i);
    }
    let refs: Vec<&[u8]> = msgs.iter().map(|m| m.as_slice()).collect();
    if ed25519_dalek::verify_batch(&refs, &sigs, &keys).is_ok() {
        for i in idx {
            ok[i] = true;
        }
        return;
    }
    for (j, i) in idx.into_iter().enumerate() {
        ok[i] = keys[j].verify_strict(refs[j], &sigs[j]).is_ok();
    }
}

/// One stored batch as peers read it (`GET /v1/receipts`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerBatch {
    pub id: i64,
    /// [`SignedBatch::encode`], base64.
    pub body: String,
}

impl PeerBatch {
    pub fn new(id: i64, bytes: &[u8]) -> Self {
        PeerBatch {
            id,
            body: base64::engine::general_purpose::STANDARD.encode(bytes),
        }
    }

    pub fn batch(&self) -> Result<SignedBatch> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&self.body)
            .context("a peer batch is not base64")?;
        SignedBatch::from_bytes(&bytes)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeerPage {
    pub network: String,
    pub epoch: u64,
    pub batches: Vec<PeerBatch>,
    /// Pass as `after` for the next page; `null` at the end.
    pub next: Option<i64>,
}

pub fn parse_key(s: &str) -> Result<[u8; 32]> {
    match solana_pubkey::Pubkey::from_str(s) {
        Ok(k) => Ok(k.to_bytes()),
        Err(_) => bail!("`{s}` is not a public key"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(n: u8) -> Keypair {
        Keypair::new_from_array([n; 32])
    }

    #[test]
    fn binary_and_json_round_trip() {
        let net = [9u8; 32];
        let b = SignedBatch::sign(
            &net,
            &key(1),
            4,
            vec![
                Receipt {
                    seq: 1,
                    work_units: 10,
                },
                Receipt {
                    seq: 2,
                    work_units: 20,
                },
            ],
        )
        .unwrap();
        let s = Submission {
            network: net,
            batches: vec![b.clone(), b],
        };
        assert_eq!(Submission::decode_binary(&s.encode()).unwrap(), s);
        let json = serde_json::to_string(&s.to_json()).unwrap();
        let back: JsonSubmission = serde_json::from_str(&json).unwrap();
        assert_eq!(back.parse().unwrap(), s);
        let mut cut = s.encode();
        cut.pop();
        assert!(Submission::decode_binary(&cut).is_err());
        let mut long = s.encode();
        long.push(0);
        assert!(Submission::decode_binary(&long).is_err());
        assert!(Submission::decode_binary(b"nope").is_err());
    }

    #[test]
    fn batch_verification_names_the_bad_one() {
        let net = [9u8; 32];
        let mut batches: Vec<SignedBatch> = (0..150u8)
            .map(|i| {
                SignedBatch::sign(
                    &net,
                    &key(i),
                    1,
                    vec![Receipt {
                        seq: 0,
                        work_units: i.into(),
                    }],
                )
                .unwrap()
            })
            .collect();
        batches[70].receipts[0].work_units += 1; // signed content changed
        batches[3].signature = batches[4].signature; // another device's signature
        for threads in [1, 2] {
            let ok = verify_batches(&net, &batches, threads);
            let bad: Vec<usize> = (0..ok.len()).filter(|i| !ok[*i]).collect();
            assert_eq!(bad, vec![3, 70]);
        }
        // another network's batches never verify
        assert!(verify_batches(&[8u8; 32], &batches[..2], 1)
            .iter()
            .all(|v| !v));
    }
}
