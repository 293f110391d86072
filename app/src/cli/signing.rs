//! Signers and delivery the solana CLI's way. Every keypair argument is a signer source
//! resolved by Anza's `solana-clap-utils` (a keypair file, `usb://ledger`, `prompt://`,
//! `ASK`, `stdin:`, or a bare public key that is presigned with `--signer PUBKEY=SIGNATURE`
//! or, with `--sign-only`, left for another machine), and every command that sends goes
//! through [`Ctx::deliver`], which honours `--sign-only`, `--blockhash`,
//! `--nonce`/`--nonce-authority`, `--fee-payer`, `--signer`, `--dry-run` and the compute
//! budget flags.
use super::*;
use solana_clap_utils::keypair::{
    keypair_from_path, signer_from_path_with_config, SignerFromPathConfig,
};
use solana_hash::Hash;
use solana_message::Message;
use solana_remote_wallet::remote_wallet::RemoteWalletManager;
use solana_transaction::Transaction;
use std::cell::RefCell;
use std::rc::Rc;

/// `PUBKEY=SIGNATURE` of `--signer`.
pub fn parse_presigner(s: &str) -> std::result::Result<(Pubkey, Signature), String> {
    let (k, sig) = s
        .split_once('=')
        .ok_or_else(|| format!("`{s}` is not PUBKEY=SIGNATURE"))?;
    let key = Pubkey::from_str(k).map_err(|e| format!("`{k}` is not a public key: {e}"))?;
    let sig = Signature::from_str(sig).map_err(|e| format!("`{sig}` is not a signature: {e}"))?;
    Ok((key, sig))
}

/// An address argument: a base58 public key, or a keypair file whose public key it takes.
pub fn parse_address(s: &str) -> std::result::Result<Pubkey, String> {
    if let Ok(k) = Pubkey::from_str(s) {
        return Ok(k);
    }
    if std::path::Path::new(s).is_file() {
        return solana_keypair::read_keypair_file(s)
            .map(|k| k.pubkey())
            .map_err(|e| format!("`{s}` is not a keypair file: {e}"));
    }
    Err(format!("`{s}` is neither a public key nor a keypair file"))
}

/// The signers a command resolved, so a hardware wallet is opened and a seed phrase asked
/// for once per run.
#[derive(Default)]
pub(crate) struct SignerCache {
    wallet: RefCell<Option<Rc<RemoteWalletManager>>>,
    resolved: RefCell<Vec<(String, Rc<dyn Signer>)>>,
}

/// A transaction ready to go, and what [`Ctx::deliver`] reports about it.
struct Built {
    tx: Transaction,
    blockhash: Hash,
}

