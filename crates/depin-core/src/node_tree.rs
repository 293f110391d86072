//! The compressed registry's tree (issue 13): nodes as leaves of an *indexed* merkle tree.
//!
//! Every leaf carries its device key and a link to the leaf with the next larger key, so
//! the leaves form a sorted list inside the tree. One proof of the leaf that would come
//! just before a key (its *low leaf*: smaller key, next key larger or the end) shows the
//! key is absent, which is what keeps one node per device on chain without an account per
//! device. An insert touches two leaves: the low leaf's link is set to the new key (a
//! replace with that proof) and the new leaf, which takes over the old link, is appended.
//!
//! Leaf 0 is a sentinel (key zero, the start of the list), so every real key has a low
//! leaf; key zero is reserved. Inner nodes are `hashv([left, right])`, bit `i` of a leaf's
//! index picks its side at level `i`, and an empty leaf is 32 zero bytes: the conventions of
//! `spl-concurrent-merkle-tree` (its `recompute` and `empty_node`), so that crate's tree
//! account and [`IndexedTree`] built with the same hash (keccak there) give the same roots
//! and proofs. A test against the crate itself comes with the program side.
//!
//! The leaf rules and path checks are allocation-free (they run on chain); the whole tree
//! ([`IndexedTree`], for the client, the indexer and benchmarks) needs `std`.

/// A 32-byte hash.
pub type Hash = [u8; 32];

/// The hash of the tree: inner nodes are `hashv(&[left, right])`, leaves [`NodeLeaf::hash`].
/// Programs implement it with a syscall, the client in software.
pub trait TreeHasher {
    fn hashv(parts: &[&[u8]]) -> Hash;
}

impl TreeHasher for crate::sha256::Soft {
    fn hashv(parts: &[&[u8]]) -> Hash {
        <crate::sha256::Soft as crate::sha256::Sha256>::hashv(parts)
    }
}

/// Deepest tree supported: 2^30 leaves, and a leaf index always fits `u32`.
pub const MAX_DEPTH: usize = 30;

/// Domain of a leaf's hash, so a leaf can never be read as an inner node or as another
/// structure's leaf.
pub const LEAF_DOMAIN: &[u8] = b"depin-kit node leaf v1";

/// The empty leaf (never a real leaf's hash: those are hashes of [`LEAF_DOMAIN`]…).
pub const EMPTY_LEAF: Hash = [0u8; 32];

/// The reserved key of the sentinel; also the `next_device` of the list's last leaf.
pub const NO_DEVICE: [u8; 32] = [0u8; 32];

/// Why a tree operation was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeError {
    /// The key is already a leaf of the tree.
    AlreadyRegistered,
    /// The leaf given is not the key's low leaf (stale, or another position).
    NotTheLowLeaf,
    /// Key zero belongs to the sentinel.
    ReservedDevice,
    /// Every leaf of the tree is taken.
    TreeFull,
    /// Depth outside 1..=[`MAX_DEPTH`].
    BadDepth,
    /// No leaf at that index.
    NoSuchLeaf,
}

/// One leaf: a device key, the link to the next larger key, and the node's data (a hash
/// of everything else the registry keeps about the node: owner, maker, class, capacity,
/// location, status, standing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NodeLeaf {
    pub device: [u8; 32],
    /// The next larger key in the tree, or [`NO_DEVICE`] at the end of the list.
    pub next_device: [u8; 32],
    /// The leaf index of `next_device` (0 at the end).
    pub next_index: u32,
    pub data: Hash,
}

impl NodeLeaf {
    /// Leaf 0: key zero, linked to nothing yet.
    pub const SENTINEL: NodeLeaf = NodeLeaf {
        device: NO_DEVICE,
        next_device: NO_DEVICE,
        next_index: 0,
        data: [0u8; 32],
    };

    pub fn hash<H: TreeHasher>(&self) -> Hash {
        H::hashv(&[
            LEAF_DOMAIN,
            &self.device,
            &self.next_device,
            &self.next_index.to_le_bytes(),
            &self.data,
        ])
    }

