//! `depin device`: the device side of sector proofs (docs/sector-proofs.md), for a real
//! device or a simulator. Each command reads the epoch's challenge seed from chain, builds
//! and signs its proof with the device key, prints it, and with `--oracle URL` posts it to
//! the oracle's `POST /v1/sector-proofs`.
use super::Ctx;
use crate::config;
use crate::oracle::proofs::ProofSubmission;
use crate::rewards::{hash_from_hex, to_hex};
use crate::sectors::{self, WitnessReport};
use crate::verifier;
use anchor_lang::prelude::Pubkey;
use anyhow::{bail, ensure, Context, Result};
use clap::{Args, Subcommand};
use depin_core::sectors::{coverage, storage};
use proof_verifier::{StorageChunkArgs, StorageCommitArgs};
use serde_json::{json, Value};
use solana_signer::Signer;
use std::path::PathBuf;

#[derive(Args, Debug, Clone)]
pub struct DeviceOpts {
    /// Network name or address.
    pub network: String,
    /// The device's keypair file (its registered device key).
    #[arg(long)]
    pub device_keypair: PathBuf,
    /// The epoch (default: the current one by the oracle set's clock).
    #[arg(long)]
    pub epoch: Option<u64>,
    /// Post the proof to this oracle (`http://host:port`).
    #[arg(long)]
    pub oracle: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum DeviceCmd {
    /// A hotspot's beacon payload for the epoch: what its radio transmits.
    #[command(after_help = "Example:\n  depin device beacon my-net --device-keypair hotspot.json")]
    Beacon {
        #[command(flatten)]
        opts: DeviceOpts,
    },
    /// A hotspot reports a beacon it heard, signed by its device key.
    #[command(
        after_help = "Example:\n  depin device witness my-net --device-keypair me.json \
                            --beaconer 7Xk… --payload 3f… --rssi-centi-dbm -9500 \
                            --snr-centi-db 800 --oracle http://127.0.0.1:8470"
    )]
    Witness {
        #[command(flatten)]
        opts: DeviceOpts,
        /// The beaconing hotspot's device key.
        #[arg(long)]
        beaconer: Pubkey,
        /// The payload heard, hex.
        #[arg(long)]
        payload: String,
        /// Received signal strength, hundredths of dBm.
        #[arg(long, allow_hyphen_values = true)]
        rssi_centi_dbm: i32,
        /// Signal to noise ratio, hundredths of dB.
        #[arg(long, allow_hyphen_values = true)]
        snr_centi_db: i32,
    },
    /// The owner (`--keypair`) commits the root of the node's data on chain.
    #[command(
        after_help = "Example:\n  depin device storage-commit my-net --device 7Xk… \
                            --data store.bin --chunk-bytes 256"
    )]
    StorageCommit {
        /// Network name or address.
        network: String,
        /// The storage node's device key.
        #[arg(long)]
        device: Pubkey,
        /// The data the node stores.
        #[arg(long)]
        data: PathBuf,
        /// Chunk size of the tree, in bytes.
        #[arg(long, default_value_t = 256)]
        chunk_bytes: u32,
    },
    /// A storage node answers its challenged chunks from its data.
    #[command(
        after_help = "Example:\n  depin device storage-proof my-net --device-keypair \
                            node.json --data store.bin --chunk-bytes 256 --oracle http://127.0.0.1:8470"
    )]
    StorageProof {
        #[command(flatten)]
        opts: DeviceOpts,
        /// The data the node stores (as committed).
        #[arg(long)]
        data: PathBuf,
        /// Chunk size of the committed tree, in bytes.
        #[arg(long, default_value_t = 256)]
        chunk_bytes: u32,
        /// Chunks the oracle asks for (its `storage_challenges`).
        #[arg(long, default_value_t = 4)]
        challenges: u32,
        /// Also prove this challenge on chain (`verify_storage_chunk`, paid by --keypair).
        #[arg(long)]
        on_chain: Option<u32>,
    },
    /// A compute node multiplies its challenge matrices and signs the product.
    #[command(
        after_help = "Example:\n  depin device compute-proof my-net --device-keypair \
                            gpu.json --n 64 --oracle http://127.0.0.1:8470"
    )]
    ComputeProof {
        #[command(flatten)]
        opts: DeviceOpts,
        /// Matrix side (the oracle's `compute_n`).
        #[arg(long, default_value_t = 64)]
        n: u32,
    },
    /// A sensor signs a reading taken in its asserted cell.
    #[command(
        after_help = "Example:\n  depin device reading my-net --device-keypair \
                            sensor.json --value 2150 --oracle http://127.0.0.1:8470"
    )]
    Reading {
        #[command(flatten)]
        opts: DeviceOpts,
        /// The value, in the quantity's smallest unit.
        #[arg(long, allow_hyphen_values = true)]
        value: i64,
        /// When it was taken, unix seconds (default: the cluster's time now).
        #[arg(long)]
        time: Option<i64>,
    },
}