impl Ctx<'_> {
    /// The flags `solana-clap-utils` reads while resolving a signer (`--sign-only`,
    /// `--signer`), as its clap 2 matches.
    fn offline_matches(&self) -> Result<clap2::ArgMatches<'static>> {
        use clap2::{App, Arg};
        use solana_clap_utils::offline::{SIGNER_ARG, SIGN_ONLY_ARG};
        let app = App::new("depin")
            .arg(Arg::with_name(SIGN_ONLY_ARG.name).long(SIGN_ONLY_ARG.long))
            .arg(
                Arg::with_name(SIGNER_ARG.name)
                    .long(SIGNER_ARG.long)
                    .takes_value(true)
                    .multiple(true)
                    .number_of_values(1),
            );
        let mut argv = vec!["depin".to_string()];
        if self.cli.sign_only {
            argv.push("--sign-only".into());
        }
        for (k, s) in &self.cli.signer {
            argv.push("--signer".into());
            argv.push(format!("{k}={s}"));
        }
        app.get_matches_from_safe(argv)
            .map_err(|e| anyhow::anyhow!("--signer: {}", e.message))
    }

    /// Resolves a signer source; `name` is the flag it came from (for prompts and errors).
    pub(crate) fn signer_from(&self, source: &str, name: &str) -> Result<Rc<dyn Signer>> {
        if let Some((_, s)) = self
            .signers
            .resolved
            .borrow()
            .iter()
            .find(|(k, _)| k == source)
        {
            return Ok(s.clone());
        }
        let matches = self.offline_matches()?;
        let config = SignerFromPathConfig {
            allow_null_signer: self.cli.sign_only || self.cli.dry_run,
        };
        let mut wallet = self.signers.wallet.borrow_mut();
        let signer = signer_from_path_with_config(&matches, source, name, &mut wallet, &config)
            .map_err(|e| anyhow::anyhow!("--{name} `{source}`: {e}"))?;
        let signer: Rc<dyn Signer> = Rc::from(signer);
        self.signers
            .resolved
            .borrow_mut()
            .push((source.to_string(), signer.clone()));
        Ok(signer)
    }

    /// `--keypair`, else the solana CLI config's `keypair_path`.
    fn default_source(&self) -> Result<String> {
        Ok(match &self.cli.keypair {
            Some(s) => s.clone(),
            None => config::load_defaults(self.cli.config.as_deref())?
                .keypair_path
                .display()
                .to_string(),
        })
    }

    /// The signer of `--keypair` (the authority, owner or holder the command acts as).
    pub(crate) fn default_signer(&self) -> Result<Rc<dyn Signer>> {
        self.signer_from(&self.default_source()?, "keypair")
    }

    /// A keypair the command signs messages with itself (attestations, `tx sign` of a
    /// file key): a file, `prompt://`, `ASK` or `stdin:`; hardware wallets sign
    /// transactions only.
    pub(crate) fn keypair(&self) -> Result<Keypair> {
        let source = self.default_source()?;
        let matches = self.offline_matches()?;
        keypair_from_path(&matches, &source, "keypair", false)
            .map_err(|e| anyhow::anyhow!("--keypair `{source}`: {e}"))
    }

    /// The key that acts: `--keypair`'s public key (a bare pubkey with --sign-only).
    pub(crate) fn signer_key(&self) -> Result<Pubkey> {
        Ok(self.default_signer()?.pubkey())
    }

    fn fee_payer(&self) -> Result<Rc<dyn Signer>> {
        match &self.cli.fee_payer {
            Some(s) => self.signer_from(s, "fee-payer"),
            None => self.default_signer(),
        }
    }

    /// The blockhash the transaction carries: `--blockhash`, the nonce account's durable
    /// blockhash with `--nonce`, or the cluster's latest.
    fn blockhash(&self, nonce_authority: Option<&Pubkey>) -> Result<Hash> {
        if let Some(h) = self.cli.blockhash {
            return Ok(h);
        }
        if let (Some(n), Some(auth)) = (self.cli.nonce, nonce_authority) {
            let state = nonce_state(self.t(), &n)?;
            anyhow::ensure!(
                state.authority == *auth,
                "nonce account {n}'s authority is {}, not {auth} (give --nonce-authority)",
                state.authority
            );
            return Ok(state.blockhash);
        }
        Ok(self.t().latest_blockhash()?)
    }

    /// The message of `ixs` with the nonce advance first (durable nonce), then the compute
    /// budget, signed by every local signer it needs.
    fn build(&self, ixs: &[Instruction], local: &[&dyn Signer]) -> Result<Built> {
        let payer = self.fee_payer()?;
        let mut all = vec![];
        let nonce_authority = match self.cli.nonce {
            Some(n) => {
                let auth = match &self.cli.nonce_authority {
                    Some(s) => self.signer_from(s, "nonce-authority")?,
                    None => self.default_signer()?,
                };
                all.push(solana_system_interface::instruction::advance_nonce_account(
                    &n,
                    &auth.pubkey(),
                ));
                Some(auth)
            }
            None => None,
        };
        let blockhash = self.blockhash(nonce_authority.as_ref().map(|a| a.pubkey()).as_ref())?;
        let mut budget = self.t().compute_budget();
        if budget.unit_price.is_some() && budget.unit_limit.is_none() {
            // the solana CLI's default: the limit a simulation needs, so the priority fee
            // is paid on what the transaction uses rather than the 200,000-per-instruction
            // default
            let mut probe = all.clone();
            probe.extend(budget.instructions());
            probe.extend_from_slice(ixs);
            let msg = Message::new_with_blockhash(&probe, Some(&payer.pubkey()), &blockhash);
            let sim = self.t().simulate(&Transaction::new_unsigned(msg))?;
            if let Some(f) = sim.failure {
                return Err(crate::transport::TransportError::Transaction(f))
                    .context("simulating to set the compute-unit limit");
            }
            let used = sim.compute_units.unwrap_or(200_000);
            let limit = used.saturating_add((used / 10).max(1_000)).min(1_400_000);
            budget.unit_limit = Some(u32::try_from(limit).unwrap_or(1_400_000));
        }
        all.extend(budget.instructions());
        all.extend_from_slice(ixs);
        let msg = Message::new_with_blockhash(&all, Some(&payer.pubkey()), &blockhash);
        let mut tx = Transaction::new_unsigned(msg);
        let n = usize::from(tx.message.header.num_required_signatures);
        let required: Vec<Pubkey> = tx.message.account_keys[..n].to_vec();
        let mut pool: Vec<Rc<dyn Signer>> = vec![payer];
        if let Some(a) = nonce_authority {
            pool.push(a);
        }
        // --keypair signs whenever the transaction asks for it (authority, owner, holder)
        let me = self.default_signer()?;
        if required.contains(&me.pubkey()) {
            pool.push(me);
        }
        let mut chosen: Vec<&dyn Signer> = vec![];
        for s in pool.iter().map(|s| s.as_ref()).chain(local.iter().copied()) {
            let k = s.pubkey();
            if required.contains(&k) && !chosen.iter().any(|c| c.pubkey() == k) {
                chosen.push(s);
            }
        }
        tx.try_partial_sign(&chosen, blockhash)
            .map_err(|e| anyhow::anyhow!("signing: {e}"))?;
        // signatures made elsewhere for keys no flag named as a signer source
        for (k, sig) in &self.cli.signer {
            if let Some(i) = required.iter().position(|r| r == k) {
                if tx.signatures[i] == Signature::default() {
                    anyhow::ensure!(
                        sig.verify(k.as_ref(), &tx.message_data()),
                        "--signer {k}={sig}: the signature does not verify for this transaction \
                         (same instructions, fee payer and blockhash?)"
                    );
                    tx.signatures[i] = *sig;
                }
            }
        }
        Ok(Built { tx, blockhash })
    }

    /// Sends `ixs` (signed by `--keypair`, `--fee-payer`, `--nonce-authority`, presigned
    /// `--signer`s), or prints it for other signers with `--sign-only`, or simulates it
    /// with `--dry-run`; `extra` is added to the output either way.
    pub(crate) fn deliver(&self, ixs: &[Instruction], extra: Value) -> Result<Value> {
        self.deliver_with(ixs, &[], extra)
    }

    /// [`Self::deliver`] with `local` signers the command holds itself (a new account).
    pub(crate) fn deliver_with(
        &self,
        ixs: &[Instruction],
        local: &[&dyn Signer],
        extra: Value,
    ) -> Result<Value> {
        let built = self.build(ixs, local)?;
        let missing = txcodec::missing_signers(&built.tx);
        if self.cli.dry_run {
            let sim = self.t().simulate(&built.tx)?;
            if let Some(f) = sim.failure {
                return Err(crate::transport::TransportError::Transaction(f))
                    .context("dry run: the transaction would fail");
            }
            let fee = self.t().fee_for_message(&built.tx.message)?;
            return Ok(merged(
                json!({
                    "dry_run": true,
                    "compute_units": sim.compute_units,
                    "fee_lamports": fee,
                    "fee_sol": lamports_to_sol(fee),
                    "bytes": txcodec::size(&built.tx),
                    "missing_signers": keys(&missing),
                }),
                extra,
            ));
        }
        if self.cli.sign_only {
            return Ok(merged(self.sign_only_json(&built), extra));
        }
        if !missing.is_empty() {
            bail!(
                "the transaction still needs signatures from {}: name their signer with \
                 --keypair, --fee-payer or --nonce-authority, or add --signer PUBKEY=SIGNATURE \
                 (or build it with --sign-only for another machine to sign)",
                keys(&missing).join(", ")
            );
        }
        let fixed = self.cli.blockhash.is_some() || self.cli.nonce.is_some();
        let out = match self.t().send(&built.tx) {
            // an identical transaction inside one blockhash; we hold the keys, so sign it
            // again on the next blockhash (once)
            Err(e)
                if !fixed
                    && e.failure().is_some_and(|f| {
                        f.error == solana_transaction_error::TransactionError::AlreadyProcessed
                    }) =>
            {
                let again = self.build(ixs, local)?;
                self.t().send(&again.tx)?
            }
            other => other?,
        };
        Ok(sent(&out.signature, extra))
    }

    fn sign_only_json(&self, b: &Built) -> Value {
        let tx = &b.tx;
        let n = usize::from(tx.message.header.num_required_signatures);
        let signed: Vec<String> = tx.message.account_keys[..n]
            .iter()
            .zip(&tx.signatures)
            .filter(|(_, s)| **s != Signature::default())
            .map(|(k, s)| format!("{k}={s}"))
            .collect();
        json!({
            "transaction": txcodec::encode(tx),
            "blockhash": b.blockhash.to_string(),
            "nonce_account": self.cli.nonce.map(|n| n.to_string()),
            "fee_payer": tx.message.account_keys.first().map(|k| k.to_string()),
            "signers": signed,
            "missing_signers": keys(&txcodec::missing_signers(tx)),
            "bytes": txcodec::size(tx),
        })
    }
}

