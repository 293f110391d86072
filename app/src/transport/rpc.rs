//! Transport over JSON-RPC (devnet, mainnet-beta, a local validator).
use super::{
    clock_unix_timestamp, AccountFilter, LandedEvents, SignatureEntry, Transport, TransportError,
    TransportResult, TxOutcome,
};
use crate::errors::TxFailure;
use anchor_lang::prelude::Pubkey;
use solana_account::Account;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_hash::Hash;
use solana_rpc_client::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_rpc_client_api::request::{RpcError, RpcResponseErrorData};
use solana_transaction::Transaction;

const CLOCK_SYSVAR: Pubkey = anchor_lang::pubkey!("SysvarC1ock11111111111111111111111111111111");

pub struct RpcTransport {
    client: RpcClient,
    url: String,
}

impl RpcTransport {
    pub fn new(url: &str) -> Self {
        Self::with_commitment(url, CommitmentConfig::confirmed())
    }

    /// Reads and confirmations at `commitment` (`--commitment`).
    pub fn with_commitment(url: &str, commitment: CommitmentConfig) -> Self {
        RpcTransport {
            client: RpcClient::new_with_commitment(url.to_string(), commitment),
            url: url.to_string(),
        }
    }

    /// Whether the cluster still accepts transactions with `blockhash`.
    pub fn is_blockhash_valid(&self, blockhash: &Hash) -> TransportResult<bool> {
        self.client
            .is_blockhash_valid(blockhash, self.client.commitment())
            .map_err(|e| self.io("checking a blockhash", e))
    }

    /// The cluster's current slot at the transport's commitment.
    pub fn slot(&self) -> TransportResult<u64> {
        self.client
            .get_slot()
            .map_err(|e| self.io("reading the slot", e))
    }

    /// A transport failure in one line: the URL, and for an unreachable server the reason
    /// from the bottom of the chain (`connection refused`), not the RPC client's wrapper.
    fn io(&self, what: &str, e: ClientError) -> TransportError {
        use solana_rpc_client_api::client_error::ErrorKind;
        let message = match e.kind() {
            ErrorKind::Reqwest(r) => {
                let mut root: &dyn std::error::Error = r;
                while let Some(s) = root.source() {
                    root = s;
                }
                format!("cannot reach {}: {root}", self.url)
            }
            ErrorKind::Io(io) => format!("cannot reach {}: {io}", self.url),
            ErrorKind::RpcError(r) => format!("{} answered: {r}", self.url),
            other => format!("{} answered: {other}", self.url),
        };
        TransportError::io(what, message)
    }
}

/// How often `send` asks for a signature's status (a local validator's slot is 400 ms).
const STATUS_POLL_MS: u64 = 150;
/// The first resend of an unconfirmed transaction, and the longest interval between two.
const RESEND_FIRST: std::time::Duration = std::time::Duration::from_secs(2);
const RESEND_MAX: std::time::Duration = std::time::Duration::from_secs(16);
/// Requests that fail to reach the server in a row before `send` gives up.
const IO_ATTEMPTS: u32 = 4;
/// How long a durable-nonce transaction (no blockhash to expire) is waited for.
const NONCE_CONFIRM: std::time::Duration = std::time::Duration::from_secs(90);
/// How long `wait_past_slot` waits (a slot is ~400 ms; this is dozens of them).
const SLOT_WAIT: std::time::Duration = std::time::Duration::from_secs(30);

/// 250 ms, 500 ms, 1 s, … after the `n`th failure in a row.
fn backoff(n: u32) -> std::time::Duration {
    std::time::Duration::from_millis(250u64 << n.saturating_sub(1).min(5))
}

/// `request` until it answers, at most [`IO_ATTEMPTS`] times with [`backoff`] while the
/// server cannot be reached; any other error goes to `refused` at once.
fn retry_io<T>(
    mut request: impl FnMut() -> Result<T, ClientError>,
    refused: impl Fn(ClientError) -> TransportResult<T>,
) -> TransportResult<T> {
    let mut n = 0;
    loop {
        match request() {
            Ok(v) => return Ok(v),
            Err(e) if is_unreachable(&e) && n + 1 < IO_ATTEMPTS => {
                n += 1;
                std::thread::sleep(backoff(n));
            }
            Err(e) => return refused(e),
        }
    }
}

