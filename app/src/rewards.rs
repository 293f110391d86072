//! One epoch's operator rewards as a file: a map `node → work units` in; every node's
//! cumulative amount, the root oracles attest and each node's proof out. The oracle service
//! adds ingestion and storage around [`EpochRewardsFile::compute`]; the CLI and the demo use
//! it as is.
use crate::transport::Transport;
use anchor_lang::prelude::Pubkey;
use anyhow::{bail, ensure, Context, Result};
use depin_core::rewards::{EpochRewards, RewardsError};
use depin_core::sha256::Soft;
use emissions::state::EmissionSchedule;
use emissions::ClaimArgs;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;

/// One node's line in an epoch's rewards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeReward {
    /// The node account address (the leaf key).
    pub node: String,
    /// Work units this epoch (0: earned nothing new, still in the tree).
    pub work_units: u64,
    /// What this epoch added.
    pub epoch_amount: u64,
    /// The lifetime total the leaf commits to.
    pub cumulative_amount: u64,
    /// Siblings from the leaf up, hex.
    pub proof: Vec<String>,
}

/// Everything oracles attest and claimers need for one epoch.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EpochRewardsFile {
    pub network: String,
    pub epoch: u64,
    /// The operators' share of the epoch's emission that was split.
    pub operators_amount: u64,
    /// What integer rounding left unsplit (stays in the vault).
    pub remainder: u64,
    pub total_work: u64,
    pub node_count: u32,
    /// Merkle root, hex.
    pub root: String,
    pub nodes: Vec<NodeReward>,
}

pub fn to_hex(bytes: &[u8]) -> String {
    // a table, not `format!` per byte: a 10,000-node file has 4.5 million proof bytes
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Bytes of an even-length hex string (an optional `0x` prefix).
pub fn bytes_from_hex(s: &str) -> Result<Vec<u8>> {
    let s = s.trim_start_matches("0x");
    ensure!(
        s.len().is_multiple_of(2) && s.is_ascii(),
        "`{s}` is not hex (an even number of hex digits)"
    );
    (0..s.len() / 2)
        .map(|i| {
            u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
                .with_context(|| format!("`{s}` is not hex"))
        })
        .collect()
}

pub fn hash_from_hex(s: &str) -> Result<[u8; 32]> {
    let s = s.trim_start_matches("0x");
    ensure!(
        s.len() == 64 && s.is_ascii(),
        "`{s}` is not a 32-byte hex hash"
    );
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16)
            .with_context(|| format!("`{s}` is not hex"))?;
    }
    Ok(out)
}

/// The operators' share the schedule will mint for `epoch`, projecting the epochs still to
/// be finalised before it (their emissions count toward max supply first).
/// `tokens_burned`: what fee_settlement burned for credits in `epoch` (its usage record),
/// of which the schedule re-mints a capped share with the epoch's emission.
pub fn operators_amount(s: &EmissionSchedule, epoch: u64, tokens_burned: u64) -> Result<u64> {
    ensure!(
        epoch >= s.next_epoch,
        "epoch {epoch} is already finalised (next is {})",
        s.next_epoch
    );
    const MAX_PROJECTION: u64 = 100_000;
    ensure!(
        epoch - s.next_epoch <= MAX_PROJECTION,
        "epoch {epoch} is more than {MAX_PROJECTION} epochs ahead of the schedule"
    );
    let core = s.core();
    let mut emitted = s.emitted_total;
    for e in s.next_epoch..epoch {
        emitted = emitted
            .checked_add(core.amount_for_epoch(e, emitted))
            .context("emission total overflows u64")?;
    }
    let amount = core
        .amount_for_epoch(epoch, emitted)
        .checked_add(s.remint_for(tokens_burned))
        .context("the epoch's amount overflows u64")?;
    let (operators, _, _) = s
        .split(amount)
        .map_err(|e| anyhow::anyhow!("splitting the epoch's amount: {e:?}"))?;
    Ok(operators)
}