pub(crate) fn keys(k: &[Pubkey]) -> Vec<String> {
    k.iter().map(|k| k.to_string()).collect()
}

/// Lamports as SOL with all nine decimals, for output.
pub fn lamports_to_sol(lamports: u64) -> String {
    format!(
        "{}.{:09}",
        lamports / 1_000_000_000,
        lamports % 1_000_000_000
    )
}

/// An initialised durable-nonce account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NonceState {
    pub authority: Pubkey,
    pub blockhash: Hash,
    pub lamports_per_signature: u64,
}

/// Reads a nonce account (system-owned, initialised) from the cluster.
pub fn nonce_state(t: &dyn crate::transport::Transport, address: &Pubkey) -> Result<NonceState> {
    use solana_nonce::{state::State, versions::Versions};
    let acc = t
        .get_account(address)?
        .with_context(|| format!("nonce account {address} does not exist"))?;
    anyhow::ensure!(
        acc.owner == solana_system_interface::program::ID,
        "{address} is not a nonce account (owned by {}, not the system program)",
        acc.owner
    );
    let v: Versions = bincode::deserialize(&acc.data).map_err(|_| {
        anyhow::anyhow!("{address} is not a nonce account (its data does not decode)")
    })?;
    match v.state() {
        State::Initialized(d) => Ok(NonceState {
            authority: d.authority,
            blockhash: d.blockhash(),
            lamports_per_signature: d.fee_calculator.lamports_per_signature,
        }),
        State::Uninitialized => bail!("nonce account {address} is not initialised"),
    }
}
