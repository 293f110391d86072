use crate::{events::ClaimRecordOpened, seeds, state::ClaimRecord};
use anchor_lang::prelude::*;
use node_registry::state::Node;

/// Accounts: `payer` (signer, anyone: pays the record's rent), `node` (a node_registry
/// `Node`), `claim` (PDA `[CLAIM, node]`, created here), `system_program`.
///
/// Creates a node's claim record before its first claim (clients put it in the same
/// transaction); a no-op when the record exists. Claims then check the record by its `node` field instead of searching its
/// PDA each time: only this instruction creates records, at that PDA, with `node` written in.
#[derive(Accounts)]
pub struct OpenClaim<'info> {
    #[account(mut)]
    pub payer: Signer<'info>,
    pub node: Box<Account<'info, Node>>,
    #[account(
        init_if_needed,
        payer = payer,
        space = ClaimRecord::SPACE,
        seeds = [seeds::CLAIM, node.key().as_ref()],
        bump,
    )]
    pub claim: Box<Account<'info, ClaimRecord>>,
    pub system_program: Program<'info, System>,
}

impl OpenClaim<'_> {
    pub fn handler(ctx: Context<Self>) -> Result<()> {
        let node = ctx.accounts.node.key();
        let claim = &mut ctx.accounts.claim;
        if claim.node == node {
            // Already open: a no-op, so a client's "open + claim" cannot be blocked by
            // someone opening the record first.
            return Ok(());
        }
        claim.node = node;
        claim.claimed = 0;
        claim.last_epoch = 0;
        claim.bump = ctx.bumps.claim;
        crate::events::emit(ClaimRecordOpened {
            node,
            payer: ctx.accounts.payer.key(),
        });
        Ok(())
    }
}
