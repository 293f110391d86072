use anchor_lang::prelude::*;

/// Declares the error enum and `RegistryError::ALL` from one list, so clients can name a
/// bare error code (the native runtime does not record program logs).
macro_rules! registry_errors {
    ($( #[msg($m:literal)] $v:ident, )*) => {
        #[error_code]
        pub enum RegistryError {
            $( #[msg($m)] $v, )*
        }

        impl RegistryError {
            pub const ALL: &'static [RegistryError] = &[$(RegistryError::$v,)*];
        }
    };
}

registry_errors! {
    #[msg("network name must be 1-32 bytes of a-z, 0-9, '-' or '_'")]
    InvalidNetworkName,
    #[msg("attestation window must be between 60 seconds and 30 days")]
    InvalidAttestationWindow,
    #[msg("signer is not the network authority")]
    NotNetworkAuthority,
    #[msg("no authority change is pending")]
    NoPendingAuthority,
    #[msg("signer is not the proposed authority")]
    NotPendingAuthority,
    #[msg("the network is paused")]
    NetworkPaused,
    #[msg("account belongs to another network")]
    WrongNetwork,
    #[msg("credits mint is not the network's credits mint")]
    WrongCreditsMint,
    #[msg("a network with this name already exists")]
    NetworkAlreadyExists,
    #[msg("this maker is already approved in the network")]
    MakerAlreadyExists,
    #[msg("this device is already registered in the network")]
    NodeAlreadyRegistered,
    #[msg("maker is revoked")]
    MakerRevoked,
    #[msg("maker has attested as many devices as its cap allows")]
    MakerCapReached,
    #[msg("maker is already active")]
    MakerAlreadyActive,
    #[msg("expected an ed25519 precompile instruction right before this one")]
    MissingSignatureInstruction,
    #[msg("ed25519 instruction does not use the canonical single-signature layout")]
    NonCanonicalSignatureInstruction,
    #[msg("ed25519 instruction reads its key, signature or message from another instruction")]
    ForeignSignatureData,
    #[msg("maker attestation is signed by a key other than the maker's attestation key")]
    WrongMakerKey,
    #[msg("maker attestation covers other bytes than (network, device key, capacity)")]
    WrongMakerMessage,
    #[msg("device consent is signed by a key other than the device key")]
    WrongDeviceKey,
    #[msg("device consent covers other bytes than (network, owner, nonce)")]
    WrongDeviceMessage,
    #[msg("device consent nonce is outside the network's attestation window")]
    StaleDeviceConsent,
    #[msg("capacity is zero or out of range for the node class")]
    InvalidCapacity,
    #[msg("location is not a valid H3 cell")]
    InvalidLocation,
    #[msg("node is already at that location")]
    LocationUnchanged,
    #[msg("signer is not the node owner")]
    NotNodeOwner,
    #[msg("node is suspended")]
    NodeSuspended,
    #[msg("node already has that status")]
    StatusUnchanged,
    #[msg("signer is neither the network authority nor its operator")]
    NotStatusAuthority,
    #[msg("new owner is the current owner")]
    SameOwner,
    #[msg("credits account is not an initialised token account of the token program")]
    NotACreditsAccount,
    #[msg("credits account belongs to another wallet")]
    NotCreditsOwner,
    #[msg("owner's credit balance is below the fee")]
    InsufficientCredits,
    #[msg("arithmetic overflow")]
    ArithmeticOverflow,
    // Appended (codes above keep their numbers).
    #[msg("the network's fee is higher than the maximum the signer agreed to")]
    FeeAboveMaximum,
    #[msg("device consent nonce is not newer than the last one this device used")]
    ConsentAlreadyUsed,
    #[msg("device is suspended; only the network's status authority can reinstate it")]
    DeviceSuspended,
    #[msg("device was first attested by another maker")]
    DeviceMakerMismatch,
    #[msg("device record is not this program's record of that device")]
    WrongDeviceRecord,
    #[msg("credits account holds another mint than the network's credits")]
    WrongCreditsAccountMint,
    #[msg("the update changes nothing")]
    NothingToUpdate,
    #[msg("this attestation key already belongs to a maker of the network")]
    AttestationKeyInUse,
    #[msg("attestation key records are missing or do not match the rotation")]
    WrongAttestationKeyRecord,
    #[msg("the transfer offer is for another node, recipient or registration")]
    StaleTransferOffer,
    #[msg("signer is neither the proposer nor the recipient of the transfer")]
    NotTransferParty,
    #[msg("the network keeps its nodes in a compressed tree; use the compressed instructions")]
    NetworkIsCompressed,
    #[msg("the network keeps plain node accounts; it has no compressed tree")]
    NetworkNotCompressed,
    #[msg("the registry mode is chosen before the network's first maker is approved")]
    RegistryModeLocked,
    #[msg("tree depth, buffer or canopy is not a supported shape")]
    UnsupportedTreeShape,
    #[msg("account is not an initialised tree account of this shape and size")]
    WrongTreeAccount,
    #[msg("tree account is not owned by node_registry")]
    WrongTreeOwner,
    #[msg("tree account is not the network's tree")]
    WrongTree,
    #[msg("tree account is already initialised")]
    TreeAlreadyInitialized,
    #[msg("the leaf changed since the proof's root; fetch a fresh proof")]
    LeafContentsModified,
    #[msg("proof does not lead to the tree's root or a recent one")]
    InvalidTreeProof,
    #[msg("proof must hold exactly the siblings below the tree's canopy")]
    WrongProofLength,
    #[msg("the tree is full")]
    TreeFull,
    #[msg("leaf index is past the tree's last leaf")]
    LeafIndexOutOfBounds,
    #[msg("the given leaf is not the one just below the device key (its low leaf)")]
    NotTheLowLeaf,
    #[msg("device key zero is reserved")]
    ReservedDeviceKey,
}
