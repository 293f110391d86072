//! `depin emissions` and `depin rewards`: the schedule, epoch finalisation and claims.
use super::*;
use crate::emissions::{self as em, RewardAccounts};
use crate::rewards::{load_work, to_hex, EpochRewardsFile};
use emissions::state::EmissionSchedule;
use emissions::{Decay, ScheduleArgs};
use std::collections::BTreeMap;

#[derive(Args, Debug)]
pub struct ScheduleOpts {
    /// Reward tokens minted for the first epoch (base units).
    #[arg(long)]
    pub initial_per_epoch: u64,
    /// Halve the amount every N epochs.
    #[arg(long, conflicts_with = "decay_ppm")]
    pub halving_interval: Option<u32>,
    /// Or: lower it by this many parts per million each epoch.
    #[arg(long)]
    pub decay_ppm: Option<u32>,
    /// The amount never falls below this (until max supply).
    #[arg(long, default_value_t = 0)]
    pub tail_per_epoch: u64,
    /// Most reward tokens ever minted, in base units.
    #[arg(long)]
    pub max_supply: u64,
    /// Share of each epoch's emission paid to nodes, basis points (the three sum to 10,000).
    #[arg(long, default_value_t = 8_000)]
    pub operators_bps: u16,
    /// Share paid to the oracles' rewards account, basis points.
    #[arg(long, default_value_t = 1_000)]
    pub oracles_bps: u16,
    /// Share paid to the treasury, basis points.
    #[arg(long, default_value_t = 1_000)]
    pub treasury_bps: u16,
    /// Circuit breaker: at most --breaker-threshold minted per this many seconds.
    #[arg(long, default_value_t = 86_400)]
    pub breaker_window: u64,
    /// Default: three times the first epoch's amount.
    #[arg(long)]
    pub breaker_threshold: Option<u64>,
    /// The first epoch that is paid.
    #[arg(long, default_value_t = 0)]
    pub first_epoch: u64,
    /// Burn-and-mint: re-mint this share (basis points) of each epoch's tokens burned for
    /// credits with the epoch's emission (0: off). Needs fee_settlement on the network.
    #[arg(long, default_value_t = 0)]
    pub bme_share_bps: u16,
    /// The most re-minted per epoch (base units).
    #[arg(long, default_value_t = 0)]
    pub bme_cap_per_epoch: u64,
}

#[derive(Subcommand, Debug)]
pub enum EmissionsCmd {
    /// Create the schedule, vault and mint authority (--keypair: the network authority).
    /// The reward mint's mint authority must already be `mint_authority` (see `show`).
    #[command(
        after_help = "Example:\n  depin emissions init my-net --reward-mint <MINT> --oracle-rewards <ACCT> --treasury <ACCT> \\\n      --initial-per-epoch 1000000000 --halving-interval 365 --max-supply 1000000000000000"
    )]
    Init {
        /// Network name or address.
        network: String,
        /// The reward token's mint (public key or keypair file).
        #[arg(long, value_parser = parse_address)]
        reward_mint: Pubkey,
        /// Reward-mint token account that receives the oracles' share.
        #[arg(long, value_parser = parse_address)]
        oracle_rewards: Pubkey,
        /// Reward-mint token account that receives the treasury's share.
        #[arg(long, value_parser = parse_address)]
        treasury: Pubkey,
        #[command(flatten)]
        schedule: ScheduleOpts,
    },
    /// The schedule: parameters, epochs finalised, minted so far, addresses.
    #[command(after_help = "Example:\n  depin emissions show my-net")]
    Show {
        /// Network name or address.
        network: String,
    },
    /// Mint and record an epoch whose report is Final (anyone; default: the next epoch).
    #[command(after_help = "Example:\n  depin emissions finalize-epoch my-net")]
    FinalizeEpoch {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: Option<u64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum RewardsCmd {
    /// Build an epoch's rewards file from a work file (`{ "<node>": units }`) and the
    /// previous epoch's rewards file; the root goes to `report submit`.
    #[command(
        after_help = "Example:\n  depin rewards compute my-net --epoch 7 --work work-7.json --previous rewards-6.json --out rewards-7.json"
    )]
    Compute {
        /// Network name or address.
        network: String,
        /// The epoch, numbered by the oracle set's clock.
        #[arg(long)]
        epoch: u64,
        /// Work file: `{ "<node>": units }`.
        #[arg(long)]
        work: PathBuf,
        /// The last epoch's rewards file (omit for the first epoch).
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Where to write the rewards file.
        #[arg(long)]
        out: PathBuf,
    },
    /// What a node has been paid and, with --rewards, what it can claim now.
    #[command(
        after_help = "Example:\n  depin rewards show my-net <DEVICE_KEY> --rewards rewards-7.json"
    )]
    Show {
        /// Network name or address.
        network: String,
        /// The device's public key (or its keypair file).
        #[arg(value_parser = parse_address)]
        device_key: Pubkey,
        /// Rewards file from `depin rewards compute`.
        #[arg(long)]
        rewards: Option<PathBuf>,
    },
    /// Claim for one node or every node of an owner (anyone may send it; the tokens go to
    /// each node's current owner).
    #[command(
        after_help = "Examples:\n  depin rewards claim my-net --all-nodes-of <OWNER> --rewards rewards-7.json\n  depin rewards claim my-net <DEVICE_KEY> --oracle https://oracle-1.example.net"
    )]
    Claim {
        /// Network name or address.
        network: String,
        /// The node's device key.
        #[arg(
            conflicts_with = "all_nodes_of",
            required_unless_present = "all_nodes_of",
            value_parser = parse_address
        )]
        device_key: Option<Pubkey>,
        /// Claim for every node of this owner.
        #[arg(long, value_parser = parse_address)]
        all_nodes_of: Option<Pubkey>,
        /// Rewards file of a recently finalised epoch.
        #[arg(long, conflicts_with = "oracle", required_unless_present = "oracle")]
        rewards: Option<PathBuf>,
        /// Or: an oracle's base URL; its latest rewards (`GET /v1/rewards/latest`) are used.
        #[arg(long)]
        oracle: Option<String>,
    },
}