/// The server was not reached (as opposed to answering with an error).
fn is_unreachable(e: &ClientError) -> bool {
    matches!(e.kind(), ErrorKind::Reqwest(_) | ErrorKind::Io(_))
}

/// Whether `tx` starts by advancing a durable nonce (its "blockhash" is the nonce's value,
/// which does not expire).
fn uses_durable_nonce(tx: &Transaction) -> bool {
    const SYSTEM: Pubkey = anchor_lang::pubkey!("11111111111111111111111111111111");
    tx.message.instructions.first().is_some_and(|ix| {
        tx.message
            .account_keys
            .get(usize::from(ix.program_id_index))
            == Some(&SYSTEM)
            && ix.data.get(..4) == Some(&[4, 0, 0, 0])
    })
}

/// A refused transaction keeps its simulation logs, so Anchor error names survive.
fn failure_of(e: &ClientError) -> Option<TxFailure> {
    if let ErrorKind::RpcError(RpcError::RpcResponseError {
        data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
        ..
    }) = e.kind()
    {
        let err = sim.err.clone()?;
        return Some(TxFailure::new(
            err.into(),
            sim.logs.clone().unwrap_or_default(),
        ));
    }
    if let Some(err) = e.kind().get_transaction_error() {
        return Some(TxFailure::new(err, vec![]));
    }
    // a transaction the RPC refuses before simulating it (it could not load its lookup
    // tables, say) comes back as invalid params naming the error in words
    if let ErrorKind::RpcError(RpcError::RpcResponseError { code, message, .. }) = e.kind() {
        if *code == INVALID_PARAMS {
            return refused_before_simulation(message).map(|err| TxFailure::new(err, vec![]));
        }
    }
    None
}

/// JSON-RPC's "invalid params", which `sendTransaction` answers for a transaction it will
/// not even simulate.
const INVALID_PARAMS: i64 = -32602;

/// The transaction error an "invalid transaction: …" answer names, for the errors the
/// RPC checks before simulation.
fn refused_before_simulation(message: &str) -> Option<solana_transaction_error::TransactionError> {
    use solana_transaction_error::TransactionError as E;
    let words = message.strip_prefix("invalid transaction: ")?.trim();
    [
        E::AddressLookupTableNotFound,
        E::InvalidAddressLookupTableOwner,
        E::InvalidAddressLookupTableData,
        E::InvalidAddressLookupTableIndex,
        E::UnsupportedVersion,
        E::SanitizeFailure,
        E::AccountLoadedTwice,
        E::TooManyAccountLocks,
        E::SignatureFailure,
        E::ResanitizationNeeded,
    ]
    .into_iter()
    .find(|err| err.to_string() == words)
}

impl RpcTransport {
    /// `out` with the Anchor CPI events of its transaction, read back with
    /// `getTransaction` (the node must keep transaction history with extended metadata:
    /// `--enable-rpc-transaction-history --enable-extended-tx-metadata-storage`), when
    /// `wants`: the transaction may carry node_registry's event CPIs.
    fn with_cpi_events(&self, mut out: TxOutcome, wants: bool) -> TransportResult<TxOutcome> {
        if wants {
            out.cpi_events = self.landed(&out.signature)?.cpi_events;
        }
        Ok(out)
    }