fn keys(map: &BTreeMap<Pubkey, u64>) -> BTreeMap<[u8; 32], u64> {
    map.iter().map(|(k, v)| (k.to_bytes(), *v)).collect()
}

impl EpochRewardsFile {
    /// Splits `operators_amount` by `work` on top of `previous` (the last epoch's totals).
    pub fn compute(
        network: &Pubkey,
        epoch: u64,
        operators_amount: u64,
        previous: &BTreeMap<Pubkey, u64>,
        work: &BTreeMap<Pubkey, u64>,
    ) -> Result<Self> {
        let r = EpochRewards::compute::<Soft>(&keys(previous), &keys(work), operators_amount)
            .map_err(|e| match e {
                RewardsError::WorkOverflow => anyhow::anyhow!("work units add up past u64"),
                RewardsError::CumulativeOverflow => {
                    anyhow::anyhow!("a node's lifetime total passes u64")
                }
                RewardsError::NoNodes => {
                    anyhow::anyhow!("no node has earned anything yet: nothing to attest")
                }
            })?;
        let mut nodes = Vec::with_capacity(r.cumulative.len());
        for (i, (node, cumulative)) in r.cumulative.iter().enumerate() {
            let proof = r
                .tree
                .proof(i)
                .context("the tree has fewer leaves than nodes")?;
            let key = Pubkey::new_from_array(*node);
            nodes.push(NodeReward {
                node: key.to_string(),
                work_units: work.get(&key).copied().unwrap_or(0),
                epoch_amount: r.paid.get(node).copied().unwrap_or(0),
                cumulative_amount: *cumulative,
                proof: proof.iter().map(|h| to_hex(h)).collect(),
            });
        }
        Ok(EpochRewardsFile {
            network: network.to_string(),
            epoch,
            operators_amount,
            remainder: r.remainder,
            total_work: r.total_work,
            node_count: u32::try_from(nodes.len()).context("more than u32::MAX nodes")?,
            root: to_hex(&r.root()),
            nodes,
        })
    }

    /// [`Self::compute`] with the operators' share read from the network's schedule.
    pub fn compute_for_network(
        t: &dyn Transport,
        network: &Pubkey,
        epoch: u64,
        previous: &BTreeMap<Pubkey, u64>,
        work: &BTreeMap<Pubkey, u64>,
    ) -> Result<Self> {
        let s = crate::emissions::schedule(t, network)?;
        let burned = if s.bme_share_bps > 0 {
            // the re-mint depends on the epoch's burns: only final once the epoch is over
            let settlement = crate::settlement::settlement(t, network)?;
            let now = crate::settlement::current_epoch(t, &settlement)?;
            anyhow::ensure!(
                now > epoch,
                "epoch {epoch} is still running: its burns (and so its re-mint) are not final"
            );
            crate::emissions::tokens_burned_in(t, network, epoch)?
        } else {
            0
        };
        Self::compute(
            network,
            epoch,
            operators_amount(&s, epoch, burned)?,
            previous,
            work,
        )
    }

    pub fn network(&self) -> Result<Pubkey> {
        Pubkey::from_str(&self.network).context("the rewards file's network is not an address")
    }

    pub fn root_bytes(&self) -> Result<[u8; 32]> {
        hash_from_hex(&self.root)
    }

    /// [`Self::cumulative`] straight from a file's JSON, skipping the proofs (most of the
    /// text) instead of building them.
    pub fn cumulative_from_json(text: &str) -> Result<BTreeMap<Pubkey, u64>> {
        #[derive(Deserialize)]
        struct Line {
            node: String,
            cumulative_amount: u64,
        }
        #[derive(Deserialize)]
        struct Totals {
            nodes: Vec<Line>,
        }
        let t: Totals = serde_json::from_str(text).context("not an epoch rewards file")?;
        t.nodes
            .iter()
            .map(|n| Ok((Pubkey::from_str(&n.node)?, n.cumulative_amount)))
            .collect::<Result<_>>()
            .context("a node in the rewards file is not an address")
    }

