//! The compressed registry's tree account: a header, an `spl-concurrent-merkle-tree`
//! (zero-copy) and a canopy, in one account owned by this program that the client creates
//! at top level (accounts over 10 KiB cannot be created by CPI).
//!
//! Layout: [`TreeHeader`] (56 bytes), the `ConcurrentMerkleTree<depth, buffer>` bytes, then
//! [`depin_core::node_tree::canopy_len`] nodes of 32 bytes. Leaves follow
//! `depin_core::node_tree` (an indexed tree: sorted device keys, linked leaves, sentinel at
//! leaf 0) with keccak, which is what the tree crate hashes with.
use crate::error::RegistryError;
use anchor_lang::prelude::*;
use bytemuck::{Pod, Zeroable};
use depin_core::node_tree::{self, Hash, NodeLeaf, TreeHasher};
use spl_concurrent_merkle_tree::concurrent_merkle_tree::{ConcurrentMerkleTree, SetLeafArgs};
use spl_concurrent_merkle_tree::error::ConcurrentMerkleTreeError;

/// keccak as the runtime computes it (the syscall on chain, software on the host): the
/// hash of the tree crate, so leaves and inner nodes agree with it.
pub struct Keccak;

impl TreeHasher for Keccak {
    fn hashv(parts: &[&[u8]]) -> Hash {
        solana_keccak_hasher::hashv(parts).to_bytes()
    }
}

/// The root of an empty subtree of each height with keccak (`EMPTY_NODES[0]` is the empty
/// leaf): the tree crate computes these with a hash per level each time; here they are
/// constants (checked against keccak in the tests).
pub const EMPTY_NODES: [Hash; 31] = [
    h("0000000000000000000000000000000000000000000000000000000000000000"),
    h("ad3228b676f7d3cd4284a5443f17f1962b36e491b30a40b2405849e597ba5fb5"),
    h("b4c11951957c6f8f642c4af61cd6b24640fec6dc7fc607ee8206a99e92410d30"),
    h("21ddb9a356815c3fac1026b6dec5df3124afbadb485c9ba5a3e3398a04b7ba85"),
    h("e58769b32a1beaf1ea27375a44095a0d1fb664ce2dd358e7fcbfb78c26a19344"),
    h("0eb01ebfc9ed27500cd4dfc979272d1f0913cc9f66540d7e8005811109e1cf2d"),
    h("887c22bd8750d34016ac3c66b5ff102dacdd73f6b014e710b51e8022af9a1968"),
    h("ffd70157e48063fc33c97a050f7f640233bf646cc98d9524c6b92bcf3ab56f83"),
    h("9867cc5f7f196b93bae1e27e6320742445d290f2263827498b54fec539f756af"),
    h("cefad4e508c098b9a7e1d8feb19955fb02ba9675585078710969d3440f5054e0"),
    h("f9dc3e7fe016e050eff260334f18a5d4fe391d82092319f5964f2e2eb7c1c3a5"),
    h("f8b13a49e282f609c317a833fb8d976d11517c571d1221a265d25af778ecf892"),
    h("3490c6ceeb450aecdc82e28293031d10c7d73bf85e57bf041a97360aa2c5d99c"),
    h("c1df82d9c4b87413eae2ef048f94b4d3554cea73d92b0f7af96e0271c691e2bb"),
    h("5c67add7c6caf302256adedf7ab114da0acfe870d449a3a489f781d659e8becc"),
    h("da7bce9f4e8618b6bd2f4132ce798cdc7a60e7e1460a7299e3c6342a579626d2"),
    h("2733e50f526ec2fa19a22b31e8ed50f23cd1fdf94c9154ed3a7609a2f1ff981f"),
    h("e1d3b5c807b281e4683cc6d6315cf95b9ade8641defcb32372f1c126e398ef7a"),
    h("5a2dce0a8a7f68bb74560f8f71837c2c2ebbcbf7fffb42ae1896f13f7c7479a0"),
    h("b46a28b6f55540f89444f63de0378e3d121be09e06cc9ded1c20e65876d36aa0"),
    h("c65e9645644786b620e2dd2ad648ddfcbf4a7e5b1a3a4ecfe7f64667a3f0b7e2"),
    h("f4418588ed35a2458cffeb39b93d26f18d2ab13bdce6aee58e7b99359ec2dfd9"),
    h("5a9c16dc00d6ef18b7933a6f8dc65ccb55667138776f7dea101070dc8796e377"),
    h("4df84f40ae0c8229d0d6069e5c8f39a7c299677a09d367fc7b05e3bc380ee652"),
    h("cdc72595f74c7b1043d0e1ffbab734648c838dfb0527d971b602bc216c9619ef"),
    h("0abf5ac974a1ed57f4050aa510dd9c74f508277b39d7973bb2dfccc5eeb0618d"),
    h("b8cd74046ff337f0a7bf2c8e03e10f642c1886798d71806ab1e888d9e5ee87d0"),
    h("838c5655cb21c6cb83313b5a631175dff4963772cce9108188b34ac87c81c41e"),
    h("662ee4dd2dd7b2bc707961b1e646c4047669dcb6584f0d8d770daf5d7e7deb2e"),
    h("388ab20e2573d171a88108e79d820e98f26c0b84aa8b2f4aa4968dbb818ea322"),
    h("93237c50ba75ee485f4c22adf2f741400bdf8d6a9cc7df7ecae576221665d735"),
];