impl Ctx<'_> {
    pub(super) fn device(&self, c: &DeviceCmd) -> Result<Value> {
        match c {
            DeviceCmd::Beacon { opts } => {
                let (_, epoch, seed, key) = self.device_context(opts)?;
                let payload = sectors::device::beacon_payload(&seed, &key.pubkey().to_bytes());
                Ok(json!({
                    "epoch": epoch,
                    "beaconer": key.pubkey().to_string(),
                    "payload": to_hex(&payload),
                }))
            }
            DeviceCmd::Witness {
                opts,
                beaconer,
                payload,
                rssi_centi_dbm,
                snr_centi_db,
            } => {
                let (network, epoch, _, key) = self.device_context(opts)?;
                let heard = coverage::Heard {
                    payload: hash_from_hex(payload).context("--payload")?,
                    rssi_centi_dbm: *rssi_centi_dbm,
                    snr_centi_db: *snr_centi_db,
                };
                let w = WitnessReport::sign(
                    &key,
                    &network.to_bytes(),
                    epoch,
                    &beaconer.to_bytes(),
                    heard,
                );
                self.post_proof(
                    opts,
                    ProofSubmission::witness(epoch, &beaconer.to_bytes(), &w),
                )
            }
            DeviceCmd::StorageCommit {
                network,
                device,
                data,
                chunk_bytes,
            } => {
                let a = self.existing_network(network)?;
                let stored = stored_data(data, *chunk_bytes)?;
                let c = stored.commitment();
                let args = StorageCommitArgs {
                    root: c.root,
                    size_bytes: c.size_bytes,
                    chunk_bytes: c.chunk_bytes,
                };
                let ix = verifier::commit_storage(&self.signer_key()?, &a, device, args);
                let node = crate::pda::node(&a, device).0;
                self.deliver(
                    &[ix],
                    json!({
                        "commitment": verifier::storage_commitment_address(&node).to_string(),
                        "root": to_hex(&c.root),
                        "size_bytes": c.size_bytes,
                        "chunk_bytes": chunk_bytes,
                        "depth": stored.tree.depth(),
                    }),
                )
            }
            DeviceCmd::StorageProof {
                opts,
                data,
                chunk_bytes,
                challenges,
                on_chain,
            } => {
                let (network, epoch, seed, key) = self.device_context(opts)?;
                ensure!(
                    (1..=storage::MAX_CHALLENGES).contains(challenges),
                    "--challenges must be 1 to {}",
                    storage::MAX_CHALLENGES
                );
                let stored = stored_data(data, *chunk_bytes)?;
                let answer = stored
                    .answer(&key, &network.to_bytes(), epoch, &seed, *challenges)
                    .context("a challenged chunk lies beyond the data")?;
                let mut out = self.post_proof(opts, ProofSubmission::storage(epoch, &answer))?;
                if let Some(i) = on_chain {
                    let (_, chunk, path) = stored
                        .chunk(&seed, &key.pubkey().to_bytes(), *i)
                        .context("a challenged chunk lies beyond the data")?;
                    let ix = verifier::verify_storage_chunk(
                        &network,
                        &key.pubkey(),
                        StorageChunkArgs {
                            epoch,
                            challenge: *i,
                            chunk,
                            path,
                        },
                    );
                    let sent = self.deliver(&[ix], json!({}))?;
                    out["on_chain"] = sent;
                }
                Ok(out)
            }
            DeviceCmd::ComputeProof { opts, n } => {
                let (network, epoch, seed, key) = self.device_context(opts)?;
                ensure!((1..=512).contains(n), "--n must be 1 to 512");
                let started = std::time::Instant::now();
                let answer =
                    sectors::device::compute_answer(&key, &network.to_bytes(), epoch, &seed, *n);
                let took_ms = started.elapsed().as_millis();
                let mut out = self.post_proof(opts, ProofSubmission::compute(epoch, &answer))?;
                out["computed_ms"] = json!(took_ms as u64);
                Ok(out)
            }
            DeviceCmd::Reading { opts, value, time } => {
                let (network, epoch, _, key) = self.device_context(opts)?;
                let node = crate::accounts::fetch::<node_registry::state::Node>(
                    self.t(),
                    "node",
                    &crate::pda::node(&network, &key.pubkey()).0,
                )?
                .with_context(|| format!("device {} has no node on this network", key.pubkey()))?;
                ensure!(
                    node.location != 0,
                    "the sensor has no asserted location (`depin node assert-location`)"
                );
                let time = match time {
                    Some(t) => *t,
                    None => self.t().unix_time()?,
                };
                let r = sectors::device::reading(
                    &key,
                    &network.to_bytes(),
                    epoch,
                    *value,
                    time,
                    node.location,
                );
                self.post_proof(opts, ProofSubmission::reading(epoch, &r))
            }
        }
    }

    /// The network, epoch, its seed and the device key of a device command.
    fn device_context(
        &self,
        opts: &DeviceOpts,
    ) -> Result<(Pubkey, u64, [u8; 32], solana_keypair::Keypair)> {
        let network = self.existing_network(&opts.network)?;
        let key = config::read_keypair(&opts.device_keypair)?;
        let epoch = match opts.epoch {
            Some(e) => e,
            None => {
                let set = verifier::oracle_set(self.t(), &network)?;
                let now = self.t().unix_time()?;
                u64::try_from(
                    now.saturating_sub(set.genesis_ts).max(0)
                        / i64::from(set.epoch_length_s.max(1)),
                )
                .unwrap_or(0)
            }
        };
        let Some(c) = verifier::challenges(self.t(), &network, epoch)? else {
            bail!(
                "epoch {epoch}'s challenges are not open yet: nobody can know them \
                 (`depin report open-challenges {}`)",
                opts.network
            );
        };
        Ok((network, epoch, c.seed, key))
    }

    /// Prints the proof, and posts it when `--oracle` is given.
    fn post_proof(&self, opts: &DeviceOpts, proof: ProofSubmission) -> Result<Value> {
        let mut out = json!({ "proof": proof });
        if let Some(url) = &opts.oracle {
            let http = crate::oracle::http::Http::new(std::time::Duration::from_secs(30))?;
            let reply = http.post(
                &format!("{}/v1/sector-proofs", url.trim_end_matches('/')),
                "application/json",
                serde_json::to_vec(&proof)?,
            )?;
            ensure!(
                reply.status < 300,
                "the oracle at {url} answered {}: {}",
                reply.status,
                reply.body
            );
            out["posted"] = serde_json::from_str(&reply.body)
                .with_context(|| format!("the oracle's answer: {}", reply.body))?;
        }
        Ok(out)
    }
}

fn stored_data(data: &std::path::Path, chunk_bytes: u32) -> Result<sectors::device::StoredData> {
    let bytes = std::fs::read(data).with_context(|| format!("reading {}", data.display()))?;
    sectors::device::StoredData::new(bytes, chunk_bytes)
        .context("the data is empty, the chunk size 0, or the tree deeper than 2^40 chunks")
}