    /// Every node's lifetime total, the `previous` input of the next epoch.
    pub fn cumulative(&self) -> Result<BTreeMap<Pubkey, u64>> {
        self.nodes
            .iter()
            .map(|n| Ok((Pubkey::from_str(&n.node)?, n.cumulative_amount)))
            .collect::<Result<_>>()
            .context("a node in the rewards file is not an address")
    }

    pub fn node(&self, node: &Pubkey) -> Option<&NodeReward> {
        let s = node.to_string();
        self.nodes.iter().find(|n| n.node == s)
    }

    /// What `claim` takes for `node`, or `None` if the node is not in this epoch's tree.
    /// Which of `nodes` have something to claim against this file, and why the others do
    /// not: suspended (emissions refuses them until they are reactivated), nothing new since
    /// their last claim, or not in the tree. One read of each claim record.
    pub fn claimable(
        &self,
        t: &dyn Transport,
        nodes: impl IntoIterator<Item = (Pubkey, node_registry::state::Node)>,
    ) -> Result<Claimable> {
        use node_registry::state::NodeStatus;
        let mut c = Claimable::default();
        // by address once, not a scan of the file per node
        let by_node: std::collections::HashMap<&str, &NodeReward> =
            self.nodes.iter().map(|n| (n.node.as_str(), n)).collect();
        for (node, state) in nodes {
            if state.status != NodeStatus::Active {
                c.skipped.push((node, SkipReason::Suspended));
                continue;
            }
            let claimed = crate::emissions::claim_record(t, &node)?.map_or(0, |r| r.claimed);
            let args = match by_node.get(node.to_string().as_str()) {
                Some(n) => Some(self.args_of(n)?),
                None => None,
            };
            match args {
                Some(args) if args.cumulative_amount > claimed => {
                    c.amount = c.amount.saturating_add(args.cumulative_amount - claimed);
                    c.claims.push((node, args));
                }
                Some(_) => c.skipped.push((node, SkipReason::NothingNew)),
                None => c.skipped.push((node, SkipReason::NotInTree)),
            }
        }
        Ok(c)
    }

    pub fn claim_args(&self, node: &Pubkey) -> Result<Option<ClaimArgs>> {
        match self.node(node) {
            Some(n) => Ok(Some(self.args_of(n)?)),
            None => Ok(None),
        }
    }

    fn args_of(&self, n: &NodeReward) -> Result<ClaimArgs> {
        Ok(ClaimArgs {
            epoch: self.epoch,
            cumulative_amount: n.cumulative_amount,
            proof: n
                .proof
                .iter()
                .map(|h| hash_from_hex(h))
                .collect::<Result<Vec<_>>>()?
                .concat(),
        })
    }

    /// The content oracles sign for this epoch at `round`.
    pub fn report_content(&self, round: u32) -> Result<crate::verifier::ReportContent> {
        Ok(crate::verifier::ReportContent {
            epoch: self.epoch,
            round,
            root: self.root_bytes()?,
            total_work: self.total_work,
            node_count: self.node_count,
        })
    }

    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading rewards file {}", path.display()))?;
        let f: Self = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an epoch rewards file", path.display()))?;
        f.network()?;
        f.root_bytes()?;
        Ok(f)
    }

    /// Writes through a temporary file and a rename, so a crash leaves the old file or the
    /// new one, never half of one.
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        let text = serde_json::to_string_pretty(self)?;
        std::fs::write(&tmp, text).with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))
    }
}