const fn h(hex: &str) -> Hash {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a hex digit"),
        }
    }
    let b = hex.as_bytes();
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = nibble(b[2 * i]) << 4 | nibble(b[2 * i + 1]);
        i += 1;
    }
    out
}

/// First bytes of an initialised tree account (a zeroed account has none).
pub const TREE_TAG: [u8; 8] = *b"dpktree1";

/// Shapes (depth, changelog buffer) a tree may have: each is its own compiled tree type.
/// 2^14, 2^20 and 2^24 nodes; 64 or 256 writes may land on one root (a registration makes 2).
pub const TREE_SHAPES: [(u32, u32); 3] = [(14, 64), (20, 64), (24, 256)];

/// Deepest canopy accepted (4 MiB of nodes); it must also be shallower than the tree.
pub const MAX_CANOPY_DEPTH: u32 = 16;

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable, Debug, PartialEq, Eq)]
pub struct TreeHeader {
    pub tag: [u8; 8],
    /// The network whose nodes the tree holds.
    pub network: [u8; 32],
    pub max_depth: u32,
    pub max_buffer: u32,
    pub canopy_depth: u32,
    pub _reserved: u32,
}

pub const HEADER_LEN: usize = core::mem::size_of::<TreeHeader>();

/// Size of the `ConcurrentMerkleTree` of a supported shape.
pub fn tree_len(max_depth: u32, max_buffer: u32) -> Option<usize> {
    Some(match (max_depth, max_buffer) {
        (14, 64) => core::mem::size_of::<ConcurrentMerkleTree<14, 64>>(),
        (20, 64) => core::mem::size_of::<ConcurrentMerkleTree<20, 64>>(),
        (24, 256) => core::mem::size_of::<ConcurrentMerkleTree<24, 256>>(),
        _ => return None,
    })
}

/// Bytes of a tree account of that shape, or `None` if the shape is not supported.
pub fn account_len(max_depth: u32, max_buffer: u32, canopy_depth: u32) -> Option<usize> {
    if canopy_depth > MAX_CANOPY_DEPTH || canopy_depth >= max_depth {
        return None;
    }
    let canopy = node_tree::canopy_len(canopy_depth as usize).checked_mul(32)?;
    HEADER_LEN
        .checked_add(tree_len(max_depth, max_buffer)?)?
        .checked_add(canopy)
}

fn tree_error(e: ConcurrentMerkleTreeError) -> Error {
    match e {
        ConcurrentMerkleTreeError::LeafContentsModified => RegistryError::LeafContentsModified,
        ConcurrentMerkleTreeError::InvalidProof | ConcurrentMerkleTreeError::RootNotFound => {
            RegistryError::InvalidTreeProof
        }
        ConcurrentMerkleTreeError::TreeFull => RegistryError::TreeFull,
        ConcurrentMerkleTreeError::LeafIndexOutOfBounds => RegistryError::LeafIndexOutOfBounds,
        ConcurrentMerkleTreeError::TreeAlreadyInitialized => RegistryError::TreeAlreadyInitialized,
        _ => RegistryError::WrongTreeAccount,
    }
    .into()
}

/// What a write did: the new root, the leaf's index and the tree's sequence number after.
#[derive(Clone, Copy, Debug)]
pub struct Written {
    pub root: Hash,
    pub index: u32,
    pub seq: u64,
}

