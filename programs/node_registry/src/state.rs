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
}

impl Network {
    pub fn is_status_authority(&self, key: &Pubkey) -> bool {
        self.authority == *key || self.operator.as_ref() == Some(key)
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
    /// Devices attested so far (lifetime count, decommissioning does not lower it).
    pub nodes_attested: u64,
    /// Most devices this maker may attest, if capped.
    pub device_cap: Option<u64>,
    pub active: bool,
    pub bump: u8,
}

impl Maker {
    /// Counts one more attested device, enforcing the active flag and the cap.
    pub fn record_attestation(&mut self) -> Result<()> {
        require!(self.active, RegistryError::MakerRevoked);
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