/// Reads a work file: a JSON object `{ "<node address>": units, ... }`.
pub fn load_work(path: &Path) -> Result<BTreeMap<Pubkey, u64>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading work file {}", path.display()))?;
    let raw: BTreeMap<String, u64> = serde_json::from_str(&text).with_context(|| {
        format!(
            "{} is not a JSON object of node address → work units",
            path.display()
        )
    })?;
    let mut out = BTreeMap::new();
    for (k, v) in raw {
        let key = Pubkey::from_str(&k)
            .with_context(|| format!("`{k}` in {} is not a node address", path.display()))?;
        if out.insert(key, v).is_some() {
            bail!("node {k} appears twice in {}", path.display());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use depin_core::merkle::{reward_leaf, verify_packed};

    #[test]
    fn hex_round_trips() {
        assert_eq!(to_hex(&[0x00, 0x0f, 0xa5, 0xff]), "000fa5ff");
        let h: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(hash_from_hex(&to_hex(&h)).unwrap(), h);
        assert_eq!(hash_from_hex(&format!("0x{}", to_hex(&h))).unwrap(), h);
        assert!(hash_from_hex(&to_hex(&h[..31])).is_err());
    }

    #[test]
    fn file_proofs_verify_and_round_trip() {
        let network = Pubkey::new_from_array([9; 32]);
        let nodes: Vec<Pubkey> = (1..=5u8).map(|i| Pubkey::new_from_array([i; 32])).collect();
        let work: BTreeMap<Pubkey, u64> = nodes.iter().map(|n| (*n, 3)).collect();
        let f = EpochRewardsFile::compute(&network, 4, 1_000, &BTreeMap::new(), &work).unwrap();
        assert_eq!(f.node_count, 5);
        assert_eq!(f.remainder, 0);
        let root = f.root_bytes().unwrap();
        for n in &nodes {
            let a = f.claim_args(n).unwrap().unwrap();
            assert_eq!(a.cumulative_amount, 200);
            let leaf = reward_leaf::<Soft>(&n.to_bytes(), a.cumulative_amount);
            assert!(verify_packed::<Soft>(&root, &leaf, &a.proof));
            assert!(!verify_packed::<Soft>(
                &root,
                &reward_leaf::<Soft>(&n.to_bytes(), 201),
                &a.proof
            ));
        }
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("e4.json");
        f.save(&p).unwrap();
        assert_eq!(EpochRewardsFile::load(&p).unwrap(), f);
        // next epoch: only one node works, the others keep their totals
        let next_work = BTreeMap::from([(nodes[0], 1)]);
        let text = serde_json::to_string(&f).unwrap();
        assert_eq!(
            EpochRewardsFile::cumulative_from_json(&text).unwrap(),
            f.cumulative().unwrap()
        );
        assert!(EpochRewardsFile::cumulative_from_json("{\"nodes\": 3}").is_err());
        let g = EpochRewardsFile::compute(&network, 5, 10, &f.cumulative().unwrap(), &next_work)
            .unwrap();
        assert_eq!(g.node(&nodes[0]).unwrap().cumulative_amount, 210);
        assert_eq!(g.node(&nodes[1]).unwrap().cumulative_amount, 200);
        assert!(f
            .claim_args(&Pubkey::new_from_array([77; 32]))
            .unwrap()
            .is_none());
    }

    #[test]
    fn bad_hex_is_refused() {
        assert!(hash_from_hex("zz").is_err());
        assert!(hash_from_hex(&"g".repeat(64)).is_err());
        assert!(hash_from_hex(&"é".repeat(32)).is_err());
        assert_eq!(hash_from_hex(&"ab".repeat(32)).unwrap(), [0xab; 32]);
    }
}

/// Why a node is not claimed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    Suspended,
    NothingNew,
    NotInTree,
}

impl SkipReason {
    pub fn describe(self) -> &'static str {
        match self {
            SkipReason::Suspended => "suspended: rewards wait until it is reactivated",
            SkipReason::NothingNew => "nothing new to claim",
            SkipReason::NotInTree => "not in this epoch's tree",
        }
    }
}

/// The claims [`EpochRewardsFile::claimable`] found, ready for
/// [`crate::emissions::pack_claims`].
#[derive(Debug, Default)]
pub struct Claimable {
    pub claims: Vec<(Pubkey, ClaimArgs)>,
    pub skipped: Vec<(Pubkey, SkipReason)>,
    /// What the claims pay in all.
    pub amount: u64,
}
