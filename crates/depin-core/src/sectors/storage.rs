//! Proof of storage: a node commits the merkle root of its data's chunks and the data's
//! size; each epoch its challenge names chunks, and it answers with each chunk and its
//! path. The tree is positional (the index's bits choose left or right) with empty leaves
//! of zero, so a path proves the chunk at exactly the challenged index of a tree exactly as
//! deep as the committed size needs.
//!
//! `leaf = H(0x00 · "depin-kit" · VERSION · KIND_STORAGE_CHUNK · chunk)`,
//! `parent = H(0x01 · left · right)`.
use super::{device_challenge, index_below, Hash, Sector};
use crate::attestation::{DOMAIN, VERSION};
use crate::sha256::Sha256;

/// Hash kind of a storage chunk leaf.
pub const KIND_STORAGE_CHUNK: u8 = 18;
/// Deepest tree accepted: 2^40 chunks.
pub const MAX_DEPTH: u32 = 40;
/// Most chunks one epoch's challenge may name per node (challenge indices `0..MAX_CHALLENGES`).
pub const MAX_CHALLENGES: u32 = 64;

pub fn chunk_leaf<H: Sha256>(chunk: &[u8]) -> Hash {
    H::hashv(&[&[0x00], DOMAIN, &[VERSION, KIND_STORAGE_CHUNK], chunk])
}

pub fn parent<H: Sha256>(left: &Hash, right: &Hash) -> Hash {
    H::hashv(&[&[0x01], left, right])
}

/// Chunks of `size_bytes` bytes cut in `chunk_bytes` pieces (the last one may be short).
pub fn chunk_count(size_bytes: u64, chunk_bytes: u32) -> u64 {
    if chunk_bytes == 0 {
        return 0;
    }
    size_bytes.div_ceil(u64::from(chunk_bytes))
}

/// Depth of the tree over `chunks` leaves: the smallest `d` with `2^d ≥ chunks`.
pub fn depth_for(chunks: u64) -> u32 {
    if chunks <= 1 {
        return 0;
    }
    64 - (chunks - 1).leading_zeros()
}

/// Whether `proof` (siblings from the leaf up) leads from `leaf` at `index` to `root` in a
/// tree of `depth` levels.
pub fn verify_path<H: Sha256>(
    root: &Hash,
    leaf: &Hash,
    index: u64,
    proof: &[Hash],
    depth: u32,
) -> bool {
    if depth > MAX_DEPTH || proof.len() != depth as usize || (depth < 64 && index >> depth != 0) {
        return false;
    }
    let mut at = *leaf;
    for (level, sibling) in proof.iter().enumerate() {
        at = if (index >> level) & 1 == 0 {
            parent::<H>(&at, sibling)
        } else {
            parent::<H>(sibling, &at)
        };
    }
    at == *root
}

/// Challenged chunk `i` of `count` for `device` in the epoch of `seed`: an index below
/// `chunks`.
pub fn challenged_chunk<H: Sha256>(seed: &Hash, device: &[u8; 32], chunks: u64, i: u32) -> u64 {
    index_below(
        &device_challenge::<H>(seed, device, Sector::Storage, i),
        chunks,
    )
}

/// Why a storage answer does not count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StorageRejection {
    /// An answer for another chunk than the challenge named.
    WrongChunk,
    /// The chunk and path do not lead to the committed root.
    WrongPath,
    /// Fewer answers than challenges.
    Missing,
}

impl StorageRejection {
    pub fn name(self) -> &'static str {
        match self {
            StorageRejection::WrongChunk => "wrong_chunk",
            StorageRejection::WrongPath => "wrong_chunk_path",
            StorageRejection::Missing => "missing_chunk",
        }
    }
}

#[cfg(feature = "std")]
pub use tree::StorageTree;

#[cfg(feature = "std")]
mod tree {
    use super::*;
    extern crate std;
    use std::vec::Vec;

    /// A node's chunk tree, to commit and answer from (off chain).
    pub struct StorageTree {
        /// Levels from the leaves up; each padded with zero leaves to the full width.
        levels: Vec<Vec<Hash>>,
    }

    impl StorageTree {
        pub fn new<H: Sha256>(data: &[u8], chunk_bytes: u32) -> Option<Self> {
            if chunk_bytes == 0 {
                return None;
            }
            let leaves: Vec<Hash> = data
                .chunks(chunk_bytes as usize)
                .map(chunk_leaf::<H>)
                .collect();
            Self::from_leaves::<H>(leaves)
        }