    /// Whether this leaf is the last of the sorted list.
    pub fn is_end(&self) -> bool {
        self.next_device == NO_DEVICE
    }

    /// Whether `device` would sit right after this leaf: this key is smaller and the next
    /// one larger (or there is none). Proven in the tree, this shows `device` is absent.
    pub fn covers(&self, device: &[u8; 32]) -> bool {
        self.device < *device && (self.is_end() || *device < self.next_device)
    }

    /// The same node with other data (status, owner, location… changed); key and link
    /// stay, so the list is untouched.
    pub fn with_data(&self, data: Hash) -> NodeLeaf {
        NodeLeaf { data, ..*self }
    }
}

/// An insert of `device` with `data` at leaf `new_index`, checked against its low leaf:
/// the low leaf as it becomes, and the new leaf to append.
pub fn insert(
    low: &NodeLeaf,
    device: &[u8; 32],
    new_index: u32,
    data: Hash,
) -> Result<(NodeLeaf, NodeLeaf), TreeError> {
    if *device == NO_DEVICE {
        return Err(TreeError::ReservedDevice);
    }
    if low.device == *device || (!low.is_end() && low.next_device == *device) {
        return Err(TreeError::AlreadyRegistered);
    }
    if !low.covers(device) {
        return Err(TreeError::NotTheLowLeaf);
    }
    let new_low = NodeLeaf {
        next_device: *device,
        next_index: new_index,
        ..*low
    };
    let new_leaf = NodeLeaf {
        device: *device,
        next_device: low.next_device,
        next_index: low.next_index,
        data,
    };
    Ok((new_low, new_leaf))
}

/// The root a leaf hash and its proof (siblings from the leaf up) lead to; bit `i` of
/// `index` says whether the node is the right child at level `i`.
pub fn root_from_path<H: TreeHasher>(leaf: &Hash, index: u32, proof: &[Hash]) -> Hash {
    let mut node = *leaf;
    for (level, sibling) in proof.iter().enumerate() {
        // past bit 31 the index has no more bits: left child (no shift overflow)
        let right = u32::try_from(level)
            .ok()
            .and_then(|l| index.checked_shr(l))
            .is_some_and(|i| i & 1 == 1);
        node = if !right {
            H::hashv(&[&node, sibling])
        } else {
            H::hashv(&[sibling, &node])
        };
    }
    node
}

/// Whether `leaf` is at `index` under `root`. The proof must be exactly `depth` long and
/// the index inside the tree.
pub fn verify_path<H: TreeHasher>(
    root: &Hash,
    leaf: &Hash,
    index: u32,
    proof: &[Hash],
    depth: usize,
) -> bool {
    proof.len() == depth
        && depth <= MAX_DEPTH
        && u64::from(index) < (1u64 << depth)
        && root_from_path::<H>(leaf, index, proof) == *root
}

/// The root of an empty tree of `depth` levels (every leaf [`EMPTY_LEAF`]).
pub fn empty_root<H: TreeHasher>(depth: usize) -> Hash {
    let mut node = EMPTY_LEAF;
    for _ in 0..depth.min(MAX_DEPTH) {
        node = H::hashv(&[&node, &node]);
    }
    node
}

/// Nodes a canopy of `canopy_depth` levels holds: 2 + 4 + … + 2^canopy_depth.
///
/// The canopy keeps the top levels of the tree (below the root) in the tree account, so a
/// transaction carries only the lower `depth - canopy_depth` siblings of a proof. It is
/// stored level by level from the top: the 2 children of the root, then their 4, and so on.
pub const fn canopy_len(canopy_depth: usize) -> usize {
    (1usize << (canopy_depth + 1)) - 2
}

/// Where the canopy keeps the node at `height` (0 = leaves) and `position` along its level.
fn canopy_slot(depth: usize, canopy_depth: usize, height: usize, position: u64) -> Option<usize> {
    let from_top = depth.checked_sub(height)?;
    if from_top == 0 || from_top > canopy_depth {
        return None;
    }
    let position = usize::try_from(position).ok()?;
    ((1usize << from_top) - 2).checked_add(position)
}

