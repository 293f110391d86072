use anchor_lang::prelude::*;

/// Declares the error enum and `ProofError::ALL` from one list (clients name bare codes).
macro_rules! proof_errors {
    ($( #[msg($m:literal)] $v:ident, )*) => {
        #[error_code]
        pub enum ProofError {
            $( #[msg($m)] $v, )*
        }

        impl ProofError {
            pub const ALL: &'static [ProofError] = &[$(ProofError::$v,)*];
        }
    };
}

proof_errors! {
    #[msg("signer is not the network authority")]
    NotNetworkAuthority,
    #[msg("an oracle set needs 1 to 16 oracles and a threshold between 1 and their number")]
    InvalidOracleSet,
    #[msg("the same oracle key appears twice")]
    DuplicateOracle,
    #[msg("epoch length must be 60 s to 366 days and the challenge period at most 30 days")]
    InvalidTiming,
    #[msg("signer is not an oracle of this network")]
    NotAnOracle,
    #[msg("the epoch has not ended yet")]
    EpochNotEnded,
    #[msg("a report for this epoch exists")]
    ReportAlreadyExists,
    #[msg("the approval is for another root than the report's")]
    RootMismatch,
    #[msg("this oracle already approved the report")]
    AlreadyApproved,
    #[msg("the oracle set changed since the report was submitted")]
    OracleSetChanged,
    #[msg("the report is not pending")]
    ReportNotPending,
    #[msg("the report is not disputed")]
    ReportNotDisputed,
    #[msg("the challenge period has not passed")]
    ChallengePeriodActive,
    #[msg("the report has fewer approvals than the threshold")]
    NotEnoughApprovals,
    #[msg("signer is neither an oracle nor the network authority")]
    NotDisputeAuthority,
    #[msg("expected an ed25519 precompile instruction right before this one")]
    MissingSignatureInstruction,
    #[msg("ed25519 instruction does not use the canonical layout")]
    NonCanonicalSignatureInstruction,
    #[msg("ed25519 instruction reads its key, signature or message from another instruction")]
    ForeignSignatureData,
    #[msg("oracle signatures cover other bytes than this report")]
    WrongReportMessage,
    #[msg("the number of oracle signatures differs from the one declared")]
    SignatureCountMismatch,
    #[msg("an oracle signature is by a key outside the set")]
    SignerNotInSet,
    #[msg("the same oracle signed twice")]
    DuplicateSignature,
    #[msg("the receipt signature covers other bytes than this receipt")]
    WrongReceiptMessage,
    #[msg("the receipt is signed by a key other than the device key")]
    WrongDeviceKey,
    #[msg("the node is not active")]
    NodeNotActive,
    #[msg("account belongs to another network")]
    WrongNetwork,
    #[msg("arithmetic overflow")]
    ArithmeticOverflow,
    #[msg("the epoch has not begun: its challenges cannot be opened yet")]
    EpochNotStarted,
    #[msg("the epoch is over: its challenges can no longer be opened")]
    EpochOver,
    #[msg("the SlotHashes sysvar holds no slot hash")]
    NoSlotHash,
    #[msg("signer is not the node's owner")]
    NotNodeOwner,
    #[msg("the node does not offer storage")]
    NotStorageNode,
    #[msg("a commitment needs a non-zero size and chunk size, and at most 2^40 chunks")]
    InvalidCommitment,
    #[msg("the commitment is larger than the node's declared storage")]
    CommitmentExceedsCapacity,
    #[msg("the commitment was made after the epoch's seed: it does not count for that epoch")]
    CommitmentAfterSeed,
    #[msg("challenge index beyond the most an epoch names")]
    ChallengeOutOfRange,
    #[msg("the chunk and path do not lead from the challenged index to the committed root")]
    WrongChunkPath,
}
