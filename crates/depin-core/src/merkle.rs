//! Reward leaves and the merkle tree over them.
//!
//! A leaf commits to one node's **cumulative** reward: `(node, cumulative_amount)`. Every
//! epoch's tree holds every node's lifetime total, so one proof against any recent root pays
//! everything owed, and an older root can only pay less.
//!
//! Hashing: `leaf = H(0x00 · "depin-kit" · VERSION · KIND_REWARD_LEAF · node · amount_le)`,
//! `parent = H(0x01 · min(a, b) · max(a, b))`. The prefixes keep a leaf from ever passing
//! as an inner node (and back); ordering each pair makes proofs direction-free, so a proof
//! is just the list of siblings. A level with an odd count lifts its last node unchanged
//! (no duplication, so no two leaf lists share a root by repeating an element).
use crate::attestation::{DOMAIN, VERSION};
use crate::sha256::Sha256;

/// Message kind of a reward leaf (after the attestation, consent, receipt and report kinds).
pub const KIND_REWARD_LEAF: u8 = 5;
/// Prefix of leaf hashes.
pub const LEAF_PREFIX: u8 = 0x00;
/// Prefix of inner-node hashes.
pub const NODE_PREFIX: u8 = 0x01;
/// Deepest proof accepted: 2^32 leaves, far beyond any network.
pub const MAX_PROOF_DEPTH: usize = 32;

pub type Hash = [u8; 32];

/// The leaf for `node`'s cumulative reward.
pub fn reward_leaf<H: Sha256>(node: &[u8; 32], cumulative_amount: u64) -> Hash {
    H::hashv(&[
        &[LEAF_PREFIX],
        DOMAIN,
        &[VERSION, KIND_REWARD_LEAF],
        node,
        &cumulative_amount.to_le_bytes(),
    ])
}

/// The parent of two nodes, independent of their order.
pub fn hash_pair<H: Sha256>(a: &Hash, b: &Hash) -> Hash {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    H::hashv(&[&[NODE_PREFIX], lo, hi])
}

/// Whether `proof` (the siblings from the leaf up) leads from `leaf` to `root`.
pub fn verify<H: Sha256>(root: &Hash, leaf: &Hash, proof: &[Hash]) -> bool {
    if proof.len() > MAX_PROOF_DEPTH {
        return false;
    }
    let mut at = *leaf;
    for sibling in proof {
        at = hash_pair::<H>(&at, sibling);
    }
    at == *root
}

/// [`verify`] for siblings packed as bytes, 32 each (as `claim` receives them): false
/// unless the length is a whole number of hashes, at most [`MAX_PROOF_DEPTH`].
pub fn verify_packed<H: Sha256>(root: &Hash, leaf: &Hash, proof: &[u8]) -> bool {
    if !proof.len().is_multiple_of(32) || proof.len() / 32 > MAX_PROOF_DEPTH {
        return false;
    }
    let mut at = *leaf;
    for chunk in proof.chunks_exact(32) {
        let mut sibling = [0u8; 32];
        sibling.copy_from_slice(chunk);
        at = hash_pair::<H>(&at, &sibling);
    }
    at == *root
}

/// Siblings packed for [`verify_packed`] (and `claim`'s `proof` argument).
#[cfg(feature = "std")]
pub fn pack_proof(proof: &[Hash]) -> Vec<u8> {
    proof.concat()
}

/// A whole tree, built off chain (oracles, clients, tests).
#[cfg(feature = "std")]
pub struct MerkleTree {
    /// `levels[0]` are the leaves, the last level holds the root.
    levels: Vec<Vec<Hash>>,
}

#[cfg(feature = "std")]
impl MerkleTree {
    /// A tree over `leaves` in the given order; `None` for no leaves.
    pub fn new<H: Sha256>(leaves: Vec<Hash>) -> Option<Self> {
        if leaves.is_empty() {
            return None;
        }
        let mut levels = vec![leaves];
        while levels.last().is_some_and(|l| l.len() > 1) {
            let below = levels.last()?;
            let mut up = Vec::with_capacity(below.len().div_ceil(2));
            for pair in below.chunks(2) {
                up.push(match pair {
                    [a, b] => hash_pair::<H>(a, b),
                    [a] => *a,
                    _ => return None,
                });
            }
            levels.push(up);
        }
        Some(MerkleTree { levels })
    }

