//! High-level node_registry client: every instruction as one call, on any [`Transport`].
use crate::accounts;
use crate::attest::SignedStatement;
use crate::ix::{self, CreditsAccounts};
use crate::pda;
use crate::transport::{Transport, TransportError, TxOutcome};
use crate::{tokens, txcodec};
use anchor_lang::prelude::Pubkey;
use anyhow::{Context, Result};
use node_registry::state::{Capacity, Network, NodeStatus};
use node_registry::{
    AddMakerArgs, CreateNetworkArgs, RegisterNodeArgs, UpdateMakerArgs, UpdateNetworkArgs,
};
use solana_instruction::Instruction;
use solana_keypair::Keypair;
use solana_message::Message;
use solana_signer::Signer;
use solana_transaction::Transaction;

/// The refused transaction behind an error, if that is what it was.
pub fn tx_failure(e: &anyhow::Error) -> Option<&crate::errors::TxFailure> {
    e.chain()
        .find_map(|c| c.downcast_ref::<TransportError>())
        .and_then(|t| t.failure())
}

pub struct Registry<'t> {
    pub transport: &'t dyn Transport,
}

/// Everything `register_node` needs besides the owner's signature.
#[derive(Debug, Clone)]
pub struct Registration {
    pub network: Pubkey,
    pub maker: Pubkey,
    pub maker_attestation: SignedStatement,
    pub device_consent: SignedStatement,
    pub nonce: u64,
    pub capacity: Capacity,
    /// Defaults to the owner's associated credits account.
    pub owner_credits: Option<Pubkey>,
    /// Most credits the owner agrees to burn; `None`: the network's fee as read now.
    pub max_fee_credits: Option<u64>,
}

impl<'t> Registry<'t> {
    pub fn new(transport: &'t dyn Transport) -> Self {
        Registry { transport }
    }

    /// An unsigned transaction with a fresh blockhash.
    pub fn unsigned(&self, ixs: &[Instruction], fee_payer: &Pubkey) -> Result<Transaction> {
        let blockhash = self.transport.latest_blockhash()?;
        let mut all = self.transport.compute_budget().instructions();
        all.extend_from_slice(ixs);
        let msg = Message::new_with_blockhash(&all, Some(fee_payer), &blockhash);
        Ok(Transaction::new_unsigned(msg))
    }

    /// Signs with `payer` (fee payer) and `signers`, sends and waits.
    pub fn send(
        &self,
        ixs: &[Instruction],
        payer: &Keypair,
        signers: &[&Keypair],
    ) -> Result<TxOutcome> {
        // An identical transaction sent within one blockhash is `AlreadyProcessed`; since we
        // hold the keys, sign it again on the next blockhash (once).
        for attempt in 0..2 {
            let mut tx = self.unsigned(ixs, &payer.pubkey())?;
            txcodec::sign(&mut tx, payer)?;
            for s in signers {
                txcodec::sign(&mut tx, s)?;
            }
            match self.transport.send(&tx) {
                Err(e)
                    if attempt == 0
                        && e.failure().is_some_and(|f| {
                            f.error == solana_transaction_error::TransactionError::AlreadyProcessed
                        }) =>
                {
                    continue
                }
                other => return Ok(other?),
            }
        }
        anyhow::bail!("the transaction was already processed twice")
    }

    pub fn network(&self, address: &Pubkey) -> Result<Network> {
        Ok(accounts::network(self.transport, address)?)
    }

    /// Credits mint, the owner's credits account and the mint's token program.
    pub fn credits_accounts(
        &self,
        network: &Network,
        owner: &Pubkey,
        owner_credits: Option<Pubkey>,
    ) -> Result<CreditsAccounts> {
        let mint = self
            .transport
            .get_account(&network.credits_mint)?
            .with_context(|| format!("credits mint {} does not exist", network.credits_mint))?;
        let token_program = mint.owner;
        Ok(CreditsAccounts {
            credits_mint: network.credits_mint,
            owner_credits: owner_credits.unwrap_or_else(|| {
                pda::associated_token(owner, &network.credits_mint, &token_program)
            }),
            token_program,
        })
    }

    pub fn create_network(
        &self,
        authority: &Keypair,
        token_mint: &Pubkey,
        credits_mint: &Pubkey,
        args: CreateNetworkArgs,
    ) -> Result<(Pubkey, TxOutcome)> {
        let network = pda::network(&args.name).0;
        let ix = ix::create_network(&authority.pubkey(), token_mint, credits_mint, args);
        Ok((network, self.send(&[ix], authority, &[])?))
    }

