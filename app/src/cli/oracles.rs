//! `depin oracles` and `depin report`: the oracle set and its epoch reports (proof_verifier).
use super::*;
use crate::rewards::{hash_from_hex, to_hex, EpochRewardsFile};
use crate::verifier::{self, ReportContent};
use proof_verifier::state::{EpochReport, OracleSet};
use proof_verifier::{OracleSetArgs, UpdateOracleSetArgs};

#[derive(Subcommand, Debug)]
pub enum OraclesCmd {
    /// Create the network's oracle set (--keypair: the network authority).
    #[command(
        after_help = "Example:\n  depin oracles init my-net --oracle <O1> --oracle <O2> --oracle <O3> --threshold 2 \\\n      --epoch-length 86400 --challenge-period 3600"
    )]
    Init {
        /// Network name or address.
        network: String,
        /// An oracle key; repeat for each (at most 16).
        #[arg(long = "oracle", value_parser = parse_address, required = true)]
        oracles: Vec<Pubkey>,
        /// Distinct oracles that must attest a report (M of N).
        #[arg(long)]
        threshold: u8,
        /// Unix time epoch 0 starts (default: now).
        #[arg(long)]
        genesis: Option<i64>,
        /// Seconds per epoch.
        #[arg(long, default_value_t = 86_400)]
        epoch_length: u32,
        /// Seconds between reaching the threshold and finalisation, for disputes.
        #[arg(long, default_value_t = 3_600)]
        challenge_period: u32,
    },
    /// Replace the members, threshold or challenge period (--keypair: the authority); what
    /// is not given stays as it is.
    #[command(after_help = "Example:\n  depin oracles set my-net --threshold 3")]
    Set {
        /// Network name or address.
        network: String,
        /// The new members, replacing all of them: repeat for each (public key or keypair
        /// file; none given: members unchanged).
        #[arg(long = "oracle", value_parser = parse_address)]
        oracles: Vec<Pubkey>,
        /// Approvals a report needs (M of N).
        #[arg(long)]
        threshold: Option<u8>,
        /// Seconds a report can be disputed before it may finalise.
        #[arg(long)]
        challenge_period: Option<u32>,
    },
    /// The oracle set: members, threshold, epoch clock.
    #[command(after_help = "Example:\n  depin oracles show my-net --output json")]
    Show {
        /// Network name or address.
        network: String,
    },
}

/// The report's content: from a rewards file, or given field by field.
#[derive(Args, Debug)]
pub struct ReportSource {
    /// Epoch rewards file from `depin rewards compute`.
    #[arg(long, conflicts_with_all = ["root", "total_work", "node_count"])]
    pub rewards: Option<PathBuf>,
    /// Merkle root, hex.
    #[arg(long, requires_all = ["total_work", "node_count"])]
    pub root: Option<String>,
    /// Total work units of the epoch (with the fields given one by one).
    #[arg(long)]
    pub total_work: Option<u64>,
    /// Nodes in the tree (with the fields given one by one).
    #[arg(long)]
    pub node_count: Option<u32>,
}

