//! Account layouts. Logic that only touches one account lives here as methods.
use crate::error::RegistryError;
use anchor_lang::prelude::*;

/// Shortest and longest accepted device-consent window.
pub const MIN_ATTESTATION_WINDOW_S: u32 = 60;
pub const MAX_ATTESTATION_WINDOW_S: u32 = 30 * 24 * 3600;
/// How far in the future a consent nonce may be (clock skew between wallet and cluster).
pub const MAX_CONSENT_SKEW_S: u32 = 300;

/// A DePIN network. PDA `[seeds::NETWORK, name]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Network {
    pub authority: Pubkey,
    /// Set by `propose_authority`; becomes `authority` when it signs `accept_authority`.
    pub pending_authority: Option<Pubkey>,
    /// Optional delegated key that may suspend and reactivate nodes.
    pub operator: Option<Pubkey>,
    /// The network's reward token.
    pub token_mint: Pubkey,
    /// Non-transferable credits burned for fees (SPL Token or Token-2022).
    pub credits_mint: Pubkey,
    pub onboarding_fee_credits: u64,
    pub location_fee_credits: u64,
    /// How long a device consent stays valid after its nonce (signing time).
    pub attestation_window_s: u32,
    pub node_count: u64,
    pub maker_count: u32,
    pub paused: bool,
    pub bump: u8,
    #[max_len(32)]
    pub name: String,
    /// Set by `create_compressed_tree`: the network's nodes are leaves of this tree account
    /// (compressed mode) rather than node accounts. Chosen before the first maker, for good.
    pub compressed_tree: Option<Pubkey>,
}

impl Network {
    pub fn is_status_authority(&self, key: &Pubkey) -> bool {
        self.authority == *key || self.operator.as_ref() == Some(key)
    }

    /// What a registration (plain or compressed) needs of the network at `now`: not paused,
    /// an onboarding fee within what the owner agreed to, a valid capacity and a device
    /// consent inside the attestation window.
    pub fn check_registration(
        &self,
        max_fee_credits: u64,
        capacity: &Capacity,
        nonce: u64,
        now: i64,
    ) -> Result<()> {
        require!(!self.paused, RegistryError::NetworkPaused);
        require!(
            self.onboarding_fee_credits <= max_fee_credits,
            RegistryError::FeeAboveMaximum
        );
        capacity.validate()?;
        require!(
            depin_core::attestation::consent_nonce_is_fresh(
                nonce,
                now,
                self.attestation_window_s,
                MAX_CONSENT_SKEW_S
            ),
            RegistryError::StaleDeviceConsent
        );
        Ok(())
    }

    pub fn check_window(window_s: u32) -> Result<()> {
        require!(
            (MIN_ATTESTATION_WINDOW_S..=MAX_ATTESTATION_WINDOW_S).contains(&window_s),
            RegistryError::InvalidAttestationWindow
        );
        Ok(())
    }
}

/// An approved hardware maker. PDA `[seeds::MAKER, network, maker_key]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Maker {
    pub network: Pubkey,
    /// Stable identity of the maker (PDA seed).
    pub maker_key: Pubkey,
    /// Key whose ed25519 signature attests devices; rotatable.
    pub attestation_key: Pubkey,
    /// Distinct devices attested so far (lifetime count: decommissioning does not lower it
    /// and re-registering a known device does not raise it).
    pub nodes_attested: u64,
    /// Most devices this maker may attest, if capped.
    pub device_cap: Option<u64>,
    pub active: bool,
    pub bump: u8,
}

impl Maker {
    pub fn require_active(&self) -> Result<()> {
        require!(self.active, RegistryError::MakerRevoked);
        Ok(())
    }

    /// Counts a device this maker attests for the first time, enforcing the active flag
    /// and the cap. Re-registrations of a known device are not counted again.
    pub fn count_new_device(&mut self) -> Result<()> {
        self.require_active()?;
        if let Some(cap) = self.device_cap {
            require!(self.nodes_attested < cap, RegistryError::MakerCapReached);
        }
        self.nodes_attested = self
            .nodes_attested
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        Ok(())
    }
}

/// Node class with its typed capacity.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum Capacity {
    /// Wireless hotspot: radios, antenna gain in tenths of dBi, elevation in metres.
    Hotspot {
        radios: u8,
        antenna_gain_dbi_x10: u16,
        elevation_m: u16,
    },
    /// GPU compute: number of GPUs, memory per GPU in GiB, dense FP16 TFLOPS per GPU.
    Gpu {
        gpus: u16,
        vram_gib: u16,
        fp16_tflops: u32,
    },
    /// Storage: capacity offered in bytes.
    Storage { bytes: u64 },
    /// Sensor: channels and the sampling interval in seconds.
    Sensor {
        channels: u16,
        sample_interval_s: u32,
    },
    /// Anything else: a network-defined unit count.
    Other { units: u64 },
}

