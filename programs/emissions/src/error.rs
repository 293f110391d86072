use anchor_lang::prelude::*;

/// Declares the error enum and `EmissionsError::ALL` from one list.
macro_rules! emissions_errors {
    ($( #[msg($m:literal)] $v:ident, )*) => {
        #[error_code]
        pub enum EmissionsError {
            $( #[msg($m)] $v, )*
        }

        impl EmissionsError {
            pub const ALL: &'static [EmissionsError] = &[$(EmissionsError::$v,)*];
        }
    };
}

emissions_errors! {
    #[msg("signer is not the network authority")]
    NotNetworkAuthority,
    #[msg("the schedule is invalid: decay, tail or supply out of range")]
    InvalidSchedule,
    #[msg("operator, oracle and treasury shares must add up to 10,000 basis points")]
    InvalidSplits,
    #[msg("the circuit breaker needs a window and a threshold of at least one epoch's amount")]
    InvalidBreaker,
    #[msg("the reward mint's authority is not this program's authority address")]
    WrongMintAuthority,
    #[msg("token account holds another mint than the reward mint")]
    WrongMint,
    #[msg("the epoch's report is not final")]
    ReportNotFinal,
    #[msg("this epoch (or a later one) is already finalised")]
    EpochAlreadyFinalized,
    #[msg("the schedule has nothing left to mint (max supply reached)")]
    MaxSupplyReached,
    #[msg("minting this amount now would pass the circuit breaker's limit")]
    CircuitBreakerTripped,
    #[msg("no recent finalised epoch has that number")]
    RootNotRecent,
    #[msg("the proof does not lead from this leaf to the epoch's root")]
    InvalidProof,
    #[msg("everything up to this cumulative amount was already paid")]
    NothingToClaim,
    #[msg("the receiving token account is not owned by the node's owner")]
    NotNodeOwnerAccount,
    #[msg("account belongs to another network")]
    WrongNetwork,
    #[msg("arithmetic overflow")]
    ArithmeticOverflow,
    #[msg("epochs finalise one after another: an earlier epoch is not finalised yet")]
    EpochOutOfOrder,
    #[msg("the report is for another epoch")]
    WrongReport,
    #[msg("the node is suspended: its rewards are held until it is reactivated")]
    NodeSuspended,
    #[msg("the claim record is another node's")]
    WrongClaimRecord,
    #[msg("the reward mint has a freeze authority or an extension other than metadata")]
    UnsafeRewardMint,
    #[msg("burn-and-mint share above 10,000 basis points or cap overflows")]
    InvalidBme,
    #[msg("the schedule re-mints burns: pass the epoch's fee_settlement usage record")]
    MissingEpochUsage,
    #[msg("account is not fee_settlement's usage record of this network and epoch")]
    WrongEpochUsage,
    #[msg("the tree account is not node_registry's tree of this network")]
    WrongTree,
    #[msg("the node's leaf changed since it was proven, or too long ago to tell: prove it again")]
    NodeProofStale,
    #[msg("the node is decommissioned: it has no owner to pay")]
    NodeDecommissioned,
    #[msg("the node address is not [node, network, device key] under node_registry")]
    WrongNodeAddress,
}