    /// A landed transaction's slot, status and node_registry CPI events, by `getTransaction`
    /// (retried a while: a node answers for a transaction a moment after confirming it).
    fn landed(&self, signature: &solana_signature::Signature) -> TransportResult<LandedEvents> {
        use solana_transaction_status_client_types::{
            option_serializer::OptionSerializer, UiInstruction, UiTransactionEncoding,
        };
        let config = solana_rpc_client_api::config::RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Base64),
            commitment: Some(self.client.commitment()),
            max_supported_transaction_version: Some(0),
        };
        let what = format!("reading transaction {signature} and its events");
        let mut tries = 0u32;
        let tx = loop {
            match retry_io(
                || self.client.get_transaction_with_config(signature, config),
                |e| Err(self.io(&what, e)),
            ) {
                Ok(tx) => break tx,
                Err(_) if tries < 10 => {
                    tries += 1;
                    std::thread::sleep(backoff(1));
                }
                Err(e) => return Err(e),
            }
        };
        let mut keys = tx
            .transaction
            .transaction
            .decode()
            .map(|t| t.message.static_account_keys().to_vec())
            .ok_or_else(|| TransportError::io(&what, "the node's answer does not decode"))?;
        let meta = tx
            .transaction
            .meta
            .ok_or_else(|| TransportError::io(&what, "the node answered without its status"))?;
        // a program reached by CPI may be loaded from a lookup table: its index counts the
        // loaded addresses (writable, then readonly) after the static keys
        if let OptionSerializer::Some(loaded) = &meta.loaded_addresses {
            for a in loaded.writable.iter().chain(&loaded.readonly) {
                keys.push(a.parse().map_err(|e| TransportError::io(&what, e))?);
            }
        }
        let failed = meta.err.is_some();
        let mut cpi_events = vec![];
        if !failed {
            let OptionSerializer::Some(inner) = meta.inner_instructions else {
                return Err(TransportError::io(
                    &what,
                    "the node keeps no inner instructions (it needs --enable-extended-tx-metadata-storage)",
                ));
            };
            for ix in inner.into_iter().flat_map(|i| i.instructions) {
                let UiInstruction::Compiled(c) = ix else {
                    continue;
                };
                if keys.get(usize::from(c.program_id_index)) != Some(&node_registry::ID) {
                    continue;
                }
                let data = bs58::decode(&c.data)
                    .into_vec()
                    .map_err(|e| TransportError::io(&what, e))?;
                if let Some(event) = data.strip_prefix(anchor_lang::event::EVENT_IX_TAG_LE) {
                    cpi_events.push(event.to_vec());
                }
            }
        }
        Ok(LandedEvents {
            slot: tx.slot,
            failed,
            cpi_events,
        })
    }

    /// Sends with preflight (a refused transaction keeps its simulation logs), then waits
    /// for the transport's commitment, sending again without preflight at growing
    /// intervals while the blockhash is valid (a leader may drop a transaction); gives up
    /// when the blockhash expires (a durable-nonce transaction after [`NONCE_CONFIRM`]),
    /// or after [`IO_ATTEMPTS`] failed requests in a row. Legacy and v0 alike.
    fn send_signed<T: solana_rpc_client::rpc_client::SerializableTransaction>(
        &self,
        tx: &T,
        signature: Option<solana_signature::Signature>,
        nonce: bool,
    ) -> TransportResult<TxOutcome> {
        use std::time::{Duration, Instant};
        let signature = signature.ok_or_else(|| {
            TransportError::io("sending a transaction", "the transaction has no signature")
        })?;
        let what = format!("sending transaction {signature}");
        retry_io(
            || self.client.send_transaction(tx),
            |e| match failure_of(&e) {
                Some(f) => Err(TransportError::Transaction(f)),
                None => Err(self.io(&what, e)),
            },
        )?;
        let started = Instant::now();
        let mut resend_every = RESEND_FIRST;
        let mut last_send = Instant::now();
        let mut io_failures = 0u32;
        let what = format!("confirming transaction {signature}");
        loop {
            match self
                .client
                .get_signature_status_with_commitment(&signature, self.client.commitment())
            {
                Ok(Some(Ok(()))) => {
                    return Ok(TxOutcome {
                        signature,
                        logs: vec![],
                        compute_units: None,
                        cpi_events: vec![],
                    })
                }
                Ok(Some(Err(e))) => {
                    return Err(TransportError::Transaction(TxFailure::new(e, vec![])))
                }
                Ok(None) => io_failures = 0,
                Err(e) => {
                    io_failures += 1;
                    if io_failures >= IO_ATTEMPTS {
                        return Err(self.io(&what, e));
                    }
                    std::thread::sleep(backoff(io_failures));
                    continue;
                }
            }
            if last_send.elapsed() >= resend_every {
                let expired = if nonce {
                    started.elapsed() >= NONCE_CONFIRM
                } else {
                    !self.is_blockhash_valid(tx.get_recent_blockhash())?
                };
                if expired {
                    // one last look: it may have landed just before the blockhash expired
                    if let Ok(Some(r)) = self
                        .client
                        .get_signature_status_with_commitment(&signature, self.client.commitment())
                    {
                        return match r {
                            Ok(()) => Ok(TxOutcome {
                                signature,
                                logs: vec![],
                                compute_units: None,
                                cpi_events: vec![],
                            }),
                            Err(e) => Err(TransportError::Transaction(TxFailure::new(e, vec![]))),
                        };
                    }
                    return Err(TransportError::Transaction(TxFailure::new(
                        solana_transaction_error::TransactionError::BlockhashNotFound,
                        vec![],
                    )));
                }
                let config = solana_rpc_client_api::config::RpcSendTransactionConfig {
                    skip_preflight: true,
                    ..Default::default()
                };
                // a failed resend changes nothing: the next status poll decides
                let _ = self.client.send_transaction_with_config(tx, config);
                last_send = Instant::now();
                resend_every = (resend_every * 2).min(RESEND_MAX);
            }
            std::thread::sleep(Duration::from_millis(STATUS_POLL_MS));
        }
    }
}