fn canopy_shape_ok(canopy: &[Hash], depth: usize, canopy_depth: usize) -> bool {
    depth <= MAX_DEPTH && canopy_depth < depth && canopy.len() == canopy_len(canopy_depth)
}

/// Copies into `canopy` the nodes it holds of a changed leaf's path: `path[h]` is the node
/// at height `h` above leaf `index` (`path[0]` the leaf), as the tree's changelog records
/// it. False if the shape is bad.
pub fn update_canopy(
    canopy: &mut [Hash],
    depth: usize,
    canopy_depth: usize,
    index: u32,
    path: &[Hash],
) -> bool {
    if !canopy_shape_ok(canopy, depth, canopy_depth) || path.len() != depth {
        return false;
    }
    for (height, node) in path.iter().enumerate().skip(depth - canopy_depth) {
        match canopy_slot(depth, canopy_depth, height, u64::from(index) >> height) {
            Some(slot) if slot < canopy.len() => canopy[slot] = *node,
            _ => return false,
        }
    }
    true
}

/// Fills the top `canopy_depth` siblings of leaf `index`'s proof (`proof[depth -
/// canopy_depth..]`) from the canopy; the caller supplies the lower ones. A canopy starts
/// zeroed: a zero node was never written, so it is the empty subtree of its height,
/// `empty_nodes[height]`. False if the shape is bad.
pub fn proof_from_canopy(
    canopy: &[Hash],
    depth: usize,
    canopy_depth: usize,
    index: u32,
    proof: &mut [Hash],
    empty_nodes: &[Hash],
) -> bool {
    if !canopy_shape_ok(canopy, depth, canopy_depth)
        || proof.len() != depth
        || empty_nodes.len() < depth
    {
        return false;
    }
    for (height, sibling) in proof.iter_mut().enumerate().skip(depth - canopy_depth) {
        match canopy_slot(
            depth,
            canopy_depth,
            height,
            (u64::from(index) >> height) ^ 1,
        ) {
            Some(slot) if slot < canopy.len() => {
                let node = canopy[slot];
                *sibling = if node == EMPTY_LEAF {
                    empty_nodes[height]
                } else {
                    node
                };
            }
            _ => return false,
        }
    }
    true
}

#[cfg(feature = "std")]
pub use tree::{IndexedTree, Insertion, Replacement};

#[cfg(feature = "std")]
mod tree {
    use super::*;
    use std::collections::BTreeMap;
    use std::marker::PhantomData;

