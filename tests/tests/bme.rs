//! Burn-and-mint: emissions' `finalize_epoch` re-mints a capped share of the tokens
//! fee_settlement burned for credits in the epoch, split like the epoch's emission.
use anchor_lang::prelude::Pubkey;
use depin::emissions::{self as em, Emissions, RewardAccounts};
use depin::settlement as st;
use depin::tokens;
use depin::verifier::{ReportContent, Verifier};
use depin_tests::settlement::SettlementWorld;
use depin_tests::EPOCH_S_FOR_REWARDS as EPOCH_S;
use emissions::{Decay, EmissionsError, ScheduleArgs};
use fee_settlement::state::PriceSource;
use solana_keypair::Keypair;
use solana_signer::Signer;

const TOKEN: u64 = 1_000_000;
const PER_EPOCH: u64 = 1_000 * TOKEN;
const CAP: u64 = 30 * TOKEN;

struct Bme {
    w: SettlementWorld,
    rewards: RewardAccounts,
    customers: Vec<Keypair>,
    first_epoch: u64,
}

/// A settled network whose token is also the reward token: customers hold a genesis
/// allocation, then the emission schedule takes the mint authority. Half of each epoch's
/// burns are re-minted, at most 30 tokens an epoch.
fn bme() -> Bme {
    let (w, customers, rewards) = before_emissions();
    let first_epoch = w.epoch();
    Emissions::new(&w.net)
        .initialize(
            &w.operator,
            &w.network,
            rewards,
            schedule(5_000, CAP, 3 * (PER_EPOCH + CAP), first_epoch),
        )
        .expect("emissions");
    Bme {
        w,
        rewards,
        customers,
        first_epoch,
    }
}

fn schedule(share: u16, cap: u64, threshold: u64, first_epoch: u64) -> ScheduleArgs {
    ScheduleArgs {
        initial_per_epoch: PER_EPOCH,
        decay: Decay::Halving { interval_epochs: 0 },
        tail_per_epoch: 0,
        max_supply: 1_000_000 * PER_EPOCH,
        operators_bps: 8_000,
        oracles_bps: 1_000,
        treasury_bps: 1_000,
        breaker_window_s: 86_400,
        breaker_threshold: threshold,
        first_epoch,
        bme_share_bps: share,
        bme_cap_per_epoch: cap,
    }
}

/// The settled network, customers with tokens, the mint handed to emissions.
fn before_emissions() -> (SettlementWorld, Vec<Keypair>, RewardAccounts) {
    let w = SettlementWorld::new(PriceSource::Pyth);
    let customers: Vec<Keypair> = (0..2).map(|_| w.customer(1_000 * TOKEN)).collect();
    let authority = em::authority_address(&w.network);
    let ix = tokens::set_mint_authority(
        &w.token_program,
        &w.token_mint,
        &w.operator.pubkey(),
        &authority,
    )
    .unwrap();
    w.send(&[ix], &w.operator, &[]).unwrap();
    let shares: Vec<Pubkey> = (0..2)
        .map(|_| {
            let owner = w.key();
            let ix = tokens::create_associated_account(
                &w.operator.pubkey(),
                &owner.pubkey(),
                &w.token_mint,
                &w.token_program,
            );
            w.send(&[ix], &w.operator, &[]).unwrap();
            w.token_account(&owner.pubkey())
        })
        .collect();
    let rewards = RewardAccounts {
        reward_mint: w.token_mint,
        oracle_rewards: shares[0],
        treasury: shares[1],
        token_program: w.token_program,
    };
    (w, customers, rewards)
}

impl Bme {
    /// Ends `epoch`, has two oracles attest a report and finalises the report.
    fn report(&self, epoch: u64) {
        let w = &self.w;
        let s = w.settlement();
        let end = s.genesis_ts + ((epoch + 1) * u64::from(EPOCH_S)) as i64;
        let now = w.now();
        if now < end {
            w.net.advance_time(end - now).unwrap();
        }
        let v = Verifier::new(&w.net);
        let content = ReportContent {
            epoch,
            round: 0,
            root: [epoch as u8 + 1; 32],
            total_work: 1,
            node_count: 1,
        };
        v.submit_report(&w.oracles[0], &w.network, content, &[&w.oracles[1]])
            .unwrap();
        w.net
            .advance_time(i64::from(depin_tests::rewards::CHALLENGE_S))
            .unwrap();
        v.finalize_report(&w.operator, &w.network, epoch).unwrap();
        w.set_pyth(w.pyth_price());
    }

    fn supply(&self) -> u64 {
        self.w.supply(&self.w.token_mint)
    }
}

