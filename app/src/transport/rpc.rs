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
        RpcTransport {
            client: RpcClient::new_with_commitment(url.to_string(), CommitmentConfig::confirmed()),
            url: url.to_string(),
        }
    }

    fn io(&self, what: &str, e: ClientError) -> TransportError {
        TransportError::io(format!("{what} via {}", self.url), e)
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
        self.client
            .get_account_with_commitment(address, CommitmentConfig::confirmed())
            .map(|r| r.value)
            .map_err(|e| self.io(&format!("reading account {address}"), e))
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
                commitment: Some(CommitmentConfig::confirmed()),
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
}