        pub fn from_leaves<H: Sha256>(mut leaves: Vec<Hash>) -> Option<Self> {
            let depth = depth_for(leaves.len() as u64);
            if depth > MAX_DEPTH || leaves.is_empty() {
                return None;
            }
            leaves.resize(1usize << depth, [0u8; 32]);
            let mut levels = std::vec![leaves];
            while let Some(last) = levels.last() {
                if last.len() == 1 {
                    break;
                }
                let up: Vec<Hash> = last.chunks(2).map(|p| parent::<H>(&p[0], &p[1])).collect();
                levels.push(up);
            }
            Some(StorageTree { levels })
        }

        pub fn root(&self) -> Hash {
            self.levels
                .last()
                .and_then(|l| l.first())
                .copied()
                .unwrap_or([0u8; 32])
        }

        pub fn depth(&self) -> u32 {
            (self.levels.len() - 1) as u32
        }

        pub fn proof(&self, index: u64) -> Option<Vec<Hash>> {
            let mut out = Vec::with_capacity(self.levels.len());
            let mut i = usize::try_from(index).ok()?;
            for level in &self.levels[..self.levels.len() - 1] {
                out.push(*level.get(i ^ 1)?);
                i >>= 1;
            }
            Some(out)
        }
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;
    use crate::sha256::Soft;
    use proptest::prelude::*;

    #[test]
    fn depths() {
        assert_eq!(depth_for(0), 0);
        assert_eq!(depth_for(1), 0);
        assert_eq!(depth_for(2), 1);
        assert_eq!(depth_for(3), 2);
        assert_eq!(depth_for(1 << 20), 20);
        assert_eq!(depth_for((1 << 20) + 1), 21);
        assert_eq!(chunk_count(10, 4), 3);
        assert_eq!(chunk_count(0, 4), 0);
        assert_eq!(chunk_count(10, 0), 0);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// An honest node's every challenged chunk verifies; changing any byte of the
        /// chunk or the path, or answering with another index, fails it.
        #[test]
        fn honest_answers_pass_and_any_change_fails(
            data in proptest::collection::vec(any::<u8>(), 1..2_000),
            chunk in 1u32..97,
            seed in any::<[u8; 32]>(),
            flip in any::<(usize, u8)>(),
        ) {
            let t = StorageTree::new::<Soft>(&data, chunk).unwrap();
            let chunks = chunk_count(data.len() as u64, chunk);
            prop_assert_eq!(t.depth(), depth_for(chunks));
            let device = [5u8; 32];
            for i in 0..4 {
                let idx = challenged_chunk::<Soft>(&seed, &device, chunks, i);
                prop_assert!(idx < chunks);
                let start = (idx * u64::from(chunk)) as usize;
                let bytes = &data[start..(start + chunk as usize).min(data.len())];
                let proof = t.proof(idx).unwrap();
                let leaf = chunk_leaf::<Soft>(bytes);
                prop_assert!(verify_path::<Soft>(&t.root(), &leaf, idx, &proof, t.depth()));
                // a changed byte of the chunk
                let mut bad = bytes.to_vec();
                let at = flip.0 % bad.len();
                bad[at] ^= flip.1 | 1;
                prop_assert!(!verify_path::<Soft>(&t.root(), &chunk_leaf::<Soft>(&bad), idx, &proof, t.depth()));
                // a changed byte of the path
                if !proof.is_empty() {
                    let mut p = proof.clone();
                    let j = flip.0 % p.len();
                    p[j][flip.0 % 32] ^= flip.1 | 1;
                    prop_assert!(!verify_path::<Soft>(&t.root(), &leaf, idx, &p, t.depth()));
                    // the same chunk claimed at another index (unless its neighbour holds
                    // the very same bytes, when both positions are true)
                    if proof[0] != leaf {
                        let other = idx ^ 1;
                        prop_assert!(!verify_path::<Soft>(&t.root(), &leaf, other, &proof, t.depth()));
                    }
                }
                // a path of another depth
                prop_assert!(!verify_path::<Soft>(&t.root(), &leaf, idx, &proof, t.depth() + 1));
            }
        }
    }
}