    pub fn update_network(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: UpdateNetworkArgs,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::update_network(&authority.pubkey(), network, args)],
            authority,
            &[],
        )
    }

    pub fn propose_authority(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        new: Option<Pubkey>,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::propose_authority(&authority.pubkey(), network, new)],
            authority,
            &[],
        )
    }

    pub fn accept_authority(&self, new_authority: &Keypair, network: &Pubkey) -> Result<TxOutcome> {
        self.send(
            &[ix::accept_authority(&new_authority.pubkey(), network)],
            new_authority,
            &[],
        )
    }

    pub fn add_maker(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        args: AddMakerArgs,
    ) -> Result<(Pubkey, TxOutcome)> {
        let maker = pda::maker(network, &args.maker_key).0;
        let out = self.send(
            &[ix::add_maker(&authority.pubkey(), network, args)],
            authority,
            &[],
        )?;
        Ok((maker, out))
    }

    /// Changes the fields given; a key rotation names the old and new key records itself.
    pub fn update_maker(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        maker: &Pubkey,
        args: UpdateMakerArgs,
    ) -> Result<TxOutcome> {
        let current = accounts::maker(self.transport, maker)?.attestation_key;
        self.send(
            &[ix::update_maker(
                &authority.pubkey(),
                network,
                maker,
                &current,
                args,
            )],
            authority,
            &[],
        )
    }

    pub fn reactivate_maker(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        maker: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::reactivate_maker(&authority.pubkey(), network, maker)],
            authority,
            &[],
        )
    }

    pub fn revoke_maker(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        maker: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::revoke_maker(&authority.pubkey(), network, maker)],
            authority,
            &[],
        )
    }

    /// The three instructions of a registration: maker ed25519, device ed25519, register.
    pub fn register_node_instructions(
        &self,
        owner: &Pubkey,
        r: &Registration,
    ) -> Result<Vec<Instruction>> {
        anyhow::ensure!(
            r.maker_attestation.verify(),
            "maker attestation signature does not verify"
        );
        anyhow::ensure!(
            r.device_consent.verify(),
            "device consent signature does not verify"
        );
        let network = self.network(&r.network)?;
        let credits = self.credits_accounts(&network, owner, r.owner_credits)?;
        let args = RegisterNodeArgs {
            device_key: r.device_consent.signer,
            nonce: r.nonce,
            capacity: r.capacity,
            max_fee_credits: r.max_fee_credits.unwrap_or(network.onboarding_fee_credits),
        };
        let mut ixs = vec![];
        // A new owner has no credits account yet, and the program wants one even when the
        // fee is zero: its own associated account is created (idempotently) first.
        if r.owner_credits.is_none()
            && self
                .transport
                .get_account(&credits.owner_credits)?
                .is_none()
        {
            ixs.push(tokens::create_associated_account(
                owner,
                owner,
                &credits.credits_mint,
                &credits.token_program,
            ));
        }
        ixs.extend([
            r.maker_attestation.to_instruction(),
            r.device_consent.to_instruction(),
            ix::register_node(owner, &r.network, &r.maker, credits, args),
        ]);
        Ok(ixs)
    }

    /// Registers a node, signed and paid by `owner`; returns the node address.
    pub fn register_node(&self, owner: &Keypair, r: &Registration) -> Result<(Pubkey, TxOutcome)> {
        let ixs = self.register_node_instructions(&owner.pubkey(), r)?;
        let node = pda::node(&r.network, &r.device_consent.signer).0;
        Ok((node, self.send(&ixs, owner, &[])?))
    }

    /// Asserts a location, agreeing to at most the location fee the network charges now.
    pub fn assert_location(
        &self,
        owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
        location: u64,
    ) -> Result<TxOutcome> {
        let fee = self.network(network)?.location_fee_credits;
        self.assert_location_with_max_fee(owner, network, node, location, fee)
    }

    pub fn assert_location_with_max_fee(
        &self,
        owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
        location: u64,
        max_fee_credits: u64,
    ) -> Result<TxOutcome> {
        let n = self.network(network)?;
        let credits = self.credits_accounts(&n, &owner.pubkey(), None)?;
        self.send(
            &[ix::assert_location(
                &owner.pubkey(),
                network,
                node,
                credits,
                location,
                max_fee_credits,
            )],
            owner,
            &[],
        )
    }

    /// The device key of the node at `node` (read from chain).
    pub fn device_key_of(&self, node: &Pubkey) -> Result<Pubkey> {
        Ok(accounts::node(self.transport, node)?.device_key)
    }

    /// Offers the node to `new_owner`; nothing changes hands until they accept.
    pub fn propose_transfer(
        &self,
        owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
        new_owner: Pubkey,
    ) -> Result<TxOutcome> {
        let device = self.device_key_of(node)?;
        self.send(
            &[ix::propose_transfer(
                &owner.pubkey(),
                network,
                &device,
                new_owner,
            )],
            owner,
            &[],
        )
    }

    /// Accepts the open offer on `node`, signed by its recipient.
    pub fn accept_transfer(
        &self,
        new_owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
    ) -> Result<TxOutcome> {
        let device = self.device_key_of(node)?;
        let offer = accounts::transfer_offer(self.transport, &pda::transfer_offer(node).0)?;
        self.send(
            &[ix::accept_transfer(
                &new_owner.pubkey(),
                network,
                &device,
                &offer.from,
            )],
            new_owner,
            &[],
        )
    }

    /// Withdraws (proposer) or declines (recipient) the open offer on `node`.
    pub fn cancel_transfer(&self, signer: &Keypair, node: &Pubkey) -> Result<TxOutcome> {
        let offer = accounts::transfer_offer(self.transport, &pda::transfer_offer(node).0)?;
        self.send(
            &[ix::cancel_transfer(&signer.pubkey(), node, &offer.from)],
            signer,
            &[],
        )
    }

    /// Propose and accept in one go (both keys at hand: tests, demos, one operator's wallets).
    pub fn transfer_node(
        &self,
        owner: &Keypair,
        new_owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
    ) -> Result<TxOutcome> {
        self.propose_transfer(owner, network, node, new_owner.pubkey())?;
        self.accept_transfer(new_owner, network, node)
    }

    /// Suspends or reinstates the node at `node` (which must exist; see
    /// [`Self::set_device_status`] for a decommissioned device).
    pub fn set_node_status(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
        status: NodeStatus,
    ) -> Result<TxOutcome> {
        let device = self.device_key_of(node)?;
        self.set_device_status(authority, network, &device, status)
    }

    /// Suspends or reinstates a device, registered or not.
    pub fn set_device_status(
        &self,
        authority: &Keypair,
        network: &Pubkey,
        device_key: &Pubkey,
        status: NodeStatus,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::set_node_status(
                &authority.pubkey(),
                network,
                device_key,
                status,
            )],
            authority,
            &[],
        )
    }

    pub fn decommission_node(
        &self,
        owner: &Keypair,
        network: &Pubkey,
        node: &Pubkey,
    ) -> Result<TxOutcome> {
        self.send(
            &[ix::decommission_node(&owner.pubkey(), network, node)],
            owner,
            &[],
        )
    }

    /// Creates a credits mint (Token-2022, non-transferable) with `authority` as mint authority.
    pub fn create_credits_mint(
        &self,
        payer: &Keypair,
        mint: &Keypair,
        authority: &Pubkey,
        decimals: u8,
    ) -> Result<TxOutcome> {
        let ixs = tokens::create_mint(
            &payer.pubkey(),
            &mint.pubkey(),
            authority,
            decimals,
            &tokens::TOKEN_2022_PROGRAM,
            true,
        )?;
        self.send(&ixs, payer, &[mint])
    }

    /// Creates a plain mint under `token_program`.
    pub fn create_mint(
        &self,
        payer: &Keypair,
        mint: &Keypair,
        authority: &Pubkey,
        decimals: u8,
        token_program: &Pubkey,
    ) -> Result<TxOutcome> {
        let ixs = tokens::create_mint(
            &payer.pubkey(),
            &mint.pubkey(),
            authority,
            decimals,
            token_program,
            false,
        )?;
        self.send(&ixs, payer, &[mint])
    }

    /// Creates `owner`'s associated account if needed and mints `amount` into it.
    pub fn mint_to_owner(
        &self,
        payer: &Keypair,
        mint_authority: &Keypair,
        mint: &Pubkey,
        owner: &Pubkey,
        amount: u64,
    ) -> Result<Pubkey> {
        let token_program = self
            .transport
            .get_account(mint)?
            .with_context(|| format!("mint {mint} does not exist"))?
            .owner;
        let ata = pda::associated_token(owner, mint, &token_program);
        let ixs = [
            tokens::create_associated_account(&payer.pubkey(), owner, mint, &token_program),
            tokens::mint_to(&token_program, mint, &ata, &mint_authority.pubkey(), amount)?,
        ];
        self.send(&ixs, payer, &[mint_authority])?;
        Ok(ata)
    }

    /// Token balance of a token account, 0 if it does not exist.
    pub fn token_balance(&self, account: &Pubkey) -> Result<u64> {
        Ok(match self.transport.get_account(account)? {
            Some(a) => tokens::balance(&a.data).context("not a token account")?,
            None => 0,
        })
    }
}