impl Capacity {
    /// Zero capacity is never valid; the bounds stop obviously fabricated figures.
    pub fn validate(&self) -> Result<()> {
        let ok = match *self {
            Capacity::Hotspot {
                radios,
                antenna_gain_dbi_x10,
                ..
            } => (1..=16).contains(&radios) && antenna_gain_dbi_x10 <= 300,
            Capacity::Gpu {
                gpus,
                vram_gib,
                fp16_tflops,
            } => (1..=1024).contains(&gpus) && vram_gib > 0 && fp16_tflops > 0,
            Capacity::Storage { bytes } => bytes > 0,
            Capacity::Sensor {
                channels,
                sample_interval_s,
            } => channels > 0 && sample_interval_s > 0,
            Capacity::Other { units } => units > 0,
        };
        require!(ok, RegistryError::InvalidCapacity);
        Ok(())
    }
}

#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, InitSpace)]
pub enum NodeStatus {
    Active,
    Suspended,
}

/// A registered device. PDA `[seeds::NODE, network, device_key]`.
///
/// The network is not stored: the PDA seeds bind the node to it, and `maker` (whose account
/// names the network) lets clients list a network's nodes with one filter per maker.
#[account]
#[derive(InitSpace, Debug)]
pub struct Node {
    pub owner: Pubkey,
    /// The `Maker` account that attested the device.
    pub maker: Pubkey,
    pub device_key: Pubkey,
    /// H3 cell index; 0 until a location is asserted.
    pub location: u64,
    pub capacity: Capacity,
    pub status: NodeStatus,
    pub registered_at: i64,
    pub location_changes: u16,
    pub bump: u8,
}

impl Node {
    pub const SPACE: usize = 8 + Node::INIT_SPACE;

    pub fn require_active(&self) -> Result<()> {
        require!(
            self.status == NodeStatus::Active,
            RegistryError::NodeSuspended
        );
        Ok(())
    }
}

/// What outlives a node account: one per device and network, created at the device's first
/// registration and never closed. PDA `[seeds::DEVICE, network, device_key]`.
///
/// It makes a device's standing permanent: a suspension survives decommissioning, a used
/// consent can never be used again, and a device counts once against its maker's cap.
#[account]
#[derive(InitSpace, Debug)]
pub struct Device {
    pub device_key: Pubkey,
    /// The `Maker` account the device was first attested by and counted against; later
    /// registrations must come through the same maker.
    pub maker: Pubkey,
    /// Highest device-consent nonce used so far; the next registration needs a larger one.
    pub last_consent_nonce: u64,
    /// Standing set by the network's status authority; mirrored on the node while it exists.
    pub status: NodeStatus,
    /// Registrations so far (1 after the first); identifies the current registration.
    pub registrations: u32,
    pub first_registered_at: i64,
    pub bump: u8,
}

impl Device {
    pub const SPACE: usize = 8 + Device::INIT_SPACE;

    /// Checks a re-registration of this known device and records its consent nonce.
    pub fn reregister(&mut self, maker: &Pubkey, nonce: u64) -> Result<()> {
        require!(
            self.status == NodeStatus::Active,
            RegistryError::DeviceSuspended
        );
        require_keys_eq!(self.maker, *maker, RegistryError::DeviceMakerMismatch);
        require!(
            nonce > self.last_consent_nonce,
            RegistryError::ConsentAlreadyUsed
        );
        self.last_consent_nonce = nonce;
        self.registrations = self
            .registrations
            .checked_add(1)
            .ok_or(RegistryError::ArithmeticOverflow)?;
        Ok(())
    }
}

/// Reserves an attestation key for one maker of a network, for good: revoking a maker stops
/// its key everywhere, and a key rotated out (perhaps leaked) is retired, never handed to
/// another maker, because attestations name no maker. PDA `[seeds::ATTESTATION_KEY,
/// network, key]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct AttestationKey {
    pub maker: Pubkey,
    /// Set when the maker rotated to another key; the record stays so the key stays taken.
    pub retired: bool,
    pub bump: u8,
}

impl AttestationKey {
    pub const SPACE: usize = 8 + AttestationKey::INIT_SPACE;
}

/// An open offer to hand a node to `to`; the owner keeps full control until `to` accepts.
/// PDA `[seeds::TRANSFER, node]`; the proposer paid its rent and gets it back when the
/// offer is accepted or cancelled.
#[account]
#[derive(InitSpace, Debug)]
pub struct TransferOffer {
    pub node: Pubkey,
    /// The owner who proposed it (and paid the rent).
    pub from: Pubkey,
    pub to: Pubkey,
    /// `Device::registrations` when proposed: a later registration of the device voids it.
    pub registration: u32,
    pub proposed_at: i64,
    pub bump: u8,
}

