//! Transport over JSON-RPC (devnet, mainnet-beta, a local validator).
use super::{
    clock_unix_timestamp, AccountFilter, Transport, TransportError, TransportResult, TxOutcome,
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
    e.kind()
        .get_transaction_error()
        .map(|err| TxFailure::new(err, vec![]))
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

    fn send(&self, tx: &Transaction) -> TransportResult<TxOutcome> {
        match self.client.send_and_confirm_transaction(tx) {
            Ok(signature) => Ok(TxOutcome {
                signature,
                logs: vec![],
                compute_units: None,
            }),
            Err(e) => match failure_of(&e) {
                Some(f) => Err(TransportError::Transaction(f)),
                None => Err(self.io("sending a transaction", e)),
            },
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use solana_instruction::error::InstructionError;
    use solana_rpc_client_api::response::RpcSimulateTransactionResult;
    use solana_transaction_error::TransactionError;

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