/// The parts of a tree account, borrowed from its data.
pub struct TreeAccount<'a> {
    pub header: TreeHeader,
    tree: &'a mut [u8],
    canopy: &'a mut [Hash],
}

macro_rules! with_tree {
    ($self:ident, |$t:ident| $body:expr) => {{
        match ($self.header.max_depth, $self.header.max_buffer) {
            (14, 64) => {
                let $t = cast::<14, 64>($self.tree)?;
                $body
            }
            (20, 64) => {
                let $t = cast::<20, 64>($self.tree)?;
                $body
            }
            (24, 256) => {
                let $t = cast::<24, 256>($self.tree)?;
                $body
            }
            _ => Err(error!(RegistryError::WrongTreeAccount)),
        }
    }};
}

macro_rules! with_tree_ref {
    ($header:expr, $bytes:expr, |$t:ident| $body:expr) => {{
        match ($header.max_depth, $header.max_buffer) {
            (14, 64) => {
                let $t = cast_ref::<14, 64>($bytes)?;
                $body
            }
            (20, 64) => {
                let $t = cast_ref::<20, 64>($bytes)?;
                $body
            }
            (24, 256) => {
                let $t = cast_ref::<24, 256>($bytes)?;
                $body
            }
            _ => Err(error!(RegistryError::WrongTreeAccount)),
        }
    }};
}

fn cast_ref<const D: usize, const B: usize>(bytes: &[u8]) -> Result<&ConcurrentMerkleTree<D, B>> {
    bytemuck::try_from_bytes(bytes).map_err(|_| error!(RegistryError::WrongTreeAccount))
}

/// The header of an initialised tree account of `network`.
fn read_header(data: &[u8], network: &Pubkey) -> Result<TreeHeader> {
    let header: TreeHeader = *bytemuck::try_from_bytes(
        data.get(..HEADER_LEN)
            .ok_or(RegistryError::WrongTreeAccount)?,
    )
    .map_err(|_| error!(RegistryError::WrongTreeAccount))?;
    require!(header.tag == TREE_TAG, RegistryError::WrongTreeAccount);
    require!(
        header.network == network.to_bytes(),
        RegistryError::WrongNetwork
    );
    Ok(header)
}

/// `proof` (the siblings below the canopy) completed from the canopy.
fn full_proof(
    header: &TreeHeader,
    canopy: &[Hash],
    index: u32,
    proof: &[Hash],
) -> Result<Vec<Hash>> {
    let depth = header.max_depth as usize;
    let below = depth.saturating_sub(header.canopy_depth as usize);
    require!(proof.len() == below, RegistryError::WrongProofLength);
    let mut full = vec![[0u8; 32]; depth];
    full[..below].copy_from_slice(proof);
    require!(
        node_tree::proof_from_canopy(
            canopy,
            depth,
            header.canopy_depth as usize,
            index,
            &mut full,
            &EMPTY_NODES,
        ),
        RegistryError::LeafIndexOutOfBounds
    );
    Ok(full)
}

/// Checks, without writing, that `leaf` is at `index` of `network`'s tree account `data`
/// under `root` or, fast-forwarded through the changelog, the current root. For other
/// programs (emissions' claims read the tree this way, with no CPI) and `verify_node`.
pub fn prove_leaf(
    data: &[u8],
    network: &Pubkey,
    root: Hash,
    index: u32,
    leaf: &NodeLeaf,
    proof: &[Hash],
) -> Result<()> {
    let header = read_header(data, network)?;
    let total = account_len(header.max_depth, header.max_buffer, header.canopy_depth)
        .ok_or(RegistryError::WrongTreeAccount)?;
    require!(data.len() == total, RegistryError::WrongTreeAccount);
    let tree_len =
        tree_len(header.max_depth, header.max_buffer).ok_or(RegistryError::WrongTreeAccount)?;
    let tree = &data[HEADER_LEN..HEADER_LEN + tree_len];
    let canopy: &[Hash] = bytemuck::try_cast_slice(&data[HEADER_LEN + tree_len..])
        .map_err(|_| error!(RegistryError::WrongTreeAccount))?;
    let args = spl_concurrent_merkle_tree::concurrent_merkle_tree::ProveLeafArgs {
        current_root: root,
        leaf: leaf.hash::<Keccak>(),
        proof_vec: full_proof(&header, canopy, index, proof)?,
        index,
    };
    with_tree_ref!(header, tree, |t| t.prove_leaf(&args).map_err(tree_error))
}