pub fn schedule_json(address: &Pubkey, s: &EmissionSchedule, network: &Pubkey) -> Value {
    json!({
        "address": address.to_string(),
        "reward_mint": s.reward_mint.to_string(),
        "mint_authority": em::authority_address(network).to_string(),
        "vault": s.vault.to_string(),
        "oracle_rewards": s.oracle_rewards.to_string(),
        "treasury": s.treasury.to_string(),
        "initial_per_epoch": s.initial_per_epoch,
        "decay": match s.decay {
            Decay::Halving { interval_epochs } => json!({ "halving_interval_epochs": interval_epochs }),
            Decay::PerEpochPpm { ppm } => json!({ "per_epoch_ppm": ppm }),
        },
        "tail_per_epoch": s.tail_per_epoch,
        "max_supply": s.max_supply,
        "operators_bps": s.operators_bps,
        "oracles_bps": s.oracles_bps,
        "treasury_bps": s.treasury_bps,
        "emitted_total": s.emitted_total,
        "next_epoch": s.next_epoch,
        "epochs_finalized": s.epochs_finalized,
        "breaker_window_s": s.breaker_window_s,
        "breaker_threshold": s.breaker_threshold,
        "breaker_current": s.breaker_current,
        "recent_roots": s.recent[..usize::from(s.recent_count).min(s.recent.len())]
            .iter()
            .map(|r| json!({ "epoch": r.epoch, "root": to_hex(&r.root) }))
            .collect::<Vec<_>>(),
    })
}