impl Transport for RpcTransport {
    fn get_account(&self, address: &Pubkey) -> TransportResult<Option<Account>> {
        // `getAccountInfo` itself: the client's `get_account*` helpers flatten transport
        // failures into an `AccountNotFound` string
        use solana_account_decoder_client_types::UiAccount;
        use solana_rpc_client_api::request::RpcRequest;
        use solana_rpc_client_api::response::Response;
        let what = format!("reading account {address}");
        let r: Response<Option<UiAccount>> = self
            .client
            .send(
                RpcRequest::GetAccountInfo,
                serde_json::json!([
                    address.to_string(),
                    { "encoding": "base64", "commitment": self.client.commitment().commitment }
                ]),
            )
            .map_err(|e| self.io(&what, e))?;
        r.value
            .map(|ui| {
                ui.decode::<Account>().ok_or_else(|| {
                    TransportError::io(what.clone(), "the RPC returned undecodable account data")
                })
            })
            .transpose()
    }

    fn latest_blockhash(&self) -> TransportResult<Hash> {
        self.client
            .get_latest_blockhash()
            .map_err(|e| self.io("fetching a recent blockhash", e))
    }

    /// See [`RpcTransport::send_signed`].
    fn send(&self, tx: &Transaction) -> TransportResult<TxOutcome> {
        let signature = tx.signatures.first().copied();
        let out = self.send_signed(tx, signature, uses_durable_nonce(tx))?;
        let wants = tx
            .message
            .account_keys
            .contains(crate::ix::event_authority_ref());
        self.with_cpi_events(out, wants)
    }

    fn send_versioned(
        &self,
        tx: &solana_transaction::versioned::VersionedTransaction,
    ) -> TransportResult<TxOutcome> {
        let signature = tx.signatures.first().copied();
        let nonce = signature.is_some() && tx.uses_durable_nonce();
        let out = self.send_signed(tx, signature, nonce)?;
        let statics = tx.message.static_account_keys();
        // the event authority may come from a lookup table; node_registry cannot
        let wants = statics.contains(&node_registry::ID)
            && (statics.contains(crate::ix::event_authority_ref())
                || tx
                    .message
                    .address_table_lookups()
                    .is_some_and(|l| !l.is_empty()));
        self.with_cpi_events(out, wants)
    }

    fn slot(&self) -> TransportResult<u64> {
        self.client
            .get_slot()
            .map_err(|e| self.io("reading the slot", e))
    }

    /// Polls the slot (at the transport's commitment) for up to [`SLOT_WAIT`].
    fn wait_past_slot(&self, slot: u64) -> TransportResult<()> {
        let started = std::time::Instant::now();
        loop {
            let now = self.slot()?;
            if now > slot {
                return Ok(());
            }
            if started.elapsed() >= SLOT_WAIT {
                return Err(TransportError::io(
                    format!("waiting for slot {} at {}", slot + 1, self.url),
                    format!("still at slot {now} after {} s", SLOT_WAIT.as_secs()),
                ));
            }
            std::thread::sleep(std::time::Duration::from_millis(STATUS_POLL_MS));
        }
    }

