//! One epoch of operator rewards, off chain: work units per node in, cumulative amounts,
//! leaves, root and proofs out (the oracle's job, shared with clients and tests).
use crate::merkle::{reward_leaf, Hash, MerkleTree};
use crate::sha256::Sha256;
use crate::split::{split_by_work, SplitError};
use std::collections::BTreeMap;

/// A node's identity in the tree (its node account address).
pub type NodeKey = [u8; 32];

/// The result of one epoch.
pub struct EpochRewards {
    /// Every node's lifetime total after this epoch, in key order (the leaf order).
    pub cumulative: BTreeMap<NodeKey, u64>,
    /// What this epoch paid each node that did work.
    pub paid: BTreeMap<NodeKey, u64>,
    /// What rounding left of the operators' amount (to the treasury).
    pub remainder: u64,
    pub total_work: u64,
    pub tree: MerkleTree,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RewardsError {
    /// Work units add up to more than u64.
    WorkOverflow,
    /// A node's lifetime total would pass u64.
    CumulativeOverflow,
    /// No node has ever earned anything: there is no tree to build.
    NoNodes,
}

impl EpochRewards {
    /// Shares `operator_amount` by `work` and adds it to `previous` (the totals after the
    /// last epoch). Nodes without work this epoch keep their total and stay in the tree.
    pub fn compute<H: Sha256>(
        previous: &BTreeMap<NodeKey, u64>,
        work: &BTreeMap<NodeKey, u64>,
        operator_amount: u64,
    ) -> Result<Self, RewardsError> {
        let units: Vec<u64> = work.values().copied().collect();
        let mut shares = vec![0u64; units.len()];
        let remainder =
            split_by_work(operator_amount, &units, &mut shares).map_err(|e| match e {
                SplitError::WorkOverflow | SplitError::OutputTooShort => RewardsError::WorkOverflow,
            })?;
        let total_work = units.iter().try_fold(0u64, |a, w| a.checked_add(*w));
        let total_work = total_work.ok_or(RewardsError::WorkOverflow)?;
        let mut cumulative = previous.clone();
        let mut paid = BTreeMap::new();
        for (node, share) in work.keys().zip(shares) {
            let total = cumulative.entry(*node).or_insert(0);
            *total = total
                .checked_add(share)
                .ok_or(RewardsError::CumulativeOverflow)?;
            paid.insert(*node, share);
        }
        let leaves: Vec<Hash> = cumulative
            .iter()
            .map(|(node, amount)| reward_leaf::<H>(node, *amount))
            .collect();
        let tree = MerkleTree::new::<H>(leaves).ok_or(RewardsError::NoNodes)?;
        Ok(EpochRewards {
            cumulative,
            paid,
            remainder,
            total_work,
            tree,
        })
    }

    pub fn root(&self) -> Hash {
        self.tree.root()
    }

    /// The proof for `node`'s current total, with that total.
    pub fn proof(&self, node: &NodeKey) -> Option<(u64, Vec<Hash>)> {
        let index = self.cumulative.keys().position(|k| k == node)?;
        let amount = *self.cumulative.get(node)?;
        Some((amount, self.tree.proof(index)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::verify;
    use crate::sha256::Soft;
    use proptest::prelude::*;

    fn key(i: u8) -> NodeKey {
        [i; 32]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        // Across epochs a node's cumulative amount never decreases, an epoch never pays
        // more than its amount, and every node's proof verifies against the epoch's root.
        #[test]
        fn cumulative_never_decreases(
            epochs in proptest::collection::vec(
                (proptest::collection::btree_map(0u8..12, 0u64..1_000_000, 0..8), 0u64..1_000_000_000),
                1..5,
            )
        ) {
            let mut previous: BTreeMap<NodeKey, u64> = BTreeMap::new();
            for (work, amount) in epochs {
                let work: BTreeMap<NodeKey, u64> = work.into_iter().map(|(k, w)| (key(k), w)).collect();
                let r = match EpochRewards::compute::<Soft>(&previous, &work, amount) {
                    Ok(r) => r,
                    Err(RewardsError::NoNodes) => {
                        prop_assert!(previous.is_empty() && work.is_empty());
                        continue;
                    }
                    Err(e) => return Err(TestCaseError::fail(format!("{e:?}"))),
                };
                let paid: u128 = r.paid.values().map(|v| u128::from(*v)).sum();
                prop_assert!(paid + u128::from(r.remainder) == u128::from(amount));
                for (node, before) in &previous {
                    prop_assert!(r.cumulative[node] >= *before);
                }
                for node in r.cumulative.keys() {
                    let (amount, proof) = r.proof(node).unwrap();
                    let leaf = reward_leaf::<Soft>(node, amount);
                    prop_assert!(verify::<Soft>(&r.root(), &leaf, &proof));
                }
                previous = r.cumulative;
            }
        }
    }
}