#[derive(Subcommand, Debug)]
pub enum ReportCmd {
    /// Submit an epoch's report (--keypair: an oracle); each --cosigner adds that oracle's
    /// signature in the same transaction.
    #[command(
        after_help = "Example:\n  depin -k oracle1.json report submit my-net --epoch 7 --rewards rewards-7.json --cosigner oracle2.json"
    )]
    Submit {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
        #[command(flatten)]
        source: ReportSource,
        /// Keypair file of another oracle signing the same report; repeat.
        #[arg(long = "cosigner")]
        cosigners: Vec<PathBuf>,
    },
    /// Approve the pending report (--keypair: an oracle); the root must match.
    #[command(
        after_help = "Example:\n  depin -k oracle3.json report approve my-net --epoch 7 --rewards rewards-7.json"
    )]
    Approve {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
        /// Root the oracle checked (hex); or --rewards FILE.
        #[arg(long, conflicts_with = "rewards", required_unless_present = "rewards")]
        root: Option<String>,
        /// Rewards file from `depin rewards compute`.
        #[arg(long)]
        rewards: Option<PathBuf>,
    },
    /// Stop a report from finalising (--keypair: an oracle or the authority).
    #[command(after_help = "Example:\n  depin -k oracle2.json report dispute my-net --epoch 7")]
    Dispute {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
    /// Void a disputed report so the epoch can be reported again (--keypair: the authority).
    #[command(after_help = "Example:\n  depin report void my-net --epoch 7")]
    Void {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
    /// Finalise a report once its challenge period has passed (anyone).
    #[command(after_help = "Example:\n  depin report finalize my-net --epoch 7")]
    Finalize {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
    /// Open an epoch's proof challenges (anyone, once the epoch has begun): record its seed
    /// from the newest slot hash; every device's challenges derive from it.
    #[command(after_help = "Example:\n  depin report open-challenges my-net --epoch 7")]
    OpenChallenges {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock (default: the current one).
        #[arg(long)]
        epoch: Option<u64>,
    },
    /// An epoch's challenge seed: the slot and hash it was taken from.
    #[command(after_help = "Example:\n  depin report challenges my-net --epoch 7 --output json")]
    Challenges {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
    /// An epoch's report: root, status, approvals, challenge deadline.
    #[command(after_help = "Example:\n  depin report show my-net --epoch 7")]
    Show {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
    },
}

pub fn oracle_set_json(address: &Pubkey, s: &OracleSet) -> Value {
    json!({
        "address": address.to_string(),
        "network": s.network.to_string(),
        "oracles": s.oracles.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        "threshold": s.threshold,
        "genesis_ts": s.genesis_ts,
        "epoch_length_s": s.epoch_length_s,
        "challenge_period_s": s.challenge_period_s,
        "version": s.version,
    })
}

pub fn report_json(address: &Pubkey, r: &EpochReport, set: Option<&OracleSet>) -> Value {
    let approved_by: Vec<String> = set
        .map(|s| {
            s.oracles
                .iter()
                .enumerate()
                .filter(|(i, _)| r.approvals & (1u16 << i) != 0)
                .map(|(_, k)| k.to_string())
                .collect()
        })
        .unwrap_or_default();
    json!({
        "address": address.to_string(),
        "epoch": r.epoch,
        "round": r.round,
        "status": format!("{:?}", r.status),
        "root": to_hex(&r.root),
        "total_work": r.total_work,
        "node_count": r.node_count,
        "approval_count": r.approval_count,
        "approved_by": approved_by,
        "submitter": r.submitter.to_string(),
        "submitted_at": r.submitted_at,
        "threshold_reached_at": r.threshold_reached_at,
        "finalized_at": r.finalized_at,
    })
}

impl Ctx<'_> {
    pub(super) fn oracles(&self, c: &OraclesCmd) -> Result<Value> {
        match c {
            OraclesCmd::Init {
                network,
                oracles,
                threshold,
                genesis,
                epoch_length,
                challenge_period,
            } => {
                let a = network_address(network)?;
                let genesis_ts = match genesis {
                    Some(g) => *g,
                    None => self.t().unix_time()?,
                };
                let args = OracleSetArgs {
                    oracles: oracles.clone(),
                    threshold: *threshold,
                    genesis_ts,
                    epoch_length_s: *epoch_length,
                    challenge_period_s: *challenge_period,
                };
                let ix = verifier::init_oracle_set(&self.signer_key()?, &a, args);
                self.deliver(
                    &[ix],
                    json!({ "oracle_set": verifier::oracle_set_address(&a).to_string(), "genesis_ts": genesis_ts }),
                )
            }
            OraclesCmd::Set {
                network,
                oracles,
                threshold,
                challenge_period,
            } => {
                let a = network_address(network)?;
                let now = verifier::oracle_set(self.t(), &a)?;
                anyhow::ensure!(
                    !oracles.is_empty() || threshold.is_some() || challenge_period.is_some(),
                    "nothing to change: give --oracle, --threshold or --challenge-period"
                );
                let args = UpdateOracleSetArgs {
                    oracles: if oracles.is_empty() {
                        now.oracles.clone()
                    } else {
                        oracles.clone()
                    },
                    threshold: threshold.unwrap_or(now.threshold),
                    challenge_period_s: challenge_period.unwrap_or(now.challenge_period_s),
                };
                let ix = verifier::update_oracle_set(&self.signer_key()?, &a, args);
                self.deliver(&[ix], json!({ "version_before": now.version }))
            }
            OraclesCmd::Show { network } => {
                let a = network_address(network)?;
                let address = verifier::oracle_set_address(&a);
                Ok(oracle_set_json(
                    &address,
                    &verifier::oracle_set(self.t(), &a)?,
                ))
            }
        }
    }

    fn report_content(
        &self,
        network: &Pubkey,
        epoch: u64,
        s: &ReportSource,
    ) -> Result<ReportContent> {
        let round = verifier::next_round(self.t(), network, epoch)?;
        match (&s.rewards, &s.root) {
            (Some(path), _) => {
                let f = EpochRewardsFile::load(path)?;
                anyhow::ensure!(
                    f.network()? == *network && f.epoch == epoch,
                    "{} is epoch {} of network {}, not epoch {epoch} of {network}",
                    path.display(),
                    f.epoch,
                    f.network
                );
                f.report_content(round)
            }
            (None, Some(root)) => Ok(ReportContent {
                epoch,
                round,
                root: hash_from_hex(root)?,
                total_work: s
                    .total_work
                    .context("--total-work is required with --root")?,
                node_count: s
                    .node_count
                    .context("--node-count is required with --root")?,
            }),
            (None, None) => {
                bail!("give --rewards FILE, or --root with --total-work and --node-count")
            }
        }
    }

    pub(super) fn report(&self, c: &ReportCmd) -> Result<Value> {
        match c {
            ReportCmd::Submit {
                network,
                epoch,
                source,
                cosigners,
            } => {
                let a = network_address(network)?;
                let content = self.report_content(&a, *epoch, source)?;
                let keys = cosigners
                    .iter()
                    .map(|p| config::read_keypair(p))
                    .collect::<Result<Vec<_>>>()?;
                let refs: Vec<&Keypair> = keys.iter().collect();
                let ixs =
                    verifier::submit_report_instructions(&self.signer_key()?, &a, content, &refs);
                self.deliver(
                    &ixs,
                    json!({
                        "report": verifier::report_address(&a, *epoch).to_string(),
                        "round": content.round,
                        "root": to_hex(&content.root),
                        "signatures": 1 + refs.len(),
                    }),
                )
            }
            ReportCmd::Approve {
                network,
                epoch,
                root,
                rewards,
            } => {
                let a = network_address(network)?;
                let root = match (root, rewards) {
                    (Some(r), _) => hash_from_hex(r)?,
                    (None, Some(p)) => EpochRewardsFile::load(p)?.root_bytes()?,
                    (None, None) => bail!("give --root or --rewards"),
                };
                let ix = verifier::approve_report(&self.signer_key()?, &a, *epoch, root);
                self.deliver(&[ix], json!({ "root": to_hex(&root) }))
            }
            ReportCmd::Dispute { network, epoch } => {
                let a = network_address(network)?;
                let ix = verifier::dispute_report(&self.signer_key()?, &a, *epoch);
                self.deliver(&[ix], json!({}))
            }
            ReportCmd::Void { network, epoch } => {
                let a = network_address(network)?;
                let ix = verifier::void_report(&self.signer_key()?, &a, *epoch);
                self.deliver(&[ix], json!({}))
            }
            ReportCmd::Finalize { network, epoch } => {
                let a = network_address(network)?;
                self.deliver(&[verifier::finalize_report(&a, *epoch)], json!({}))
            }
            ReportCmd::OpenChallenges { network, epoch } => {
                let a = self.existing_network(network)?;
                let set = verifier::oracle_set(self.t(), &a)?;
                let now = self.t().unix_time()?;
                let epoch = match epoch {
                    Some(e) => *e,
                    None => u64::try_from(
                        now.saturating_sub(set.genesis_ts).max(0)
                            / i64::from(set.epoch_length_s.max(1)),
                    )
                    .unwrap_or(0),
                };
                anyhow::ensure!(
                    verifier::challenges(self.t(), &a, epoch)?.is_none(),
                    "epoch {epoch}'s challenges are open already"
                );
                let ix = verifier::open_challenges(&self.signer_key()?, &a, epoch);
                self.deliver(
                    &[ix],
                    json!({ "epoch": epoch, "challenges": verifier::challenges_address(&a, epoch).to_string() }),
                )
            }
            ReportCmd::Challenges { network, epoch } => {
                let a = network_address(network)?;
                let address = verifier::challenges_address(&a, *epoch);
                let c = verifier::challenges(self.t(), &a, *epoch)?
                    .with_context(|| format!("epoch {epoch}'s challenges are not open"))?;
                Ok(json!({
                    "address": address.to_string(),
                    "epoch": c.epoch,
                    "slot": c.slot,
                    "slot_hash": to_hex(&c.slot_hash),
                    "seed": to_hex(&c.seed),
                    "opened_at": c.opened_at,
                }))
            }
            ReportCmd::Show { network, epoch } => {
                let a = network_address(network)?;
                let address = verifier::report_address(&a, *epoch);
                let r = verifier::report(self.t(), &a, *epoch)?;
                let set = verifier::oracle_set(self.t(), &a).ok();
                Ok(report_json(&address, &r, set.as_ref()))
            }
        }
    }
}