    fn program_accounts(
        &self,
        program: &Pubkey,
        filters: &[AccountFilter],
    ) -> TransportResult<Vec<(Pubkey, Account)>> {
        let filters = filters
            .iter()
            .map(|f| match f {
                AccountFilter::DataSize(n) => RpcFilterType::DataSize(*n),
                AccountFilter::Memcmp { offset, bytes } => {
                    RpcFilterType::Memcmp(Memcmp::new_base58_encoded(*offset, bytes))
                }
            })
            .collect();
        let config = RpcProgramAccountsConfig {
            filters: Some(filters),
            account_config: RpcAccountInfoConfig {
                encoding: Some(UiAccountEncoding::Base64),
                commitment: Some(self.client.commitment()),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        let accounts = self
            .client
            .get_program_ui_accounts_with_config(program, config)
            .map_err(|e| self.io(&format!("listing accounts of {program}"), e))?;
        accounts
            .into_iter()
            .map(|(k, ui)| {
                ui.decode::<Account>().map(|a| (k, a)).ok_or_else(|| {
                    TransportError::io(format!("decoding account {k}"), "not base64")
                })
            })
            .collect()
    }

    fn unix_time(&self) -> TransportResult<i64> {
        let clock = self
            .get_account(&CLOCK_SYSVAR)?
            .ok_or_else(|| TransportError::io("reading the clock", "no clock sysvar"))?;
        clock_unix_timestamp(&clock.data)
            .ok_or_else(|| TransportError::io("reading the clock", "short clock sysvar"))
    }

    fn describe(&self) -> String {
        self.url.clone()
    }

    fn simulate(&self, tx: &Transaction) -> TransportResult<super::Simulation> {
        use solana_rpc_client_api::config::RpcSimulateTransactionConfig;
        let config = RpcSimulateTransactionConfig {
            sig_verify: false,
            commitment: Some(self.client.commitment()),
            ..RpcSimulateTransactionConfig::default()
        };
        let r = self
            .client
            .simulate_transaction_with_config(tx, config)
            .map_err(|e| self.io("simulating a transaction", e))?
            .value;
        let logs = r.logs.unwrap_or_default();
        Ok(super::Simulation {
            failure: r.err.map(|e| TxFailure::new(e.into(), logs.clone())),
            logs,
            compute_units: r.units_consumed,
        })
    }

    fn fee_for_message(&self, message: &solana_message::Message) -> TransportResult<u64> {
        self.client
            .get_fee_for_message(message)
            .map_err(|e| self.io("reading the fee", e))
    }

    fn signatures_for_address(
        &self,
        address: &Pubkey,
        before: Option<solana_signature::Signature>,
        until: Option<solana_signature::Signature>,
        limit: usize,
    ) -> TransportResult<Vec<SignatureEntry>> {
        use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config as Config;
        let what = format!("reading the transaction history of {address}");
        let page = retry_io(
            || {
                self.client.get_signatures_for_address_with_config(
                    address,
                    Config {
                        before,
                        until,
                        limit: Some(limit.clamp(1, 1_000)),
                        commitment: Some(self.client.commitment()),
                    },
                )
            },
            |e| Err(self.io(&what, e)),
        )?;
        page.into_iter()
            .map(|s| {
                Ok(SignatureEntry {
                    signature: s
                        .signature
                        .parse()
                        .map_err(|e| TransportError::io(&what, e))?,
                    slot: s.slot,
                    failed: s.err.is_some(),
                })
            })
            .collect()
    }

    fn transaction_events(
        &self,
        signature: &solana_signature::Signature,
    ) -> TransportResult<LandedEvents> {
        self.landed(signature)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction::error::InstructionError;
    use solana_rpc_client_api::response::RpcSimulateTransactionResult;
    use solana_transaction_error::TransactionError;

    #[test]
    fn errors_refused_before_simulation_are_named() {
        use solana_transaction_error::TransactionError as E;
        assert_eq!(
            refused_before_simulation(
                "invalid transaction: Transaction loads an address table account that doesn't exist"
            ),
            Some(E::AddressLookupTableNotFound)
        );
        assert_eq!(
            refused_before_simulation(&format!(
                "invalid transaction: {}",
                E::InvalidAddressLookupTableIndex
            )),
            Some(E::InvalidAddressLookupTableIndex)
        );
        assert_eq!(
            refused_before_simulation("invalid transaction: something new"),
            None
        );
        assert_eq!(
            refused_before_simulation(
                "Transaction loads an address table account that doesn't exist"
            ),
            None
        );
    }

    #[test]
    fn preflight_failures_keep_their_logs_and_error_name() {
        // The fixture's number, name and message come from the program's own error list
        // (which the IDL is generated from; tests/tests/idl.rs checks they agree).
        let stale = node_registry::RegistryError::StaleDeviceConsent;
        let code = u32::from(stale);
        let err = TransactionError::InstructionError(2, InstructionError::Custom(code));
        let log = format!(
            "Program log: AnchorError occurred. Error Code: {}. Error Number: {code}. Error Message: {stale}.",
            stale.name()
        );
        // the shape an RPC node sends back
        let sim: RpcSimulateTransactionResult = serde_json::from_value(serde_json::json!({
            "err": { "InstructionError": [2, { "Custom": code }] },
            "logs": [log],
        }))
        .unwrap();
        let e: ClientError = ErrorKind::RpcError(RpcError::RpcResponseError {
            code: -32002,
            message: "Transaction simulation failed".into(),
            data: RpcResponseErrorData::SendTransactionPreflightFailure(sim),
        })
        .into();
        let f = failure_of(&e).unwrap();
        assert_eq!(f.error, err);
        assert_eq!(f.error_name(), Some("StaleDeviceConsent"));
        assert_eq!(f.logs.len(), 1);

        let plain: ClientError = ErrorKind::TransactionError(err.clone()).into();
        assert_eq!(failure_of(&plain).unwrap().error, err);
        let io: ClientError = ErrorKind::Custom("connection refused".into()).into();
        assert!(failure_of(&io).is_none());
    }

    #[test]
    fn sends_back_off_and_know_durable_nonces() {
        let ms: Vec<u128> = (1..=8).map(|n| backoff(n).as_millis()).collect();
        assert_eq!(ms, [250, 500, 1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);

        let payer = solana_keypair::Keypair::new();
        let authority = Pubkey::new_unique();
        let nonce = Pubkey::new_unique();
        let pay = solana_system_interface::instruction::transfer(
            &solana_signer::Signer::pubkey(&payer),
            &authority,
            1,
        );
        let advance =
            solana_system_interface::instruction::advance_nonce_account(&nonce, &authority);
        let tx = |ixs: &[solana_instruction::Instruction]| {
            Transaction::new_with_payer(ixs, Some(&solana_signer::Signer::pubkey(&payer)))
        };
        assert!(uses_durable_nonce(&tx(&[advance.clone(), pay.clone()])));
        assert!(!uses_durable_nonce(&tx(&[pay.clone(), advance])));
        assert!(!uses_durable_nonce(&tx(&[pay])));
        assert!(!uses_durable_nonce(&tx(&[])));
    }

    #[test]
    fn unreachable_servers_are_retried_and_answers_are_not() {
        let mut calls = 0;
        let r: TransportResult<()> = retry_io(
            || {
                calls += 1;
                Err(
                    ErrorKind::Io(std::io::Error::from(std::io::ErrorKind::ConnectionRefused))
                        .into(),
                )
            },
            |e| Err(TransportError::io("sending", e.to_string())),
        );
        assert!(r.is_err());
        assert_eq!(calls, IO_ATTEMPTS);

        let mut calls = 0;
        let r: TransportResult<()> = retry_io(
            || {
                calls += 1;
                Err(ErrorKind::Custom("refused".into()).into())
            },
            |e| Err(TransportError::io("sending", e.to_string())),
        );
        assert!(r.is_err());
        assert_eq!(calls, 1);

        let mut calls = 0;
        let r = retry_io(
            || {
                calls += 1;
                if calls < 3 {
                    Err(
                        ErrorKind::Io(std::io::Error::from(std::io::ErrorKind::ConnectionReset))
                            .into(),
                    )
                } else {
                    Ok(7)
                }
            },
            |e| Err(TransportError::io("sending", e.to_string())),
        );
        assert_eq!(r.unwrap(), 7);
    }

    #[test]
    fn filters_match_like_the_server() {
        let data = [1u8, 2, 3, 4, 5];
        assert!(AccountFilter::DataSize(5).matches(&data));
        assert!(!AccountFilter::DataSize(4).matches(&data));
        assert!(AccountFilter::Memcmp {
            offset: 1,
            bytes: vec![2, 3]
        }
        .matches(&data));
        assert!(!AccountFilter::Memcmp {
            offset: 4,
            bytes: vec![5, 6]
        }
        .matches(&data));
        assert!(!AccountFilter::Memcmp {
            offset: usize::MAX,
            bytes: vec![1]
        }
        .matches(&data));
    }

    #[test]
    fn unreachable_cluster_is_an_io_error_with_context() {
        // nothing listens on port 1 of the loopback address
        let t = RpcTransport::new("http://127.0.0.1:1");
        let e = t.latest_blockhash().unwrap_err();
        assert!(e.failure().is_none());
        assert!(e.to_string().contains("127.0.0.1:1"), "{e}");
    }
}