#[test]
fn finalize_epoch_re_mints_a_capped_share_of_the_epochs_burns() {
    let b = bme();
    let w = &b.w;
    let e0 = b.first_epoch;
    // epoch e0: 40 tokens burned for credits → 20 re-minted (under the cap)
    w.buy(&b.customers[0], 25 * TOKEN).unwrap();
    w.buy(&b.customers[1], 15 * TOKEN).unwrap();
    assert_eq!(w.usage(e0).unwrap().tokens_burned_for_credits, 40 * TOKEN);
    b.report(e0);
    let before = b.supply();
    Emissions::new(&w.net)
        .finalize_epoch(&w.operator, &w.network, e0)
        .unwrap();
    assert_eq!(b.supply() - before, PER_EPOCH + 20 * TOKEN);
    let s = em::schedule(&w.net, &w.network).unwrap();
    assert_eq!(s.emitted_total, PER_EPOCH);
    assert_eq!(s.reminted_total, 20 * TOKEN);
    // split like the emission: 80 % to the vault
    assert_eq!(
        w.balance(&em::vault_address(&w.network)),
        (PER_EPOCH + 20 * TOKEN) / 10 * 8
    );
    // the client's projection of the operators' share agrees
    let projected = depin::rewards::operators_amount(
        &emissions::EmissionSchedule {
            next_epoch: e0,
            emitted_total: 0,
            reminted_total: 0,
            ..s
        },
        e0,
        40 * TOKEN,
    )
    .unwrap();
    assert_eq!(projected, (PER_EPOCH + 20 * TOKEN) / 10 * 8);

    // epoch e0 + 1: 200 tokens burned → the cap, 30
    w.buy(&b.customers[0], 200 * TOKEN).unwrap();
    b.report(e0 + 1);
    let before = b.supply();
    Emissions::new(&w.net)
        .finalize_epoch(&w.operator, &w.network, e0 + 1)
        .unwrap();
    assert_eq!(b.supply() - before, PER_EPOCH + CAP);

    // epoch e0 + 2: nobody bought; the record is opened by the finalising client, empty
    b.report(e0 + 2);
    assert!(w.usage(e0 + 2).is_none());
    let before = b.supply();
    Emissions::new(&w.net)
        .finalize_epoch(&w.operator, &w.network, e0 + 2)
        .unwrap();
    assert_eq!(b.supply() - before, PER_EPOCH);
    assert_eq!(w.usage(e0 + 2).unwrap().tokens_burned_for_credits, 0);

    // supply = genesis + emitted + re-minted − burned
    let s = em::schedule(&w.net, &w.network).unwrap();
    let burned = w.settlement().tokens_burned_total;
    assert_eq!(
        b.supply(),
        2_000 * TOKEN + s.emitted_total + s.reminted_total - burned
    );
    assert!(
        s.reminted_total <= 3 * CAP,
        "never more than schedule + cap"
    );
}

#[test]
fn finalize_epoch_refuses_a_missing_or_foreign_usage_record() {
    let b = bme();
    let w = &b.w;
    let e0 = b.first_epoch;
    w.buy(&b.customers[0], 10 * TOKEN).unwrap();
    b.report(e0);
    let schedule = em::schedule_address(&w.network);
    let watch = [schedule, w.token_mint, em::vault_address(&w.network)];
    let fin = |usage: Option<Pubkey>| em::finalize_epoch(&w.network, b.rewards, e0, usage);
    let refuse = |usage: Option<Pubkey>, e: EmissionsError| {
        w.assert_refused(&watch, u32::from(e), || {
            w.send(&[fin(usage)], &w.operator, &[])
        });
    };
    refuse(None, EmissionsError::MissingEpochUsage);
    // another epoch's record
    w.send(
        &[st::open_epoch_usage(
            &w.operator.pubkey(),
            &w.network,
            e0 + 5,
        )],
        &w.operator,
        &[],
    )
    .unwrap();
    refuse(
        Some(st::usage_address(&w.network, e0 + 5)),
        EmissionsError::WrongEpochUsage,
    );
    // an account of another program, and fee_settlement's settlement (wrong type)
    refuse(Some(w.token_mint), EmissionsError::WrongEpochUsage);
    refuse(
        Some(st::settlement_address(&w.network)),
        EmissionsError::WrongEpochUsage,
    );
    // the right one
    w.send(
        &[fin(Some(st::usage_address(&w.network, e0)))],
        &w.operator,
        &[],
    )
    .unwrap();
    assert_eq!(
        em::schedule(&w.net, &w.network).unwrap().reminted_total,
        5 * TOKEN
    );
}

#[test]
fn initialize_refuses_bad_bme_parameters() {
    let (w, _, rewards) = before_emissions();
    let schedule_at = em::schedule_address(&w.network);
    for (a, e) in [
        (
            schedule(10_001, CAP, 10 * PER_EPOCH, 0),
            EmissionsError::InvalidBme,
        ),
        (
            schedule(5_000, u64::MAX, 10 * PER_EPOCH, 0),
            EmissionsError::InvalidBme,
        ),
        // a breaker below one epoch plus the cap could block an epoch for good
        (
            schedule(5_000, CAP, PER_EPOCH + CAP - 1, 0),
            EmissionsError::InvalidBreaker,
        ),
    ] {
        w.assert_refused(&[schedule_at], u32::from(e), || {
            Emissions::new(&w.net).initialize(&w.operator, &w.network, rewards, a)
        });
    }
    // with BME off the cap does not count
    Emissions::new(&w.net)
        .initialize(
            &w.operator,
            &w.network,
            rewards,
            schedule(0, u64::MAX, PER_EPOCH, 0),
        )
        .unwrap();
}