/// The tree bytes of an initialised tree account of `network` (header checked), with its
/// header.
fn tree_bytes<'d>(data: &'d [u8], network: &Pubkey) -> Result<(TreeHeader, &'d [u8])> {
    let header = read_header(data, network)?;
    let len =
        tree_len(header.max_depth, header.max_buffer).ok_or(RegistryError::WrongTreeAccount)?;
    let bytes = data
        .get(HEADER_LEN..HEADER_LEN + len)
        .ok_or(RegistryError::WrongTreeAccount)?;
    Ok((header, bytes))
}

/// The tree's sequence number: how many writes it has had (the sentinel's included).
pub fn sequence_number(data: &[u8], network: &Pubkey) -> Result<u64> {
    let (header, tree) = tree_bytes(data, network)?;
    with_tree_ref!(header, tree, |t| Ok(t.sequence_number))
}

/// Whether no write after sequence number `seq` touched leaf `index`, read from the
/// changelog; `None` when the writes since `seq` are more than the changelog holds (or
/// `seq` is in the future), so it cannot tell. What a leaf proven at `seq` needs to still
/// stand, for a later transaction that does not carry the proof again.
pub fn unchanged_since(
    data: &[u8],
    network: &Pubkey,
    index: u32,
    seq: u64,
) -> Result<Option<bool>> {
    let (header, tree) = tree_bytes(data, network)?;
    with_tree_ref!(header, tree, |t| {
        let Some(since) = t.sequence_number.checked_sub(seq) else {
            return Ok(None);
        };
        if since > t.buffer_size {
            return Ok(None);
        }
        let mask = (t.change_logs.len() as u64).saturating_sub(1);
        for back in 0..since {
            let at = (t.active_index.wrapping_sub(back) & mask) as usize;
            let log = t
                .change_logs
                .get(at)
                .ok_or(RegistryError::WrongTreeAccount)?;
            if log.index == index {
                return Ok(Some(false));
            }
        }
        Ok(Some(true))
    })
}

fn cast<const D: usize, const B: usize>(
    bytes: &mut [u8],
) -> Result<&mut ConcurrentMerkleTree<D, B>> {
    bytemuck::try_from_bytes_mut(bytes).map_err(|_| error!(RegistryError::WrongTreeAccount))
}

/// What `ConcurrentMerkleTree::initialize` does, with the empty nodes from the table
/// rather than about depth² hashes.
fn initialize_tree<const D: usize, const B: usize>(
    tree: &mut ConcurrentMerkleTree<D, B>,
) -> Result<()> {
    require!(
        !tree.is_initialized(),
        RegistryError::TreeAlreadyInitialized
    );
    let first = tree
        .change_logs
        .first_mut()
        .ok_or(RegistryError::WrongTreeAccount)?;
    first.root = *EMPTY_NODES
        .get(D)
        .ok_or(RegistryError::UnsupportedTreeShape)?;
    first.path.copy_from_slice(&EMPTY_NODES[..D]);
    tree.rightmost_proof
        .proof
        .copy_from_slice(&EMPTY_NODES[..D]);
    tree.sequence_number = 0;
    tree.active_index = 0;
    tree.buffer_size = 1;
    Ok(())
}

impl<'a> TreeAccount<'a> {
    /// Splits `data` by the shape given, for initialising a zeroed account.
    fn split(data: &'a mut [u8], header: TreeHeader) -> Result<Self> {
        let total = account_len(header.max_depth, header.max_buffer, header.canopy_depth)
            .ok_or(RegistryError::UnsupportedTreeShape)?;
        require!(data.len() == total, RegistryError::WrongTreeAccount);
        let tree_len = tree_len(header.max_depth, header.max_buffer)
            .ok_or(RegistryError::UnsupportedTreeShape)?;
        let (_, rest) = data.split_at_mut(HEADER_LEN);
        let (tree, canopy) = rest.split_at_mut(tree_len);
        let canopy: &mut [Hash] = bytemuck::try_cast_slice_mut(canopy)
            .map_err(|_| error!(RegistryError::WrongTreeAccount))?;
        Ok(TreeAccount {
            header,
            tree,
            canopy,
        })
    }