impl Ctx<'_> {
    pub(super) fn emissions(&self, c: &EmissionsCmd) -> Result<Value> {
        match c {
            EmissionsCmd::Init {
                network,
                reward_mint,
                oracle_rewards,
                treasury,
                schedule: o,
            } => {
                let a = network_address(network)?;
                let mint = self
                    .t()
                    .get_account(reward_mint)?
                    .with_context(|| format!("reward mint {reward_mint} does not exist"))?;
                let decay = match (o.halving_interval, o.decay_ppm) {
                    (Some(i), _) => Decay::Halving { interval_epochs: i },
                    (None, Some(p)) => Decay::PerEpochPpm { ppm: p },
                    (None, None) => Decay::Halving { interval_epochs: 0 },
                };
                let args = ScheduleArgs {
                    initial_per_epoch: o.initial_per_epoch,
                    decay,
                    tail_per_epoch: o.tail_per_epoch,
                    max_supply: o.max_supply,
                    operators_bps: o.operators_bps,
                    oracles_bps: o.oracles_bps,
                    treasury_bps: o.treasury_bps,
                    breaker_window_s: o.breaker_window,
                    breaker_threshold: match o.breaker_threshold {
                        Some(t) => t,
                        None => o
                            .initial_per_epoch
                            .checked_mul(3)
                            .context("--initial-per-epoch is too large")?,
                    },
                    first_epoch: o.first_epoch,
                    bme_share_bps: o.bme_share_bps,
                    bme_cap_per_epoch: o.bme_cap_per_epoch,
                };
                let r = RewardAccounts {
                    reward_mint: *reward_mint,
                    oracle_rewards: *oracle_rewards,
                    treasury: *treasury,
                    token_program: mint.owner,
                };
                let ix = em::initialize(&self.signer_key()?, &a, r, args);
                self.deliver(
                    &[ix],
                    json!({
                        "schedule": em::schedule_address(&a).to_string(),
                        "vault": em::vault_address(&a).to_string(),
                        "mint_authority": em::authority_address(&a).to_string(),
                    }),
                )
            }
            EmissionsCmd::Show { network } => {
                let a = network_address(network)?;
                let s = em::schedule(self.t(), &a)?;
                Ok(schedule_json(&em::schedule_address(&a), &s, &a))
            }
            EmissionsCmd::FinalizeEpoch { network, epoch } => {
                let a = network_address(network)?;
                let s = em::schedule(self.t(), &a)?;
                let epoch = epoch.unwrap_or(s.next_epoch);
                let burned = em::tokens_burned_in(self.t(), &a, epoch)?;
                let amount = crate::rewards::operators_amount(&s, epoch, burned).ok();
                let ixs =
                    em::finalize_epoch_instructions(self.t(), &self.signer_key()?, &a, epoch)?;
                self.deliver(&ixs, json!({ "epoch": epoch, "operators_amount": amount }))
            }
        }
    }

    pub(super) fn rewards(&self, c: &RewardsCmd) -> Result<Value> {
        match c {
            RewardsCmd::Compute {
                network,
                epoch,
                work,
                previous,
                out,
            } => {
                let a = network_address(network)?;
                let work = load_work(work)?;
                let previous = match previous {
                    Some(p) => {
                        let f = EpochRewardsFile::load(p)?;
                        anyhow::ensure!(
                            f.network()? == a && f.epoch < *epoch,
                            "{} is epoch {} of {}, not an earlier epoch of {a}",
                            p.display(),
                            f.epoch,
                            f.network
                        );
                        f.cumulative()?
                    }
                    None => BTreeMap::new(),
                };
                let f =
                    EpochRewardsFile::compute_for_network(self.t(), &a, *epoch, &previous, &work)?;
                f.save(out)?;
                Ok(json!({
                    "file": out.display().to_string(),
                    "epoch": f.epoch,
                    "root": f.root,
                    "total_work": f.total_work,
                    "node_count": f.node_count,
                    "operators_amount": f.operators_amount,
                    "remainder": f.remainder,
                }))
            }
            RewardsCmd::Show {
                network,
                device_key,
                rewards,
            } => {
                let a = network_address(network)?;
                let node = pda::node(&a, device_key).0;
                let record = em::claim_record(self.t(), &node)?;
                let claimed = record.as_ref().map_or(0, |r| r.claimed);
                let mut v = json!({
                    "node": node.to_string(),
                    "claim_record": em::claim_address(&node).to_string(),
                    "claimed": claimed,
                    "last_claim_epoch": record.as_ref().map(|r| r.last_epoch),
                });
                if let Some(path) = rewards {
                    let f = EpochRewardsFile::load(path)?;
                    let cumulative = f.node(&node).map_or(0, |n| n.cumulative_amount);
                    if let Value::Object(m) = &mut v {
                        m.insert("epoch".into(), json!(f.epoch));
                        m.insert("cumulative_amount".into(), json!(cumulative));
                        m.insert(
                            "claimable".into(),
                            json!(cumulative.saturating_sub(claimed)),
                        );
                    }
                }
                Ok(v)
            }
            RewardsCmd::Claim {
                network,
                device_key,
                all_nodes_of,
                rewards,
                oracle,
            } => {
                let a = network_address(network)?;
                let (f, source) = match (rewards, oracle) {
                    (Some(p), _) => (EpochRewardsFile::load(p)?, p.display().to_string()),
                    (None, Some(url)) => {
                        let url = format!("{}/v1/rewards/latest", url.trim_end_matches('/'));
                        let http =
                            crate::oracle::http::Http::new(std::time::Duration::from_secs(30))?;
                        (http.get_json::<EpochRewardsFile>(&url)?, url)
                    }
                    (None, None) => bail!("give --rewards FILE or --oracle URL"),
                };
                anyhow::ensure!(
                    f.network()? == a,
                    "{source} is for network {}, not {a}",
                    f.network
                );
                let nodes: Vec<(Pubkey, Node)> = match (device_key, all_nodes_of) {
                    (Some(d), _) => {
                        let k = pda::node(&a, d).0;
                        vec![(k, accounts::node(self.t(), &k)?)]
                    }
                    (None, Some(owner)) => accounts::nodes_of(self.t(), &a)?
                        .into_iter()
                        .filter(|(_, n)| n.owner == *owner)
                        .collect(),
                    (None, None) => bail!("give a device key or --all-nodes-of OWNER"),
                };
                let found = f.claimable(self.t(), nodes)?;
                if device_key.is_some() && found.claims.is_empty() {
                    if let Some((n, why)) = found.skipped.first() {
                        bail!("nothing to claim for node {n}: {}", why.describe());
                    }
                }
                let skipped: Vec<Value> = found
                    .skipped
                    .iter()
                    .map(|(n, why)| json!({ "node": n.to_string(), "reason": why.describe() }))
                    .collect();
                let (claims, amount) = (found.claims, found.amount);
                let nodes: Vec<String> = claims.iter().map(|(n, _)| n.to_string()).collect();
                let payer = self.signer_key()?;
                let batches = em::pack_claims(self.t(), &payer, &a, claims)?;
                let mut results = vec![];
                for ixs in &batches {
                    results.push(self.deliver(ixs, json!({}))?);
                }
                Ok(json!({
                    "epoch": f.epoch,
                    "claims": nodes,
                    "amount": amount,
                    "skipped": skipped,
                    "transactions": results,
                }))
            }
        }
    }
}