impl TransferOffer {
    pub const SPACE: usize = 8 + TransferOffer::INIT_SPACE;
}

/// A change to the delegated status operator of a network.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OperatorUpdate {
    Remove,
    Set(Pubkey),
}

/// A change to a maker's device cap.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeviceCapUpdate {
    Unlimited,
    Limit(u64),
}

/// One leaf of a compressed network's tree, as instructions and events carry it: the device
/// key, the link to the next larger key (the indexed tree of `depin_core::node_tree`) and
/// the hash of the node's [`CompressedNode`] (`data`; zero for the sentinel, leaf 0).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TreeLeaf {
    pub device_key: Pubkey,
    pub next_device_key: Pubkey,
    pub next_index: u32,
    pub data: [u8; 32],
}

impl TreeLeaf {
    pub fn to_leaf(&self) -> depin_core::node_tree::NodeLeaf {
        depin_core::node_tree::NodeLeaf {
            device: self.device_key.to_bytes(),
            next_device: self.next_device_key.to_bytes(),
            next_index: self.next_index,
            data: self.data,
        }
    }

    pub fn from_leaf(leaf: &depin_core::node_tree::NodeLeaf) -> Self {
        TreeLeaf {
            device_key: Pubkey::new_from_array(leaf.device),
            next_device_key: Pubkey::new_from_array(leaf.next_device),
            next_index: leaf.next_index,
            data: leaf.data,
        }
    }
}

/// Domain of a compressed node's data hash.
pub const NODE_DATA_DOMAIN: &[u8] = b"depin-kit compressed node v1";

/// What the registry keeps about a node of a compressed network; its leaf commits to it by
/// [`CompressedNode::data_hash`]. It holds what a `Node` and its `Device` record hold.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct CompressedNode {
    pub owner: Pubkey,
    /// The `Maker` account that attested the device.
    pub maker: Pubkey,
    pub capacity: Capacity,
    /// H3 cell index; 0 until a location is asserted.
    pub location: u64,
    /// The device's standing, set by the network's status authority.
    pub status: NodeStatus,
    pub registered_at: i64,
    /// The device-consent nonce of the registration.
    pub consent_nonce: u64,
    pub location_changes: u16,
}

impl CompressedNode {
    /// Borsh bytes at most: two keys, the largest capacity (1 + 8), and the rest.
    pub const MAX_LEN: usize = 32 + 32 + 9 + 8 + 1 + 8 + 8 + 2;

    /// keccak(domain ‖ Borsh bytes): the `data` of the node's leaf.
    pub fn data_hash(&self) -> Result<[u8; 32]> {
        let mut buf = [0u8; Self::MAX_LEN];
        let len = {
            let mut w = &mut buf[..];
            self.serialize(&mut w)?;
            Self::MAX_LEN - w.len()
        };
        Ok(solana_keccak_hasher::hashv(&[NODE_DATA_DOMAIN, &buf[..len]]).to_bytes())
    }
}

/// A compressed node as a client proves it: the leaf's key and link, the node's fields (the
/// leaf's `data` is their hash, recomputed on chain), its index, and the siblings below the
/// canopy at `root` (the current root or one the changelog can fast-forward from).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct NodeProof {
    pub root: [u8; 32],
    pub index: u32,
    pub device_key: Pubkey,
    pub next_device_key: Pubkey,
    pub next_index: u32,
    pub node: CompressedNode,
    pub proof: Vec<[u8; 32]>,
}

impl NodeProof {
    /// The leaf with `node`'s data; the sentinel (key zero) is not a node.
    pub fn leaf_with(&self, node: &CompressedNode) -> Result<depin_core::node_tree::NodeLeaf> {
        require!(
            self.device_key != Pubkey::default(),
            RegistryError::ReservedDeviceKey
        );
        Ok(depin_core::node_tree::NodeLeaf {
            device: self.device_key.to_bytes(),
            next_device: self.next_device_key.to_bytes(),
            next_index: self.next_index,
            data: node.data_hash()?,
        })
    }

    /// The leaf as the tree should hold it now.
    pub fn leaf(&self) -> Result<depin_core::node_tree::NodeLeaf> {
        self.leaf_with(&self.node)
    }
}

/// What a leaf update changed (`CompressedNodeUpdated`).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompressedChange {
    Status,
    Location { fee_burned: u64 },
    Transfer { from: Pubkey },
    Decommission,
}