    /// An initialised tree account of `network`.
    pub fn load(data: &'a mut [u8], network: &Pubkey) -> Result<Self> {
        let header = read_header(data, network)?;
        Self::split(data, header)
    }

    /// Writes the header into a zeroed account of exactly the shape's size, initialises the
    /// tree and the canopy and appends the sentinel leaf.
    pub fn initialize(
        data: &'a mut [u8],
        network: &Pubkey,
        max_depth: u32,
        max_buffer: u32,
        canopy_depth: u32,
    ) -> Result<(Self, Written)> {
        require!(
            account_len(max_depth, max_buffer, canopy_depth).is_some(),
            RegistryError::UnsupportedTreeShape
        );
        require!(
            data.iter().take(HEADER_LEN).all(|b| *b == 0),
            RegistryError::TreeAlreadyInitialized
        );
        let header = TreeHeader {
            tag: TREE_TAG,
            network: network.to_bytes(),
            max_depth,
            max_buffer,
            canopy_depth,
            _reserved: 0,
        };
        require!(data.len() > HEADER_LEN, RegistryError::WrongTreeAccount);
        data[..HEADER_LEN].copy_from_slice(bytemuck::bytes_of(&header));
        let mut t = Self::split(data, header)?;
        // the canopy stays zeroed: a zero node there is the empty subtree of its level
        with_tree!(t, |tree| initialize_tree(tree))?;
        let written = t.append(&NodeLeaf::SENTINEL)?;
        Ok((t, written))
    }

    pub fn depth(&self) -> usize {
        self.header.max_depth as usize
    }

    /// Siblings a transaction must carry: those below the canopy.
    pub fn proof_len(&self) -> usize {
        (self.header.max_depth - self.header.canopy_depth) as usize
    }

    /// The index the next append takes (the number of leaves written so far).
    pub fn next_index(&mut self) -> Result<u32> {
        with_tree!(self, |tree| Ok(tree.rightmost_proof.index))
    }

    pub fn root(&mut self) -> Result<Hash> {
        with_tree!(self, |tree| Ok(tree.get_root()))
    }

    /// Copies the newest changelog's path into the canopy.
    fn written<const D: usize, const B: usize>(
        canopy: &mut [Hash],
        canopy_depth: u32,
        tree: &ConcurrentMerkleTree<D, B>,
    ) -> Result<Written> {
        let log = tree
            .change_logs
            .get(tree.active_index as usize)
            .ok_or(RegistryError::WrongTreeAccount)?;
        require!(
            node_tree::update_canopy(canopy, D, canopy_depth as usize, log.index, &log.path),
            RegistryError::WrongTreeAccount
        );
        Ok(Written {
            root: log.root,
            index: log.index,
            seq: tree.sequence_number,
        })
    }

    /// Replaces leaf `index`, which holds `before` under `root` (or a root the changelog
    /// can fast-forward from), with `after`.
    pub fn replace(
        &mut self,
        root: Hash,
        index: u32,
        before: &NodeLeaf,
        after: &NodeLeaf,
        proof: &[Hash],
    ) -> Result<Written> {
        let args = SetLeafArgs {
            current_root: root,
            previous_leaf: before.hash::<Keccak>(),
            new_leaf: after.hash::<Keccak>(),
            proof_vec: full_proof(&self.header, self.canopy, index, proof)?,
            index,
        };
        let canopy_depth = self.header.canopy_depth;
        let canopy = &mut *self.canopy;
        with_tree!(self, |tree| {
            tree.set_leaf(&args).map_err(tree_error)?;
            Self::written(canopy, canopy_depth, tree)
        })
    }

    /// Appends `leaf` at the next index.
    pub fn append(&mut self, leaf: &NodeLeaf) -> Result<Written> {
        let hash = leaf.hash::<Keccak>();
        let canopy_depth = self.header.canopy_depth;
        let canopy = &mut *self.canopy;
        with_tree!(self, |tree| {
            tree.append(hash).map_err(tree_error)?;
            Self::written(canopy, canopy_depth, tree)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_nodes_are_keccak_of_empty_subtrees() {
        let mut e = [0u8; 32];
        for (height, node) in EMPTY_NODES.iter().enumerate() {
            assert_eq!(*node, e, "height {height}");
            e = Keccak::hashv(&[&e, &e]);
        }
        assert_eq!(
            EMPTY_NODES[14],
            spl_concurrent_merkle_tree::node::empty_node(14)
        );
    }
}