    /// An insert as the program sees it: the low leaf before and its proof at the root
    /// before, and what the tree holds after.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Insertion {
        pub root_before: Hash,
        pub low_index: u32,
        pub low_before: NodeLeaf,
        pub low_proof: Vec<Hash>,
        pub low_after: NodeLeaf,
        pub new_index: u32,
        pub new_leaf: NodeLeaf,
        pub root_after: Hash,
    }

    /// A leaf replaced in place (status, owner, location…): the leaf before and its proof.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct Replacement {
        pub root_before: Hash,
        pub index: u32,
        pub before: NodeLeaf,
        pub proof: Vec<Hash>,
        pub after: NodeLeaf,
        pub root_after: Hash,
    }

    /// The whole tree in memory: every leaf, every level of hashes (only the filled part;
    /// the rest is the empty subtree of its level), and the keys' positions.
    pub struct IndexedTree<H: TreeHasher> {
        depth: usize,
        leaves: Vec<NodeLeaf>,
        /// `levels[0]` are the leaf hashes, `levels[depth]` the root (once there is a leaf).
        levels: Vec<Vec<Hash>>,
        /// The empty subtree's hash at each level.
        empty: Vec<Hash>,
        by_device: BTreeMap<[u8; 32], u32>,
        hasher: PhantomData<H>,
    }

    impl<H: TreeHasher> IndexedTree<H> {
        /// A tree of `depth` levels holding the sentinel at leaf 0.
        pub fn new(depth: usize) -> Result<Self, TreeError> {
            if depth == 0 || depth > MAX_DEPTH {
                return Err(TreeError::BadDepth);
            }
            let mut empty = Vec::with_capacity(depth + 1);
            empty.push(EMPTY_LEAF);
            for level in 0..depth {
                let e = empty[level];
                empty.push(H::hashv(&[&e, &e]));
            }
            let mut t = IndexedTree {
                depth,
                leaves: vec![],
                levels: vec![vec![]; depth + 1],
                empty,
                by_device: BTreeMap::new(),
                hasher: PhantomData,
            };
            t.append(NodeLeaf::SENTINEL)?;
            Ok(t)
        }

        pub fn depth(&self) -> usize {
            self.depth
        }

        /// Leaves in use, the sentinel included.
        pub fn len(&self) -> usize {
            self.leaves.len()
        }

        /// Never true: the sentinel is always there.
        pub fn is_empty(&self) -> bool {
            self.leaves.is_empty()
        }

        pub fn capacity(&self) -> u64 {
            1u64 << self.depth
        }

        pub fn root(&self) -> Hash {
            self.node(self.depth, 0)
        }

        pub fn leaf(&self, index: u32) -> Option<&NodeLeaf> {
            self.leaves.get(index as usize)
        }

        /// The leaf index of `device`, if it is in the tree.
        pub fn find(&self, device: &[u8; 32]) -> Option<u32> {
            if *device == NO_DEVICE {
                return None;
            }
            self.by_device.get(device).copied()
        }

        /// The index of the leaf that covers an absent `device` (the largest key below it,
        /// the sentinel if none); `None` if `device` is present or reserved.
        pub fn low_leaf(&self, device: &[u8; 32]) -> Option<u32> {
            if *device == NO_DEVICE || self.by_device.contains_key(device) {
                return None;
            }
            Some(
                self.by_device
                    .range(..*device)
                    .next_back()
                    .map_or(0, |(_, i)| *i),
            )
        }

        /// The nodes on leaf `index`'s path from the leaf up (`depth` of them, the root
        /// excluded): what the on-chain tree records in its changelog for a write there.
        pub fn path(&self, index: u32) -> Option<Vec<Hash>> {
            if u64::from(index) >= self.capacity() {
                return None;
            }
            Some(
                (0..self.depth)
                    .map(|level| self.node(level, (index as usize) >> level))
                    .collect(),
            )
        }

        /// The canopy of `canopy_depth` levels a tree account of this tree holds.
        pub fn canopy(&self, canopy_depth: usize) -> Option<Vec<Hash>> {
            if canopy_depth >= self.depth {
                return None;
            }
            let mut out = Vec::with_capacity(canopy_len(canopy_depth));
            for from_top in 1..=canopy_depth {
                let level = self.depth - from_top;
                out.extend((0..1usize << from_top).map(|p| self.node(level, p)));
            }
            Some(out)
        }

        /// Siblings of leaf `index` from the leaf up (`depth` of them).
        pub fn proof(&self, index: u32) -> Option<Vec<Hash>> {
            if u64::from(index) >= self.capacity() {
                return None;
            }
            Some(
                (0..self.depth)
                    .map(|level| self.node(level, ((index as usize) >> level) ^ 1))
                    .collect(),
            )
        }

        /// Inserts `device` with `data` after its low leaf.
        pub fn insert(&mut self, device: &[u8; 32], data: Hash) -> Result<Insertion, TreeError> {
            if *device == NO_DEVICE {
                return Err(TreeError::ReservedDevice);
            }
            if self.by_device.contains_key(device) {
                return Err(TreeError::AlreadyRegistered);
            }
            if self.leaves.len() as u64 >= self.capacity() {
                return Err(TreeError::TreeFull);
            }
            let low_index = self.low_leaf(device).ok_or(TreeError::NotTheLowLeaf)?;
            let low_before = self.leaves[low_index as usize];
            let new_index = self.leaves.len() as u32;
            let (low_after, new_leaf) = insert(&low_before, device, new_index, data)?;
            let root_before = self.root();
            let low_proof = self.proof(low_index).ok_or(TreeError::NoSuchLeaf)?;
            self.set(low_index, low_after);
            self.append(new_leaf)?;
            Ok(Insertion {
                root_before,
                low_index,
                low_before,
                low_proof,
                low_after,
                new_index,
                new_leaf,
                root_after: self.root(),
            })
        }

        /// Replaces leaf `index`'s data (key and link stay).
        pub fn update(&mut self, index: u32, data: Hash) -> Result<Replacement, TreeError> {
            let before = *self.leaf(index).ok_or(TreeError::NoSuchLeaf)?;
            if index == 0 {
                // the sentinel has no node
                return Err(TreeError::ReservedDevice);
            }
            let root_before = self.root();
            let proof = self.proof(index).ok_or(TreeError::NoSuchLeaf)?;
            let after = before.with_data(data);
            self.set(index, after);
            Ok(Replacement {
                root_before,
                index,
                before,
                proof,
                after,
                root_after: self.root(),
            })
        }

        /// Writes a leaf as a replay of the chain does (the indexer): `index` at or below
        /// the next free one; the key map follows.
        pub fn put(&mut self, index: u32, leaf: NodeLeaf) -> Result<(), TreeError> {
            let i = index as usize;
            match i.cmp(&self.leaves.len()) {
                std::cmp::Ordering::Less => {
                    let old = self.leaves[i];
                    if old.device != leaf.device {
                        self.by_device.remove(&old.device);
                    }
                    if leaf.device != NO_DEVICE {
                        self.by_device.insert(leaf.device, index);
                    }
                    self.set(index, leaf);
                    Ok(())
                }
                std::cmp::Ordering::Equal => self.append(leaf),
                std::cmp::Ordering::Greater => Err(TreeError::NoSuchLeaf),
            }
        }

        fn append(&mut self, leaf: NodeLeaf) -> Result<(), TreeError> {
            if self.leaves.len() as u64 >= self.capacity() {
                return Err(TreeError::TreeFull);
            }
            let index = self.leaves.len() as u32;
            if leaf.device != NO_DEVICE {
                self.by_device.insert(leaf.device, index);
            }
            self.leaves.push(leaf);
            self.levels[0].push(EMPTY_LEAF);
            self.set(index, leaf);
            Ok(())
        }

        /// The hash at `level`, position `pos` (the empty subtree's past the filled part).
        fn node(&self, level: usize, pos: usize) -> Hash {
            self.levels[level]
                .get(pos)
                .copied()
                .unwrap_or(self.empty[level])
        }

        /// Sets leaf `index` and recomputes its path.
        fn set(&mut self, index: u32, leaf: NodeLeaf) {
            let mut pos = index as usize;
            self.leaves[pos] = leaf;
            self.levels[0][pos] = leaf.hash::<H>();
            for level in 0..self.depth {
                let left = self.node(level, pos & !1);
                let right = self.node(level, pos | 1);
                let parent = H::hashv(&[&left, &right]);
                pos >>= 1;
                let row = &mut self.levels[level + 1];
                if pos < row.len() {
                    row[pos] = parent;
                } else {
                    row.push(parent);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sha256::Soft;
    use proptest::prelude::*;

    type Tree = IndexedTree<Soft>;

    fn key(b: u8) -> [u8; 32] {
        let mut k = [0u8; 32];
        k[0] = b;
        k[31] = 1;
        k
    }

    /// The root from every leaf hash, level by level: what the incremental tree must equal.
    fn naive_root(t: &Tree) -> Hash {
        let mut row: Vec<Hash> = (0..t.capacity() as u32)
            .map(|i| t.leaf(i).map_or(EMPTY_LEAF, |l| l.hash::<Soft>()))
            .collect();
        while row.len() > 1 {
            row = row
                .chunks(2)
                .map(|p| <Soft as TreeHasher>::hashv(&[&p[0], &p[1]]))
                .collect();
        }
        row[0]
    }

    /// Devices in list order, following the links from the sentinel.
    fn walk(t: &Tree) -> Vec<[u8; 32]> {
        let mut out = vec![];
        let mut at = *t.leaf(0).unwrap();
        while !at.is_end() {
            let next = *t.leaf(at.next_index).unwrap();
            assert_eq!(next.device, at.next_device, "a link names the wrong leaf");
            out.push(next.device);
            at = next;
            assert!(out.len() <= t.len(), "the list loops");
        }
        out
    }

    #[test]
    fn empty_tree_matches_the_empty_root_but_for_the_sentinel() {
        let t = Tree::new(3).unwrap();
        assert_eq!(t.len(), 1);
        assert_ne!(t.root(), empty_root::<Soft>(3));
        assert_eq!(t.root(), naive_root(&t));
        assert!(matches!(Tree::new(0), Err(TreeError::BadDepth)));
        assert!(matches!(Tree::new(MAX_DEPTH + 1), Err(TreeError::BadDepth)));
    }

    #[test]
    fn insert_links_and_refuses_duplicates_and_the_reserved_key() {
        let mut t = Tree::new(3).unwrap();
        let a = t.insert(&key(5), [1; 32]).unwrap();
        assert_eq!((a.low_index, a.new_index), (0, 1));
        let b = t.insert(&key(2), [2; 32]).unwrap();
        assert_eq!(b.low_index, 0, "2 sits between the sentinel and 5");
        assert_eq!(b.new_leaf.next_device, key(5));
        let c = t.insert(&key(9), [3; 32]).unwrap();
        assert_eq!(c.low_index, 1, "9 sits after 5");
        assert_eq!(walk(&t), [key(2), key(5), key(9)]);
        let root = t.root();
        assert_eq!(
            t.insert(&key(5), [9; 32]),
            Err(TreeError::AlreadyRegistered)
        );
        assert_eq!(
            t.insert(&NO_DEVICE, [9; 32]),
            Err(TreeError::ReservedDevice)
        );
        assert_eq!(t.root(), root, "a refused insert changes nothing");
        // the rule alone, as the program applies it to a proven low leaf
        let s = *t.leaf(0).unwrap();
        assert_eq!(
            insert(&s, &key(2), 7, [0; 32]),
            Err(TreeError::AlreadyRegistered),
            "the sentinel links to 2: 2 is present"
        );
        assert_eq!(
            insert(&s, &key(7), 7, [0; 32]),
            Err(TreeError::NotTheLowLeaf)
        );
        let five = *t.leaf(1).unwrap();
        assert_eq!(
            insert(&five, &key(5), 7, [0; 32]),
            Err(TreeError::AlreadyRegistered)
        );
        assert!(insert(&five, &key(7), 7, [0; 32]).is_ok());
    }

    #[test]
    fn a_full_tree_refuses_and_updates_keep_the_list() {
        let mut t = Tree::new(2).unwrap();
        for b in [3, 1, 2] {
            t.insert(&key(b), [b; 32]).unwrap();
        }
        assert_eq!(t.insert(&key(4), [4; 32]), Err(TreeError::TreeFull));
        let i = t.find(&key(2)).unwrap();
        let r = t.update(i, [0xee; 32]).unwrap();
        assert_eq!((r.before.device, r.after.data), (key(2), [0xee; 32]));
        assert!(verify_path::<Soft>(
            &r.root_before,
            &r.before.hash::<Soft>(),
            i,
            &r.proof,
            2
        ));
        assert_eq!(
            root_from_path::<Soft>(&r.after.hash::<Soft>(), i, &r.proof),
            r.root_after
        );
        assert_eq!(walk(&t), [key(1), key(2), key(3)]);
        assert_eq!(t.update(0, [1; 32]), Err(TreeError::ReservedDevice));
        assert_eq!(t.update(9, [1; 32]), Err(TreeError::NoSuchLeaf));
    }

    #[test]
    fn long_proofs_do_not_overflow_the_index_shift() {
        let p = [[7u8; 32]; 40];
        let r = root_from_path::<Soft>(&[1; 32], u32::MAX, &p);
        // the index's 32 bits put the node on the right, every level above on the left
        let mut want = [1u8; 32];
        for (level, sibling) in p.iter().enumerate() {
            want = if level < 32 {
                <Soft as TreeHasher>::hashv(&[sibling, &want])
            } else {
                <Soft as TreeHasher>::hashv(&[&want, sibling])
            };
        }
        assert_eq!(r, want);
        assert!(
            !verify_path::<Soft>(&r, &[1; 32], u32::MAX, &p, 40),
            "deeper than MAX_DEPTH"
        );
    }

    #[test]
    fn proofs_check_index_depth_and_content() {
        let mut t = Tree::new(4).unwrap();
        t.insert(&key(1), [1; 32]).unwrap();
        let i = t.find(&key(1)).unwrap();
        let leaf = t.leaf(i).unwrap().hash::<Soft>();
        let p = t.proof(i).unwrap();
        let root = t.root();
        assert!(verify_path::<Soft>(&root, &leaf, i, &p, 4));
        assert!(
            !verify_path::<Soft>(&root, &leaf, i + 2, &p, 4),
            "another index"
        );
        assert!(
            !verify_path::<Soft>(&root, &leaf, i, &p[..3], 4),
            "short proof"
        );
        assert!(
            !verify_path::<Soft>(&root, &leaf, i + 16, &p, 4),
            "past the tree"
        );
        let forged = t.leaf(i).unwrap().with_data([2; 32]).hash::<Soft>();
        assert!(!verify_path::<Soft>(&root, &forged, i, &p, 4), "other data");
        assert!(t.proof(16).is_none());
    }

    #[test]
    fn a_replay_with_put_rebuilds_the_same_tree() {
        let mut t = Tree::new(5).unwrap();
        let mut log = vec![];
        for b in [40u8, 7, 99, 12, 63] {
            log.push(t.insert(&key(b), [b; 32]).unwrap());
        }
        let mut r = Tree::new(5).unwrap();
        for ins in &log {
            r.put(ins.low_index, ins.low_after).unwrap();
            r.put(ins.new_index, ins.new_leaf).unwrap();
        }
        assert_eq!(r.root(), t.root());
        assert_eq!(r.find(&key(63)), t.find(&key(63)));
        assert_eq!(r.put(40, NodeLeaf::SENTINEL), Err(TreeError::NoSuchLeaf));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random inserts (many repeated) and updates: the incremental root equals the
        /// naive one, every insert's proof holds at the root before and leads to the root
        /// after, absent keys have a covering low leaf proven at the root, and the list is
        /// sorted and complete.
        #[test]
        fn inserts_and_updates_keep_the_tree_sound(
            ops in prop::collection::vec((any::<u8>(), any::<u8>(), any::<bool>()), 1..40),
            probes in prop::collection::vec(any::<[u8; 32]>(), 1..8),
        ) {
            let mut t = Tree::new(6).unwrap();
            let mut present = std::collections::BTreeSet::new();
            for (b, d, is_update) in ops {
                let k = key(b);
                if is_update && present.contains(&k) {
                    let i = t.find(&k).unwrap();
                    let r = t.update(i, [d; 32]).unwrap();
                    prop_assert!(verify_path::<Soft>(&r.root_before, &r.before.hash::<Soft>(), i, &r.proof, 6));
                    prop_assert_eq!(root_from_path::<Soft>(&r.after.hash::<Soft>(), i, &r.proof), r.root_after);
                    continue;
                }
                let before = t.root();
                match t.insert(&k, [d; 32]) {
                    Ok(ins) => {
                        prop_assert!(present.insert(k));
                        prop_assert_eq!(ins.root_before, before);
                        prop_assert!(ins.low_before.covers(&k));
                        prop_assert!(verify_path::<Soft>(&before, &ins.low_before.hash::<Soft>(), ins.low_index, &ins.low_proof, 6));
                        // the program's two steps: the low leaf replaced with its proof…
                        let mid = root_from_path::<Soft>(&ins.low_after.hash::<Soft>(), ins.low_index, &ins.low_proof);
                        // …then the new leaf where the empty leaf was, at the middle root
                        let mut m = Tree::new(6).unwrap();
                        for i in 0..ins.new_index { m.put(i, *t.leaf(i).unwrap()).unwrap(); }
                        prop_assert_eq!(m.root(), mid);
                        let slot = m.proof(ins.new_index).unwrap();
                        prop_assert!(verify_path::<Soft>(&mid, &EMPTY_LEAF, ins.new_index, &slot, 6));
                        prop_assert_eq!(root_from_path::<Soft>(&ins.new_leaf.hash::<Soft>(), ins.new_index, &slot), ins.root_after);
                    }
                    Err(TreeError::AlreadyRegistered) => prop_assert!(present.contains(&k)),
                    Err(TreeError::TreeFull) => prop_assert_eq!(t.len() as u64, t.capacity()),
                    Err(e) => prop_assert!(false, "unexpected {:?}", e),
                }
                prop_assert_eq!(t.root(), naive_root(&t));
            }
            prop_assert_eq!(walk(&t), present.iter().copied().collect::<Vec<_>>());
            // the rule itself: only the key's low leaf accepts an absent key, no leaf a
            // present or reserved one
            let keys: Vec<[u8; 32]> = probes.iter().copied().chain(present.iter().copied()).chain([NO_DEVICE]).collect();
            for k in &keys {
                let low = t.low_leaf(k);
                for i in 0..t.len() as u32 {
                    let ok = insert(t.leaf(i).unwrap(), k, t.len() as u32, [0; 32]).is_ok();
                    prop_assert_eq!(ok, low == Some(i), "key {:?} at leaf {}", k, i);
                }
            }
            let root = t.root();
            for p in probes {
                if p == NO_DEVICE || present.contains(&p) {
                    prop_assert!(t.low_leaf(&p).is_none());
                    continue;
                }
                let i = t.low_leaf(&p).unwrap();
                let low = *t.leaf(i).unwrap();
                prop_assert!(low.covers(&p));
                prop_assert!(verify_path::<Soft>(&root, &low.hash::<Soft>(), i, &t.proof(i).unwrap(), 6));
            }
        }
    }

    #[test]
    fn the_canopy_follows_the_writes_and_completes_proofs() {
        let (depth, c) = (6, 3);
        let mut t = Tree::new(depth).unwrap();
        let mut empty = vec![EMPTY_LEAF];
        for _ in 0..depth {
            let e = *empty.last().unwrap();
            empty.push(<Soft as TreeHasher>::hashv(&[&e, &e]));
        }
        // the canopy as the tree account holds it: zero where never written
        let written = |canopy: &[Hash]| -> Vec<Hash> {
            let mut out = canopy.to_vec();
            for from_top in 1..=c {
                let start = (1usize << from_top) - 2;
                for n in &mut out[start..start + (1 << from_top)] {
                    if *n == EMPTY_LEAF {
                        *n = empty[depth - from_top];
                    }
                }
            }
            out
        };
        let mut canopy = vec![EMPTY_LEAF; canopy_len(c)];
        assert!(update_canopy(&mut canopy, depth, c, 0, &t.path(0).unwrap()));
        assert_eq!(written(&canopy), t.canopy(c).unwrap());
        for b in [40u8, 7, 200, 90, 3, 150, 120, 60, 250, 1] {
            let ins = t.insert(&key(b), [b; 32]).unwrap();
            for i in [ins.low_index, ins.new_index] {
                assert!(update_canopy(&mut canopy, depth, c, i, &t.path(i).unwrap()));
            }
            assert_eq!(
                written(&canopy),
                t.canopy(c).unwrap(),
                "after inserting {b}"
            );
            for i in 0..t.len() as u32 {
                let full = t.proof(i).unwrap();
                let mut proof = full.clone();
                proof[depth - c..].fill([0u8; 32]);
                assert!(proof_from_canopy(&canopy, depth, c, i, &mut proof, &empty));
                assert_eq!(proof, full);
            }
        }
        // bad shapes are refused, not indexed out of bounds
        assert!(!update_canopy(&mut canopy, depth, c, 0, &[[0u8; 32]; 5]));
        assert!(!proof_from_canopy(
            &canopy,
            depth,
            c + 1,
            0,
            &mut [[0u8; 32]; 6],
            &empty
        ));
        assert!(!proof_from_canopy(
            &canopy,
            depth,
            c,
            0,
            &mut [[0u8; 32]; 6],
            &empty[..3]
        ));
        assert_eq!(canopy_len(10), 2046);
    }
}