    pub fn root(&self) -> Hash {
        self.levels
            .last()
            .and_then(|l| l.first())
            .copied()
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.levels.first().map_or(0, Vec::len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Siblings from leaf `index` up to the root; `None` past the last leaf.
    pub fn proof(&self, index: usize) -> Option<Vec<Hash>> {
        if index >= self.len() {
            return None;
        }
        let mut proof = vec![];
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            let sibling = i ^ 1;
            // a lifted last node has no sibling on this level
            if let Some(s) = level.get(sibling) {
                proof.push(*s);
            }
            i /= 2;
        }
        Some(proof)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha256::Soft;
    use proptest::prelude::*;

    fn leaves(amounts: &[u64]) -> Vec<Hash> {
        amounts
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut node = [0u8; 32];
                node[..8].copy_from_slice(&(i as u64).to_le_bytes());
                reward_leaf::<Soft>(&node, *a)
            })
            .collect()
    }

    #[test]
    fn small_trees() {
        let l = leaves(&[5]);
        let t = MerkleTree::new::<Soft>(l.clone()).unwrap();
        assert_eq!(t.root(), l[0]);
        assert_eq!(t.proof(0).unwrap(), Vec::<Hash>::new());
        assert!(MerkleTree::new::<Soft>(vec![]).is_none());
        let l = leaves(&[1, 2, 3]);
        let t = MerkleTree::new::<Soft>(l.clone()).unwrap();
        let left = hash_pair::<Soft>(&l[0], &l[1]);
        assert_eq!(t.root(), hash_pair::<Soft>(&left, &l[2]));
        assert_eq!(t.proof(2).unwrap(), vec![left]);
        assert!(t.proof(3).is_none());
        // a leaf never passes as a parent: the prefixes differ
        assert_ne!(
            reward_leaf::<Soft>(&[0; 32], 0),
            hash_pair::<Soft>(&[0; 32], &[0; 32])
        );
    }

    #[test]
    fn over_deep_proofs_are_refused() {
        let leaf = [1u8; 32];
        let proof = vec![[2u8; 32]; MAX_PROOF_DEPTH + 1];
        let mut root = leaf;
        for s in &proof {
            root = hash_pair::<Soft>(&root, s);
        }
        assert!(!verify::<Soft>(&root, &leaf, &proof));
        assert!(verify::<Soft>(&root, &leaf, &proof[..0]) == (root == leaf));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(10_000))]
        // Every proof verifies; a changed leaf, another index or a changed root never does.
        #[test]
        fn proofs_verify_and_nothing_else_does(
            amounts in proptest::collection::vec(any::<u64>(), 1..40),
            pick in any::<usize>(),
            other in any::<usize>(),
            flip in any::<(u8, u8)>(),
        ) {
            let l = leaves(&amounts);
            let t = MerkleTree::new::<Soft>(l.clone()).unwrap();
            let root = t.root();
            let i = pick % l.len();
            let proof = t.proof(i).unwrap();
            prop_assert!(verify::<Soft>(&root, &l[i], &proof));
            // packed as `claim` receives it: the same answer; a torn hash never verifies
            let packed = pack_proof(&proof);
            prop_assert!(verify_packed::<Soft>(&root, &l[i], &packed));
            if !packed.is_empty() {
                prop_assert!(!verify_packed::<Soft>(&root, &l[i], &packed[..packed.len() - 1]));
            }
            // the same node with another amount
            let mut node = [0u8; 32];
            node[..8].copy_from_slice(&(i as u64).to_le_bytes());
            let changed = reward_leaf::<Soft>(&node, amounts[i].wrapping_add(1));
            prop_assert!(!verify::<Soft>(&root, &changed, &proof));
            // another index's leaf with this proof (leaves are distinct: different nodes)
            let j = other % l.len();
            if j != i {
                prop_assert!(!verify::<Soft>(&root, &l[j], &proof));
            }
            // a root with one bit flipped
            let mut bad_root = root;
            bad_root[usize::from(flip.0) % 32] ^= 1 << (flip.1 % 8);
            prop_assert!(!verify::<Soft>(&bad_root, &l[i], &proof));
        }
    }
}
