use anchor_lang::prelude::*;

/// Declares the error enum and `SettlementError::ALL` from one list.
macro_rules! settlement_errors {
    ($( #[msg($m:literal)] $v:ident, )*) => {
        #[error_code]
        pub enum SettlementError {
            $( #[msg($m)] $v, )*
        }

        impl SettlementError {
            pub const ALL: &'static [SettlementError] = &[$(SettlementError::$v,)*];
        }
    };
}

settlement_errors! {
    #[msg("signer is not the network authority")]
    NotNetworkAuthority,
    #[msg("the credits mint is not a Token-2022 mint with the NonTransferable extension")]
    CreditsNotNonTransferable,
    #[msg("the credits mint has a freeze authority, a permanent delegate or another unsafe extension")]
    UnsafeCreditsMint,
    #[msg("the credits mint's authority is not the settlement address")]
    WrongCreditsMintAuthority,
    #[msg("account is not the network's credits mint")]
    WrongCreditsMint,
    #[msg("account is not the network's token mint")]
    WrongTokenMint,
    #[msg("credits per USD, confidence share, price age or multiplier out of range")]
    InvalidPriceConfig,
    #[msg("the circuit breaker needs a window and a threshold")]
    InvalidBreaker,
    #[msg("usage record belongs to another network or epoch than the current one")]
    WrongEpochUsage,
    #[msg("the clock is before the network's first epoch")]
    BeforeGenesis,
    #[msg("the price source needs a Pyth price account")]
    MissingPythPrice,
    #[msg("the price source needs the oracle price feed and the oracle set")]
    MissingOraclePrices,
    #[msg("price account is not owned by the Pyth receiver program")]
    PriceAccountNotPyth,
    #[msg("price account is not a Pyth PriceUpdateV2")]
    NotAPriceUpdate,
    #[msg("price update is for another feed than the pinned one")]
    WrongPriceFeed,
    #[msg("price update is only partially verified")]
    PartialVerification,
    #[msg("price is older than the allowed staleness")]
    StalePrice,
    #[msg("price is published in the future")]
    PriceFromFuture,
    #[msg("price is zero or negative")]
    NonPositivePrice,
    #[msg("price confidence is wider than the allowed share of the price")]
    ConfidenceTooWide,
    #[msg("price exponent out of range")]
    ExponentOutOfRange,
    #[msg("the oracle price feed has no fresh majority of the oracle set")]
    NoOracleMajority,
    #[msg("oracle price feed or oracle set of another network")]
    WrongOracleFeed,
    #[msg("signer is not in the network's oracle set")]
    NotAnOracle,
    #[msg("the burn buys no credits at this price")]
    ZeroCredits,
    #[msg("the credits bought are fewer than the caller's minimum")]
    CreditsBelowMinimum,
    #[msg("amount must be above zero")]
    ZeroAmount,
    #[msg("minting these credits would trip the circuit breaker")]
    CircuitBreakerTripped,
    #[msg("account is not a credits token account")]
    NotACreditsAccount,
    #[msg("credits account is not the signer's")]
    NotCreditsOwner,
    #[msg("account is not an escrow of this settlement")]
    NotAnEscrow,
    #[msg("signer is not the network's usage authority")]
    NotUsageAuthority,
    #[msg("arithmetic overflow")]
    ArithmeticOverflow,
}
